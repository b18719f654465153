import type { OidcConfig } from "./config.js";

/** The path the issuer redirects back to; the server answers it with index.html. */
export const OIDC_CALLBACK_PATH = "/oidc/callback";

/**
 * userManager builds oidc-client-ts for Authorization Code + PKCE, loaded on
 * demand (it is not part of the first load). The PKCE verifier and state
 * live in this tab's sessionStorage for the round trip; the user (tokens) is
 * kept in memory only: the console keeps just the access token, in the same
 * sessionStorage slot as a development token.
 */
async function userManager(config: OidcConfig) {
  const { UserManager, WebStorageStateStore, InMemoryWebStorage } = await import("oidc-client-ts");
  return new UserManager({
    authority: config.issuer,
    client_id: config.clientId,
    redirect_uri: `${window.location.origin}${OIDC_CALLBACK_PATH}`,
    response_type: "code",
    scope: config.scope,
    ...(config.resource !== undefined ? { resource: config.resource } : {}),
    stateStore: new WebStorageStateStore({ store: window.sessionStorage }),
    userStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }),
    automaticSilentRenew: false,
    loadUserInfo: false,
  });
}

/** startOidcSignIn sends the browser to the issuer's authorization endpoint. */
export async function startOidcSignIn(config: OidcConfig): Promise<void> {
  await (await userManager(config)).signinRedirect();
}

/**
 * completeOidcSignIn exchanges the code in the callback URL (with the PKCE
 * verifier) for tokens and returns the access token for the API.
 */
export async function completeOidcSignIn(config: OidcConfig, url: string): Promise<string> {
  const user = await (await userManager(config)).signinRedirectCallback(url);
  return user.access_token;
}
