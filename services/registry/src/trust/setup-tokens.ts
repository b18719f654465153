import { createHmac, timingSafeEqual } from "node:crypto";

// Domain separation: the key signs nothing else, but a versioned label keeps
// a future token kind from ever colliding with this one.
const LABEL = "planton-aws-trust-callback:v1";

/**
 * SetupTokens mints and checks the one-time callback token of an AWS trust
 * setup: HMAC-SHA256 over the setup id and its expiry, base64url. Nothing
 * about the token is stored; single use is enforced by the setup's state
 * (CompleteSetup moves it out of PENDING in one conditional update).
 */
export interface SetupTokens {
  /** The token for a setup expiring at `expiresAt` (ms precision). */
  mint(setupId: string, expiresAt: Date): string;
  /** Whether `token` is the one minted for this setup and expiry (constant time). */
  matches(token: string, setupId: string, expiresAt: Date): boolean;
}

/** createSetupTokens builds {@link SetupTokens} over `key` (at least 32 bytes). */
export function createSetupTokens(key: Uint8Array): SetupTokens {
  if (key.length < 32) throw new Error("the AWS trust callback key must be at least 32 bytes");
  const digest = (setupId: string, expiresAt: Date) => createHmac("sha256", key).update(`${LABEL}\n${setupId}\n${expiresAt.getTime()}`, "utf8").digest();
  return {
    mint(setupId, expiresAt) {
      return digest(setupId, expiresAt).toString("base64url");
    },
    matches(token, setupId, expiresAt) {
      if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return false;
      return timingSafeEqual(Buffer.from(token, "base64url"), digest(setupId, expiresAt));
    },
  };
}
