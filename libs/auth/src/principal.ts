import { Code, ConnectError, createContextKey, type HandlerContext } from "@connectrpc/connect";

/**
 * Principal is the authenticated caller of an RPC, taken from the bearer
 * token and nowhere else. `orgId` scopes every query a service makes on the
 * caller's behalf: request fields never choose the organization.
 */
export interface Principal {
  /** The token's `sub` claim: a user id or a service identity. */
  readonly subject: string;
  /** The token's `org` claim. */
  readonly orgId: string;
  /** The token's space-separated `scope` claim, as a set. */
  readonly scopes: ReadonlySet<string>;
}

/** The scopes this system knows (DESIGN.md, Callers and authentication). */
export const Scopes = {
  connectionsRead: "connections:read",
  connectionsWrite: "connections:write",
  environmentsAdmin: "environments:admin",
  credentialsResolve: "credentials:resolve",
  internal: "internal",
} as const;

/**
 * The scopes a person uses: reading and changing connections, authorizing
 * environments, and resolving credentials (what a developer trying a
 * deployment locally does). Never `internal`, which is for platform services
 * only: it reaches the vault, and with it any organization's credentials.
 */
export const USER_SCOPES: readonly string[] = Object.freeze([
  Scopes.connectionsRead,
  Scopes.connectionsWrite,
  Scopes.environmentsAdmin,
  Scopes.credentialsResolve,
]);

/** Context key under which the auth interceptor stores the {@link Principal}. */
export const principalKey = createContextKey<Principal | undefined>(undefined, {
  description: "authenticated caller",
});

/**
 * requirePrincipal returns the caller of the current RPC. It throws
 * `UNAUTHENTICATED` when the method was reached without authentication, which
 * only happens when a method is wrongly marked public: failing closed is the point.
 */
export function requirePrincipal(context: HandlerContext): Principal {
  const principal = context.values.get(principalKey);
  if (principal === undefined) {
    throw new ConnectError("authentication required", Code.Unauthenticated);
  }
  return principal;
}
