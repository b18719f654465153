import { Code, ConnectError } from "@connectrpc/connect";
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";
import type { Principal } from "./principal.js";

/** How tokens are checked: a shared HS256 secret (development) or a JWKS URL (production). */
export type TokenVerifierOptions =
  { kind: "hs256"; secret: string; issuer?: string; audience?: string } | { kind: "jwks"; url: URL; issuer?: string; audience?: string };

/**
 * TokenVerifier turns a bearer token into a {@link Principal}. It rejects with
 * `UNAUTHENTICATED` for a token that is malformed, badly signed, expired, or
 * lacks `sub`, `org` or `exp`; and with `UNAVAILABLE` when the JWKS cannot be
 * fetched. Messages say what is wrong without repeating the token.
 */
export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}

// Asymmetric algorithms accepted from a JWKS; HS256 only with the dev secret,
// so a JWKS-configured service can never be fooled by an HMAC token.
const JWKS_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"];

/**
 * How far `exp`, `nbf` and `iat` may be off the verifying machine's clock, in
 * seconds: a token is accepted up to 30 s after its `exp` and from 30 s
 * before its `nbf`, so a few seconds of drift between the issuer and the
 * services never refuse a valid token. (A token is never cached past `exp`.)
 */
export const TOKEN_CLOCK_TOLERANCE_SECONDS = 30;

/** Creates a {@link TokenVerifier}. */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const key: Uint8Array | JWTVerifyGetKey = options.kind === "hs256" ? new TextEncoder().encode(options.secret) : createRemoteJWKSet(options.url);
  const algorithms = options.kind === "hs256" ? ["HS256"] : JWKS_ALGORITHMS;
  const verifyOptions = {
    algorithms,
    clockTolerance: TOKEN_CLOCK_TOLERANCE_SECONDS,
    requiredClaims: ["sub", "exp"],
    ...(options.issuer !== undefined ? { issuer: options.issuer } : {}),
    ...(options.audience !== undefined ? { audience: options.audience } : {}),
  };
  const verified = createVerifiedTokenCache();
  return {
    async verify(token) {
      const cached = verified.get(token);
      if (cached !== undefined) return cached;
      let payload: JWTPayload;
      try {
        payload = key instanceof Uint8Array ? (await jwtVerify(token, key, verifyOptions)).payload : (await jwtVerify(token, key, verifyOptions)).payload;
      } catch (error) {
        throw toConnectError(error);
      }
      const principal = principalFromClaims(payload);
      verified.set(token, principal, (payload.exp ?? 0) * 1000);
      return principal;
    },
  };
}

// Platform services reuse one token for many calls; verifying its signature
// each time (WebCrypto HMAC, async) was about a third of a cached vault open.
// The key is the whole token, signature included, so only the exact bytes
// that verified before are accepted; an entry lives at most a minute and
// never past the token's own expiry.
const VERIFIED_TTL_MS = 60_000;
const VERIFIED_MAX_ENTRIES = 10_000;

function createVerifiedTokenCache() {
  const entries = new Map<string, { principal: Principal; until: number }>();
  return {
    get(token: string): Principal | undefined {
      const entry = entries.get(token);
      if (entry === undefined) return undefined;
      if (Date.now() >= entry.until) {
        entries.delete(token);
        return undefined;
      }
      return entry.principal;
    },
    set(token: string, principal: Principal, expiresAtMs: number): void {
      const until = Math.min(Date.now() + VERIFIED_TTL_MS, expiresAtMs);
      if (until <= Date.now()) return;
      if (entries.size >= VERIFIED_MAX_ENTRIES) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
      entries.set(token, { principal, until });
    },
  };
}

function principalFromClaims(payload: JWTPayload): Principal {
  const org = payload["org"];
  if (typeof org !== "string" || org.trim() === "") {
    throw new ConnectError("bearer token has no org claim", Code.Unauthenticated);
  }
  // The org claim scopes every query and the subject is recorded in audit
  // records: a control character (NUL cannot even be stored by PostgreSQL) or
  // an absurd length is refused here, once, for every RPC.
  checkClaimText("org", org);
  if (payload.sub !== undefined) checkClaimText("sub", payload.sub);
  const scope = payload["scope"];
  if (scope !== undefined && typeof scope !== "string") {
    throw new ConnectError("bearer token scope claim must be a space-separated string", Code.Unauthenticated);
  }
  return {
    subject: payload.sub ?? "",
    orgId: org,
    scopes: new Set((scope ?? "").split(" ").filter((s) => s !== "")),
  };
}

const MAX_CLAIM_LENGTH = 256;

function checkClaimText(claim: string, value: string): void {
  // eslint-disable-next-line no-control-regex -- control characters are what this check refuses
  if (/[\u0000-\u001f\u007f]/.test(value) || value.length > MAX_CLAIM_LENGTH) {
    // INVALID_ARGUMENT, like any other string of a request that no service can use.
    throw new ConnectError(`bearer token claim "${claim}" must be at most ${MAX_CLAIM_LENGTH} characters without control characters`, Code.InvalidArgument);
  }
}

function toConnectError(error: unknown): ConnectError {
  // jose reports a JWKS endpoint that fails, answers non-200 or sends garbage
  // as a generic JOSEError: an identity-provider outage, not a bad token.
  if (
    error instanceof errors.JWKSTimeout ||
    (error instanceof errors.JOSEError && error.code === "ERR_JOSE_GENERIC" && /fetch|network|Expected 200 OK|JSON Web Key Set/i.test(error.message))
  ) {
    return new ConnectError("token keys (JWKS) are unreachable", Code.Unavailable, undefined, undefined, error);
  }
  if (error instanceof errors.JWTExpired) {
    return new ConnectError("bearer token has expired", Code.Unauthenticated);
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    return new ConnectError(`bearer token claim "${error.claim}" is invalid: ${error.reason}`, Code.Unauthenticated);
  }
  if (error instanceof errors.JOSEError) {
    return new ConnectError(`bearer token rejected (${error.code})`, Code.Unauthenticated);
  }
  if (error instanceof TypeError) {
    // fetch() of the JWKS URL failed (refused, DNS, TLS).
    return new ConnectError("token keys (JWKS) are unreachable", Code.Unavailable, undefined, undefined, error);
  }
  return new ConnectError("bearer token rejected", Code.Unauthenticated);
}
