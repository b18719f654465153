export { loadVaultConfig } from "./config.js";
export type { KeyProviderConfig, VaultConfig } from "./config.js";
export { buildVault, VAULT_SCHEMA } from "./vault-components.js";
export type { VaultComponents } from "./vault-components.js";
export type { Vault } from "./vault.js";
