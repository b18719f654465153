import type { ServerResponse } from "node:http";
import { bearer, sendJson, startFakeServer, type FakeControls } from "./fake-server-kit.js";

/** A local Cloudflare token-verify and legacy `/user` API, answering as reference §6 documents. */
export interface FakeCloudflare extends FakeControls {
  /** Registers an API token; `accountId` makes it account-owned (verifiable only on that account's route). */
  addToken(token: string, opts: { id: string; status?: "active" | "disabled" | "expired"; accountId?: string; notBefore?: string; expiresOn?: string }): void;
  /** Registers a Global API Key for `email`. */
  addLegacyKey(email: string, key: string): void;
}

function envelope(
  res: ServerResponse,
  status: number,
  success: boolean,
  result: unknown,
  errors: { code: number; message: string; error_chain?: unknown[] }[] = [],
  messages: unknown[] = [],
): void {
  sendJson(res, status, { success, errors, messages, result });
}

/** Starts the fake; point `cloudflare` at `url`. */
export async function startFakeCloudflare(): Promise<FakeCloudflare> {
  const tokens = new Map<string, { id: string; status: string; accountId: string | undefined; notBefore?: string; expiresOn?: string }>();
  const legacy = new Map<string, string>();
  const controls = await startFakeServer({
    commonHeaders: () => ({ ratelimit: '"default";r=1199;t=300', "ratelimit-policy": '"burst";q=1200;w=300' }),
    failureBody: (status) =>
      status === 429
        ? { success: false, errors: [{ code: 971, message: "Please wait and consider throttling your request speed" }], messages: [], result: null }
        : { success: false, errors: [{ code: 10001, message: "Internal server error" }], messages: [], result: null },
    handle(req, _body, res) {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      const accountRoute = /^\/client\/v4\/accounts\/([^/]+)\/tokens\/verify$/.exec(path);
      if (path === "/client/v4/user/tokens/verify" || accountRoute) {
        const token = tokens.get(bearer(req) ?? "");
        const wantAccount = accountRoute ? decodeURIComponent(accountRoute[1] ?? "") : undefined;
        // Account tokens only verify on their own account's route; user tokens only on the user route.
        if (!token || token.accountId !== wantAccount) return envelope(res, 401, false, null, [{ code: 1000, message: "Invalid API Token" }]);
        return envelope(
          res,
          200,
          true,
          // not_before and expires_on appear only when the token was created with them.
          {
            id: token.id,
            status: token.status,
            ...(token.notBefore ? { not_before: token.notBefore } : {}),
            ...(token.expiresOn ? { expires_on: token.expiresOn } : {}),
          },
          [],
          [{ code: 10000, message: "This API Token is valid and active", type: null }],
        );
      }
      if (path === "/client/v4/user") {
        const email = req.headers["x-auth-email"];
        const key = req.headers["x-auth-key"];
        if (typeof email !== "string" || typeof key !== "string")
          return envelope(res, 400, false, null, [{ code: 9106, message: "Missing X-Auth-Key, X-Auth-Email or Authorization headers" }]);
        // Format first (400 6003/6103), then value (403 9103), as the real API does.
        if (!/^[0-9a-f]{37}$|^cfk_/.test(key)) {
          return envelope(res, 400, false, null, [
            { code: 6003, message: "Invalid request headers", error_chain: [{ code: 6103, message: "Invalid format for X-Auth-Key header" }] },
          ]);
        }
        if (legacy.get(email) !== key) return envelope(res, 403, false, null, [{ code: 9103, message: "Unknown X-Auth-Key or X-Auth-Email" }]);
        return envelope(res, 200, true, {
          id: "7c5dae5552338874e5053f2534d2767a",
          email,
          first_name: "John",
          last_name: "Appleseed",
          suspended: false,
          organizations: [],
          betas: [],
        });
      }
      return envelope(res, 404, false, null, [{ code: 7003, message: "No route for that URI" }]);
    },
  });
  return Object.assign(controls, {
    addToken(token: string, opts: { id: string; status?: "active" | "disabled" | "expired"; accountId?: string; notBefore?: string; expiresOn?: string }) {
      tokens.set(token, {
        id: opts.id,
        status: opts.status ?? "active",
        accountId: opts.accountId,
        ...(opts.notBefore ? { notBefore: opts.notBefore } : {}),
        ...(opts.expiresOn ? { expiresOn: opts.expiresOn } : {}),
      });
    },
    addLegacyKey(email: string, key: string) {
      legacy.set(email, key);
    },
  });
}
