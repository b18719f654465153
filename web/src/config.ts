/** How the console signs people in beyond development. */
export interface OidcConfig {
  /** The issuer the services trust (their AUTH_ISSUER / AUTH_JWKS_URL). */
  readonly issuer: string;
  /** The console's public client id at the issuer (no secret: PKCE). */
  readonly clientId: string;
  /** Scopes to ask for; the access token's `scope` claim must carry the services' scopes. */
  readonly scope: string;
  /** Resource indicator (RFC 8707) naming the services' audience, if the issuer wants one. */
  readonly resource: string | undefined;
}

/** What the console is told at start. */
export interface ConsoleConfig {
  readonly oidc: OidcConfig | undefined;
}

/**
 * loadConsoleConfig reads `/config.json` (served by `npm start` from its
 * CONSOLE_OIDC_* settings, or a file beside index.html when the console is
 * deployed alone), falling back to the VITE_OIDC_* values of the build.
 */
export async function loadConsoleConfig(fetchImpl: typeof fetch = fetch): Promise<ConsoleConfig> {
  let served: Record<string, unknown> = {};
  try {
    const res = await fetchImpl("/config.json", { headers: { accept: "application/json" } });
    if (res.ok && (res.headers.get("content-type") ?? "").includes("json")) served = (await res.json()) as Record<string, unknown>;
  } catch {
    // No config: development sign-in only.
  }
  const text = (key: string, env: string): string | undefined => {
    const value = served[key] ?? (import.meta.env[env] as unknown);
    return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
  };
  const issuer = text("oidcIssuer", "VITE_OIDC_ISSUER");
  const clientId = text("oidcClientId", "VITE_OIDC_CLIENT_ID");
  return {
    oidc:
      issuer !== undefined && clientId !== undefined
        ? { issuer, clientId, scope: text("oidcScope", "VITE_OIDC_SCOPE") ?? "openid", resource: text("oidcResource", "VITE_OIDC_RESOURCE") }
        : undefined,
  };
}
