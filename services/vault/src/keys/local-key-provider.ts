import { createHash, randomBytes } from "node:crypto";
import { chmod, mkdir, open as openFile, readFile } from "node:fs/promises";
import { join } from "node:path";
import { AuthenticationFailedError, open, seal } from "../envelope/aes-gcm.js";
import { KeyProviderRejectedError, type EncryptionContext, type GeneratedDataKey, type KeyProvider } from "./key-provider.js";

/** Options of {@link createLocalKeyProvider}. */
export interface LocalKeyProviderOptions {
  /** Folder of master key files, one `<key id>.key` per key. */
  readonly keyDir: string;
  /** Key that new data keys are wrapped under; created (mode 0600) if missing. */
  readonly keyId: string;
}

const KEY_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const WRAP_FORMAT = 1;

/**
 * createLocalKeyProvider is the embedded default key provider: master keys are
 * 256-bit random files in a folder (mode 0600, folder 0700) and data keys are
 * wrapped with AES-256-GCM under them, the encryption context and key id as
 * associated data, so the same checks as KMS apply. For development and tests:
 * anyone who can read the folder can unwrap every data key. Only the default
 * key (`keyId`) is created when missing, at start; any other key must exist
 * (see {@link createLocalKey}), so a mistyped rewrap target is refused as
 * `key_unusable` instead of becoming a new master key.
 */
export async function createLocalKeyProvider(options: LocalKeyProviderOptions): Promise<KeyProvider> {
  assertKeyId(options.keyId);
  await mkdir(options.keyDir, { recursive: true, mode: 0o700 });
  await chmod(options.keyDir, 0o700);
  const keys = new Map<string, Uint8Array>();

  const loadKey = async (keyId: string, create: boolean): Promise<Uint8Array> => {
    const cached = keys.get(keyId);
    if (cached) return cached;
    if (!KEY_ID_PATTERN.test(keyId)) throw new KeyProviderRejectedError("key_unusable", "local key id is malformed");
    const path = join(options.keyDir, `${keyId}.key`);
    let key: Uint8Array;
    try {
      key = await readKeyFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT" && !create) {
        throw new KeyProviderRejectedError("key_unusable", `local key ${keyId} does not exist (create it with the vault's create-local-key command)`);
      }
      if (!create || (error as NodeJS.ErrnoException).code !== "ENOENT") {
        throw new KeyProviderRejectedError("key_unusable", `local key ${keyId} is not available`, { cause: error });
      }
      key = await createKeyFile(path);
    }
    keys.set(keyId, key);
    return key;
  };
  await loadKey(options.keyId, true);

  const aad = (keyId: string, context: EncryptionContext) =>
    new TextEncoder().encode(JSON.stringify([keyId, Object.entries(context).sort(([a], [b]) => (a < b ? -1 : 1))]));

  const wrap = (master: Uint8Array, keyId: string, dataKey: Uint8Array, context: EncryptionContext) => {
    const box = seal(master, dataKey, aad(keyId, context));
    return Buffer.concat([Buffer.of(WRAP_FORMAT), box.nonce, box.tag, box.ciphertext]);
  };

  const unwrap = async (wrapped: Uint8Array, keyId: string, context: EncryptionContext) => {
    const master = await loadKey(keyId, false);
    if (wrapped.length !== 1 + 12 + 16 + 32 || wrapped[0] !== WRAP_FORMAT) {
      throw new KeyProviderRejectedError("invalid_ciphertext", "wrapped data key is malformed");
    }
    const bytes = Buffer.from(wrapped);
    try {
      return open(master, { nonce: bytes.subarray(1, 13), tag: bytes.subarray(13, 29), ciphertext: bytes.subarray(29) }, aad(keyId, context));
    } catch (error) {
      if (error instanceof AuthenticationFailedError) {
        throw new KeyProviderRejectedError("invalid_ciphertext", "wrapped data key failed authentication");
      }
      throw error;
    }
  };

  return {
    name: "local",
    defaultKeyId: options.keyId,
    async generateDataKey(context): Promise<GeneratedDataKey> {
      const master = await loadKey(options.keyId, false);
      const plaintext = randomBytes(32);
      return { plaintext, wrapped: wrap(master, options.keyId, plaintext, context), keyId: options.keyId };
    },
    decryptDataKey: (wrapped, keyId, context) => unwrap(wrapped, keyId, context),
    async rewrapDataKey(wrapped, keyId, context, targetKeyId) {
      const target = await loadKey(targetKeyId, false);
      const dataKey = await unwrap(wrapped, keyId, context);
      try {
        return { wrapped: wrap(target, targetKeyId, dataKey, context), keyId: targetKeyId };
      } finally {
        dataKey.fill(0);
      }
    },
    async resolveKeyId(keyId) {
      await loadKey(keyId, false);
      return keyId;
    },
  };
}

/**
 * createLocalKey creates the master key file `<keyDir>/<keyId>.key` (256
 * random bits, mode 0600, folder 0700): the explicit step before a local key
 * can be a rewrap target or the default key. Resolves `true` if it created
 * the key and `false` if that key already existed (left untouched). Throws for
 * a malformed key id or a file system error.
 */
export async function createLocalKey(keyDir: string, keyId: string): Promise<boolean> {
  assertKeyId(keyId);
  await mkdir(keyDir, { recursive: true, mode: 0o700 });
  await chmod(keyDir, 0o700);
  const path = join(keyDir, `${keyId}.key`);
  try {
    const handle = await openFile(path, "wx", 0o600);
    try {
      await handle.writeFile(`${randomBytes(32).toString("base64")}\n`);
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") {
      await readKeyFile(path);
      return false;
    }
    throw error;
  }
}

/** Fingerprint of a key file's contents, for logs: never the key itself. */
export function keyFingerprint(key: Uint8Array): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 16);
}

async function readKeyFile(path: string): Promise<Uint8Array> {
  const text = (await readFile(path, "utf8")).trim();
  const key = Buffer.from(text, "base64");
  if (key.length !== 32) throw new KeyProviderRejectedError("key_unusable", `key file ${path} does not hold a 256-bit base64 key`);
  return key;
}

async function createKeyFile(path: string): Promise<Uint8Array> {
  const key = randomBytes(32);
  // "wx": fail if another process created it first; then read theirs.
  try {
    const handle = await openFile(path, "wx", 0o600);
    await handle.writeFile(`${key.toString("base64")}\n`);
    await handle.close();
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return readKeyFile(path);
    throw error;
  }
}

function assertKeyId(keyId: string): void {
  if (!KEY_ID_PATTERN.test(keyId)) throw new Error("local key id must match " + KEY_ID_PATTERN.source);
}
