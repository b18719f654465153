import { SignJWT } from "jose";

/** Claims of a development token. */
export interface DevTokenClaims {
  subject: string;
  orgId: string;
  scopes: readonly string[];
  /** Lifetime, e.g. "12h"; defaults to 7 days. */
  expiresIn?: string;
}

/**
 * signDevToken mints an HS256 token with the development secret, the kind
 * `npm start` prints and tests use. Never used with a JWKS configuration.
 */
export async function signDevToken(secret: string, claims: DevTokenClaims): Promise<string> {
  return new SignJWT({ org: claims.orgId, scope: claims.scopes.join(" ") })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(claims.subject)
    .setIssuedAt()
    .setExpirationTime(claims.expiresIn ?? "7d")
    .sign(new TextEncoder().encode(secret));
}
