import { bearer, sendJson, startFakeServer, type FakeControls } from "./fake-server-kit.js";

/** A local DigitalOcean `GET /v2/account`, answering as reference §4 documents. */
export interface FakeDigitalOcean extends FakeControls {
  /** Registers `token`; `canReadAccount: false` models a scoped token without account:read (403). */
  addToken(token: string, account: { email: string; uuid?: string; status?: "active" | "warning" | "locked"; canReadAccount?: boolean }): void;
  /** Sets the epoch-seconds `ratelimit-reset` header sent on every response. */
  setRateLimitReset(epochSeconds: number): void;
}

/** Starts the fake; point `digitalocean` at `url`. */
export async function startFakeDigitalOcean(): Promise<FakeDigitalOcean> {
  const tokens = new Map<string, { email: string; uuid: string; status: string; canReadAccount: boolean }>();
  let reset = Math.floor(Date.now() / 1000) + 60;
  const controls = await startFakeServer({
    commonHeaders: () => ({ "ratelimit-limit": "5000", "ratelimit-remaining": "4999", "ratelimit-reset": String(reset), "x-request-id": "fake-request-id" }),
    failureBody: (status) =>
      status === 429 ? { id: "too_many_requests", message: "API rate limit exceeded." } : { id: "server_error", message: "Unexpected server-side error" },
    handle(req, _body, res) {
      if (req.method !== "GET" || new URL(req.url ?? "/", "http://x").pathname !== "/v2/account")
        return sendJson(res, 404, { id: "not_found", message: "The resource you were accessing could not be found." });
      const account = tokens.get(bearer(req) ?? "");
      // The exact 401 body the real API sends (lowercase id, trailing period).
      if (!account) return sendJson(res, 401, { id: "unauthorized", message: "Unable to authenticate you." });
      if (!account.canReadAccount) return sendJson(res, 403, { id: "forbidden", message: "You do not have permission to perform this action." });
      return sendJson(res, 200, {
        account: {
          droplet_limit: 25,
          floating_ip_limit: 5,
          email: account.email,
          name: "Sammy the Shark",
          uuid: account.uuid,
          email_verified: true,
          status: account.status,
          status_message: account.status === "locked" ? "Your account is locked." : " ",
        },
      });
    },
  });
  return Object.assign(controls, {
    addToken(token: string, a: { email: string; uuid?: string; status?: "active" | "warning" | "locked"; canReadAccount?: boolean }) {
      tokens.set(token, {
        email: a.email,
        uuid: a.uuid ?? "b6fr89dbf6d9156cace5f3c78dc9851d957381ef",
        status: a.status ?? "active",
        canReadAccount: a.canReadAccount ?? true,
      });
    },
    setRateLimitReset(epochSeconds: number) {
      reset = epochSeconds;
    },
  });
}
