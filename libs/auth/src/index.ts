export type { AccessPolicy, AccessRule } from "./access-rule.js";
export { createAuthInterceptor } from "./auth-interceptor.js";
export type { AuthInterceptorOptions } from "./auth-interceptor.js";
export { signDevToken } from "./dev-token.js";
export type { DevTokenClaims } from "./dev-token.js";
export { principalKey, requirePrincipal, Scopes } from "./principal.js";
export type { Principal } from "./principal.js";
export { createTokenVerifier } from "./token-verifier.js";
export type { TokenVerifier, TokenVerifierOptions } from "./token-verifier.js";
