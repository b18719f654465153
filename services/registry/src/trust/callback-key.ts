import { readFile } from "node:fs/promises";
import { loadOrCreateDevSecret } from "@planton/auth";
import { ConfigError } from "@planton/config";
import type { TrustConfig } from "../config.js";

/**
 * loadCallbackKey returns the HMAC key of setup callback tokens:
 * AWS_TRUST_CALLBACK_KEY, else the file AWS_TRUST_CALLBACK_KEY_FILE (e.g. a
 * mounted Kubernetes secret), else a random key generated once and kept in
 * `<dataDir>/aws-trust-callback-key` (single-replica and development use:
 * replicas must share one key, or a callback reaching another replica fails).
 */
export async function loadCallbackKey(config: TrustConfig, dataDir: string): Promise<Uint8Array> {
  if (config.callbackKey !== undefined) return Buffer.from(config.callbackKey, "utf8");
  if (config.callbackKeyFile !== undefined) {
    const text = (
      await readFile(config.callbackKeyFile, "utf8").catch(() => {
        throw new ConfigError("AWS_TRUST_CALLBACK_KEY_FILE", "cannot be read");
      })
    ).trim();
    if (Buffer.byteLength(text) < 32) throw new ConfigError("AWS_TRUST_CALLBACK_KEY_FILE", "must hold at least 32 bytes");
    return Buffer.from(text, "utf8");
  }
  return Buffer.from(await loadOrCreateDevSecret(dataDir, "aws-trust-callback-key"), "utf8");
}
