import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import type { AccessPolicy } from "./access-rule.js";
import { principalKey } from "./principal.js";
import type { TokenVerifier } from "./token-verifier.js";

/** Dependencies of {@link createAuthInterceptor}. */
export interface AuthInterceptorOptions {
  verifier: TokenVerifier;
  policy: AccessPolicy;
}

/**
 * createAuthInterceptor authenticates every call from its `Authorization:
 * Bearer` header and enforces the method's {@link AccessPolicy} before the
 * handler runs. Missing or invalid token: `UNAUTHENTICATED`; missing scope or
 * undeclared method: `PERMISSION_DENIED`. On success the caller's
 * {@link Principal} is in the context values under {@link principalKey}.
 */
export function createAuthInterceptor(options: AuthInterceptorOptions): Interceptor {
  return (next) => async (request) => {
    const rule = options.policy(request.method);
    if (rule === undefined) {
      throw new ConnectError(`no access rule for ${request.method.parent.typeName}/${request.method.name}`, Code.PermissionDenied);
    }
    if ("public" in rule) return next(request);
    const token = bearerToken(request.header.get("authorization"));
    const principal = await options.verifier.verify(token);
    const missing = rule.scopes.filter((scope) => !principal.scopes.has(scope));
    if (missing.length > 0) {
      throw new ConnectError(`missing scope ${missing.map((s) => `"${s}"`).join(", ")} for ${request.method.name}`, Code.PermissionDenied);
    }
    request.contextValues.set(principalKey, principal);
    return next(request);
  };
}

function bearerToken(header: string | null): string {
  if (header === null || header.trim() === "") {
    throw new ConnectError("missing bearer token (Authorization header)", Code.Unauthenticated);
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (match?.[1] === undefined) {
    throw new ConnectError('Authorization header must be "Bearer <token>"', Code.Unauthenticated);
  }
  return match[1];
}
