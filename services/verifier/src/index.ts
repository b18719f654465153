export type { CheckOptions, CheckResult, ProviderCheck, ProviderEndpoints } from "./checks/provider-check.js";
export { loadVerifierConfig } from "./config.js";
export type { VerifierConfig } from "./config.js";
export { buildVerifier } from "./verifier-components.js";
export type { VerifierComponents } from "./verifier-components.js";
export type { VerifierRegistry, VerifierVault } from "./ports.js";
export { VERIFIED_KINDS } from "./verify-event.js";
export { subscribeInProcess } from "./in-process-subscription.js";
export { providerChecks } from "./checks/all-checks.js";
