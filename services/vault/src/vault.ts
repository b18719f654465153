import type { Kysely } from "kysely";
import type { Logger } from "@planton/logging";
import { seal as aeadSeal, open as aeadOpen, AuthenticationFailedError } from "./envelope/aes-gcm.js";
import { FORMAT_VERSION, associatedData, encryptionContext, type RecordAddress } from "./envelope/associated-data.js";
import { allocateVersion, claimRewrapBatch, countNotUnderKey, findVersions, insertVersion, shredVersions, updateWrappedKey } from "./credential-store.js";
import { createBatcher } from "@planton/db";
import { CredentialIntegrityError, CredentialVersionDestroyedError, CredentialVersionNotFoundError, RewrapTargetKeyError } from "./errors.js";
import type { DataKeyCache } from "./keys/data-key-cache.js";
import { KeyProviderRejectedError, type KeyProvider } from "./keys/key-provider.js";
import type { CredentialVersionRow, VaultDatabase } from "./schema.js";

/** Dependencies of {@link createVault}, built by the composition root. */
export interface VaultDeps {
  readonly db: Kysely<VaultDatabase>;
  readonly keys: KeyProvider;
  readonly cache: DataKeyCache;
  readonly logger: Logger;
}

/** Result of {@link Vault.rewrap}. */
export interface RewrapResult {
  readonly rewrapped: number;
  readonly remaining: number;
  readonly targetKeyId: string;
}

/**
 * Vault is envelope encryption of credential versions (DESIGN.md, Encryption):
 * a fresh 256-bit data key per version from the key provider, AES-256-GCM
 * with the record address as associated data, and only the wrapped key, key
 * id, nonce, ciphertext and tag stored. Errors: the classes in `errors.ts` and
 * `keys/key-provider.ts`, database errors as thrown by pg.
 */
export interface Vault {
  /** Seals `payload` as the connection's next version; returns it and the wrapping key id. */
  seal(orgId: string, connectionId: string, payload: Uint8Array, signal?: AbortSignal): Promise<{ version: number; keyId: string }>;
  /** Opens one version. */
  open(address: RecordAddress): Promise<Uint8Array>;
  /** Crypto-shreds one version, or all when `version` is 0; returns the versions shredded now. */
  destroy(orgId: string, connectionId: string, version: number): Promise<number[]>;
  /**
   * Re-wraps data keys under `targetKeyId` in committed batches, without
   * touching payloads. The target must already exist: an unknown or unusable
   * one is refused with {@link RewrapTargetKeyError} before any row changes.
   */
  rewrap(targetKeyId: string, options: { batchSize: number; maxRecords: number }, signal?: AbortSignal): Promise<RewrapResult>;
}

/** Creates the {@link Vault}. */
export function createVault(deps: VaultDeps): Vault {
  const cacheKeyOf = (keyId: string, wrapped: Uint8Array, address: RecordAddress) =>
    `${keyId}\u0000${Buffer.from(wrapped).toString("base64")}\u0000${address.orgId}\u0000${address.connectionId}`;
  // Opens that arrive together read their rows in one statement. Every open
  // reads its row (nothing sealed is cached), so a destroyed version is
  // refused by whichever replica is asked.
  const reads = createBatcher<RecordAddress, CredentialVersionRow | undefined>({
    maxBatch: 512,
    maxInFlight: 1,
    lingerMs: 1,
    run: (addresses) => findVersions(deps.db, addresses),
  });

  return {
    async seal(orgId, connectionId, payload, signal) {
      // The KMS call happens before the transaction so no database
      // connection waits on the network; the data key does not depend on the
      // version number (the AEAD binds that).
      const dataKey = await deps.keys.generateDataKey(encryptionContext({ orgId, connectionId }), signal);
      try {
        // Two autocommit statements, no transaction: the number is taken
        // atomically, so concurrent seals of one connection still get
        // distinct versions; a seal that fails after taking it leaves a gap
        // in the numbers, never a half-written version (the row is one INSERT).
        const version = await allocateVersion(deps.db, orgId, connectionId);
        const box = aeadSeal(dataKey.plaintext, payload, associatedData(FORMAT_VERSION, { orgId, connectionId, version }));
        await insertVersion(deps.db, {
          org_id: orgId,
          connection_id: connectionId,
          version,
          format_version: FORMAT_VERSION,
          key_id: dataKey.keyId,
          wrapped_key: dataKey.wrapped,
          nonce: box.nonce,
          ciphertext: box.ciphertext,
          tag: box.tag,
        });
        return { version, keyId: dataKey.keyId };
      } finally {
        dataKey.plaintext.fill(0);
      }
    },

    async open(address) {
      const row = await reads.add(address);
      if (row === undefined) throw new CredentialVersionNotFoundError(address.version);
      const live = liveParts(row);
      if (live === undefined) throw new CredentialVersionDestroyedError(address.version);
      if (row.format_version !== FORMAT_VERSION) throw new CredentialIntegrityError(address.version);
      const context = encryptionContext(address);
      let key: Uint8Array;
      try {
        key = await deps.cache.get(cacheKeyOf(live.keyId, live.wrappedKey, address), () =>
          // No caller signal: the load is shared by every concurrent opener.
          deps.keys.decryptDataKey(live.wrappedKey, live.keyId, context),
        );
      } catch (error) {
        if (error instanceof KeyProviderRejectedError && error.reason === "invalid_ciphertext") {
          throw new CredentialIntegrityError(address.version, { cause: error });
        }
        throw error;
      }
      try {
        return aeadOpen(key, live, associatedData(row.format_version, address));
      } catch (error) {
        if (error instanceof AuthenticationFailedError) throw new CredentialIntegrityError(address.version, { cause: error });
        throw error;
      } finally {
        key.fill(0);
      }
    },

    async destroy(orgId, connectionId, version) {
      const shredded = await deps.db.transaction().execute((trx) => shredVersions(trx, orgId, connectionId, version));
      for (const s of shredded) deps.cache.evict(cacheKeyOf(s.keyId, s.wrappedKey, { orgId, connectionId, version: s.version }));
      if (shredded.length > 0) {
        deps.logger.info({ org_id: orgId, connection_id: connectionId, versions: shredded.map((s) => s.version) }, "credential versions destroyed");
      }
      return shredded.map((s) => s.version);
    },

    async rewrap(targetKeyId, options, signal) {
      let target: string;
      try {
        target = await deps.keys.resolveKeyId(targetKeyId, signal);
      } catch (error) {
        // The caller named a key the provider cannot wrap under: their input,
        // not a broken vault. (A local key is never created here.)
        if (error instanceof KeyProviderRejectedError && error.reason === "key_unusable") {
          throw new RewrapTargetKeyError(deps.keys.name, { cause: error });
        }
        throw error;
      }
      let rewrapped = 0;
      while (options.maxRecords === 0 || rewrapped < options.maxRecords) {
        signal?.throwIfAborted();
        const limit = options.maxRecords === 0 ? options.batchSize : Math.min(options.batchSize, options.maxRecords - rewrapped);
        // Each batch commits on its own: progress survives a crash, and a
        // rerun picks up the rows still under another key.
        const done = await deps.db.transaction().execute(async (trx) => {
          const rows = await claimRewrapBatch(trx, target, limit);
          for (const row of rows) {
            const live = liveParts(row);
            if (live === undefined) continue;
            const address = { orgId: row.org_id, connectionId: row.connection_id, version: row.version };
            const result = await deps.keys.rewrapDataKey(live.wrappedKey, live.keyId, encryptionContext(address), target, signal);
            if (result.keyId !== target) {
              // Would make this loop select the row forever.
              throw new Error(`key provider wrapped under ${result.keyId}, not the resolved target`);
            }
            await updateWrappedKey(trx, row, result.wrapped, result.keyId);
          }
          return rows.length;
        });
        rewrapped += done;
        if (done < limit) break;
      }
      const remaining = await countNotUnderKey(deps.db, target);
      deps.logger.info({ target_key_id: target, rewrapped, remaining }, "data keys rewrapped");
      return { rewrapped, remaining, targetKeyId: target };
    },
  };
}

function liveParts(row: CredentialVersionRow) {
  if (row.destroyed_at !== null || row.key_id === null || row.wrapped_key === null || row.nonce === null || row.ciphertext === null || row.tag === null) {
    return undefined;
  }
  return { keyId: row.key_id, wrappedKey: row.wrapped_key, nonce: row.nonce, ciphertext: row.ciphertext, tag: row.tag };
}
