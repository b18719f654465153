export { loadRegistryConfig } from "./config.js";
export type { PlatformIssue, RegistryConfig, TrustConfig } from "./config.js";
export { buildRegistry, REGISTRY_SCHEMA } from "./registry-components.js";
export type { RegistryComponents } from "./registry-components.js";
export { createLocalVaultClient, createRpcPinCounter, createRpcVaultClient } from "./vault-client.js";
export type { LocalVault, VaultClient } from "./vault-client.js";
// The trust template itself, so the verifier's tests can deploy it into a fake IAM.
export { buildTrustTemplate, capabilityPolicyLogicalId } from "./trust/trust-template.js";
export { ALL_CAPABILITIES } from "./trust/capabilities.js";
export { capabilityPolicy } from "./trust/capability-policies.js";
