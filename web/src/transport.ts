import type { Interceptor, Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";

/**
 * apiBaseUrl is where the services answer: the page's own origin when the
 * console is served by `npm start` (no CORS), or the origin the static build
 * was made for (`VITE_PLANTON_API_URL`, which the services must list in
 * CORS_ORIGINS).
 */
export function apiBaseUrl(): string {
  const configured = import.meta.env["VITE_PLANTON_API_URL"] as string | undefined;
  return configured !== undefined && configured !== "" ? configured.replace(/\/+$/, "") : window.location.origin;
}

/**
 * createApiTransport is the Connect-Web transport of every call: the Connect
 * protocol over fetch (server streaming included), with the session's bearer
 * token in the Authorization header and nowhere else.
 */
export function createApiTransport(baseUrl: string, token: () => string | undefined): Transport {
  const bearer: Interceptor = (next) => (request) => {
    const value = token();
    if (value !== undefined) request.header.set("Authorization", `Bearer ${value}`);
    return next(request);
  };
  return createConnectTransport({ baseUrl, interceptors: [bearer] });
}
