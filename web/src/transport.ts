import { Code, ConnectError, type Interceptor, type Transport } from "@connectrpc/connect";
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

/** Options of {@link createApiTransport}. */
export interface ApiTransportOptions {
  readonly baseUrl: string;
  /** The session's bearer token, read on every call. */
  token(): string | undefined;
  /** Called when the services refuse the token (expired or revoked): the page signs out. */
  onUnauthenticated(): void;
  /** For tests. */
  readonly fetch?: typeof globalThis.fetch;
}

/**
 * createApiTransport is the Connect-Web transport of every call: the Connect
 * protocol over fetch (server streaming included), with the session's bearer
 * token in the Authorization header and nowhere else.
 */
export function createApiTransport(options: ApiTransportOptions): Transport {
  const bearer: Interceptor = (next) => async (request) => {
    const value = options.token();
    if (value !== undefined) request.header.set("Authorization", `Bearer ${value}`);
    try {
      return await next(request);
    } catch (error) {
      if (value !== undefined && error instanceof ConnectError && error.code === Code.Unauthenticated) options.onUnauthenticated();
      throw error;
    }
  };
  return createConnectTransport({ baseUrl: options.baseUrl, interceptors: [bearer], ...(options.fetch !== undefined ? { fetch: options.fetch } : {}) });
}
