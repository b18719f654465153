export { loadVaultConfig } from "./config.js";
export type { KeyProviderConfig, VaultConfig } from "./config.js";
export { buildVault, VAULT_SCHEMA } from "./vault-components.js";
export type { VaultComponents } from "./vault-components.js";
export type { Vault } from "./vault.js";
export { createAwsKmsKeyProvider } from "./keys/aws-kms-key-provider.js";
export { createLocalKeyProvider } from "./keys/local-key-provider.js";
export type { KeyProvider } from "./keys/key-provider.js";
