/**
 * The signed-in session: a bearer token kept in the tab's sessionStorage only
 * (gone when the tab closes, never in localStorage, cookies or the URL).
 */
const TOKEN_KEY = "planton.token";

/**
 * takeTokenFromFragment moves a development sign-in token from the URL
 * fragment (`/#token=...`, which browsers never send to a server) into
 * sessionStorage and removes it from the address bar and history at once.
 * Returns whether a token was taken.
 */
export function takeTokenFromFragment(location: Location, history: History, storage: Storage): boolean {
  if (!location.hash.startsWith("#")) return false;
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get("token");
  if (token === null) return false;
  // Replace first: even if storage throws, the token leaves the URL.
  history.replaceState(history.state, "", `${location.pathname}${location.search}`);
  if (token.trim() === "") return false;
  storage.setItem(TOKEN_KEY, token.trim());
  return true;
}

/** readToken returns the session's bearer token, if signed in. */
export function readToken(storage: Storage): string | undefined {
  return storage.getItem(TOKEN_KEY) ?? undefined;
}

/** saveToken stores a token a person pasted into the sign-in form. */
export function saveToken(storage: Storage, token: string): void {
  storage.setItem(TOKEN_KEY, token.trim());
}

/** clearToken signs out of this tab. */
export function clearToken(storage: Storage): void {
  storage.removeItem(TOKEN_KEY);
}

/**
 * tokenOrganization reads the `org` claim of a JWT for display only (the
 * server takes the organization from the verified token, never from us).
 */
export function tokenOrganization(token: string): string | undefined {
  const payload = token.split(".")[1];
  if (payload === undefined) return undefined;
  try {
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const claims = JSON.parse(json) as { org?: unknown };
    return typeof claims.org === "string" ? claims.org : undefined;
  } catch {
    return undefined;
  }
}
