export { loadAuthzConfig } from "./config.js";
export type { AuthzConfig } from "./config.js";
export { buildAuthz, AUTHZ_SCHEMA } from "./authz-components.js";
export type { AuthzComponents } from "./authz-components.js";
export type { CredentialOpener, RegistryLookup } from "./ports.js";
export { CONSUMED_SUBJECTS } from "./connection-events.js";
export { startConnectionEventConsumer } from "./event-consumer.js";
export type { EventConsumer } from "./event-consumer.js";
