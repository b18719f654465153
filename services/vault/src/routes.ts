import type { ServiceImpl } from "@connectrpc/connect";
import { Scopes } from "@planton/auth";
import { VaultService } from "@planton/proto/planton/connect/v1/vault_pb";
import { registerService, Violations, type ServiceRegistration } from "@planton/server";
import { checkAddress, DEFAULT_REWRAP_BATCH, MAX_PAYLOAD_BYTES, MAX_REWRAP_BATCH } from "./request-rules.js";
import type { Vault } from "./vault.js";

/**
 * createVaultRoutes is the `VaultService` implementation: it checks each
 * request's fields (all violations at once, `INVALID_ARGUMENT`) and calls the
 * {@link Vault}. Every method needs the `internal` scope: only platform
 * services call the vault.
 */
export function createVaultRoutes(vault: Vault): ServiceRegistration {
  const impl: ServiceImpl<typeof VaultService> = {
    async sealCredential(request, ctx) {
      checkAddress(new Violations(), request)
        .check(request.payload.length > 0, "payload", "REQUIRED", "is required")
        .check(request.payload.length <= MAX_PAYLOAD_BYTES, "payload", "MAX_SIZE", `must be at most ${MAX_PAYLOAD_BYTES} bytes`)
        .throwIfAny();
      const sealed = await vault.seal(request.orgId, request.connectionId, request.payload, ctx.signal);
      return { version: sealed.version, keyId: sealed.keyId };
    },
    async openCredential(request) {
      checkAddress(new Violations(), request)
        .check(request.version >= 1, "version", "MIN", "must be at least 1")
        .throwIfAny();
      const payload = await vault.open(request);
      return { payload, version: request.version };
    },
    async destroyCredential(request) {
      checkAddress(new Violations(), request).throwIfAny();
      return { destroyedVersions: await vault.destroy(request.orgId, request.connectionId, request.version) };
    },
    async rewrapDataKeys(request, ctx) {
      new Violations()
        .check(request.targetKeyId !== "", "target_key_id", "REQUIRED", "is required")
        .check(request.targetKeyId.length <= 2048, "target_key_id", "MAX_LENGTH", "must be at most 2048 characters")
        .check(request.batchSize <= MAX_REWRAP_BATCH, "batch_size", "MAX", `must be at most ${MAX_REWRAP_BATCH}`)
        .throwIfAny();
      return vault.rewrap(
        request.targetKeyId,
        { batchSize: request.batchSize === 0 ? DEFAULT_REWRAP_BATCH : request.batchSize, maxRecords: request.maxRecords },
        ctx.signal,
      );
    },
  };
  return registerService(VaultService, impl, { default: { scopes: [Scopes.internal] } });
}
