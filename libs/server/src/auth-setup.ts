import type { AuthConfig } from "@planton/config";
import { createTokenVerifier, loadOrCreateDevSecret, type TokenVerifier } from "@planton/auth";

/** A token verifier, plus the HS256 secret when the process may mint dev tokens. */
export interface AuthSetup {
  readonly verifier: TokenVerifier;
  /** Set for HS256 configurations (given or generated); undefined with a JWKS. */
  readonly devSecret: string | undefined;
}

/**
 * setupAuth turns the parsed auth configuration into a verifier: the given
 * HS256 secret, the JWKS URL, or (neither set) a development secret generated
 * once and kept in the data folder.
 */
export async function setupAuth(auth: AuthConfig, dataDir: string): Promise<AuthSetup> {
  const claims = { ...(auth.issuer !== undefined ? { issuer: auth.issuer } : {}), ...(auth.audience !== undefined ? { audience: auth.audience } : {}) };
  switch (auth.kind) {
    case "jwks":
      return { verifier: createTokenVerifier({ kind: "jwks", url: auth.url, ...claims }), devSecret: undefined };
    case "hs256":
      return { verifier: createTokenVerifier({ kind: "hs256", secret: auth.secret, ...claims }), devSecret: auth.secret };
    case "generated-dev-secret": {
      const secret = await loadOrCreateDevSecret(dataDir);
      return { verifier: createTokenVerifier({ kind: "hs256", secret, ...claims }), devSecret: secret };
    }
  }
}
