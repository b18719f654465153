import { randomUUID } from "node:crypto";
import { bearer, sendJson, startFakeServer, type FakeControls } from "./fake-server-kit.js";

/** A local Entra ID token endpoint + ARM subscription read, answering as reference §3 documents. */
export interface FakeAzure extends FakeControls {
  /** Registers app `clientId` with `secret` in `tenantId` (creating the tenant); `expired` makes the secret AADSTS7000222. */
  addApp(tenantId: string, clientId: string, secret: string, opts?: { expired?: boolean }): void;
  /** Registers a subscription in `tenantId`; `readers` are the client ids with a role on it. */
  addSubscription(subscriptionId: string, opts: { tenantId: string; displayName: string; readers: string[] }): void;
}

const TRACE = "0000aaaa-11bb-cccc-dd22-eeeeee333333";
const CORRELATION = "aaaa0000-bb11-2222-33cc-444444dddddd";

function tokenError(error: string, code: number, description: string): Record<string, unknown> {
  // All seven fields, as MSAL expects (§3.5); description uses \r\n separators like the real service.
  return {
    error,
    error_description: `AADSTS${code}: ${description}\r\nTrace ID: ${TRACE}\r\nCorrelation ID: ${CORRELATION}\r\nTimestamp: 2026-01-01 12:00:00Z`,
    error_codes: [code],
    timestamp: "2026-01-01 12:00:00Z",
    trace_id: TRACE,
    correlation_id: CORRELATION,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  };
}

/** Starts the fake; point both `azureLogin` and `azureManagement` at `url`. */
export async function startFakeAzure(): Promise<FakeAzure> {
  const tenants = new Map<string, Map<string, { secret: string; expired: boolean }>>();
  const subscriptions = new Map<string, { tenantId: string; displayName: string; readers: string[] }>();
  const tokens = new Map<string, { tenantId: string; clientId: string }>();

  const controls = await startFakeServer({
    failureBody: (status) =>
      status === 429
        ? { error: { code: "TooManyRequests", message: "The request is being throttled." } }
        : { error: { code: "InternalServerError", message: "Encountered internal server error." } },
    handle(req, body, res) {
      const url = new URL(req.url ?? "/", "http://x");
      const tokenRoute = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(url.pathname);
      if (tokenRoute && req.method === "POST") {
        const tenantId = decodeURIComponent(tokenRoute[1] ?? "");
        const form = new URLSearchParams(body);
        const clientId = form.get("client_id") ?? "";
        const apps = tenants.get(tenantId);
        if (!apps) {
          return sendJson(
            res,
            400,
            tokenError(
              "invalid_request",
              90002,
              `Tenant '${tenantId}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
            ),
          );
        }
        const app = apps.get(clientId);
        if (!app) {
          return sendJson(
            res,
            400,
            tokenError("unauthorized_client", 700016, `Application with identifier '${clientId}' was not found in the directory '${tenantId}'.`),
          );
        }
        if (form.get("client_secret") !== app.secret) {
          return sendJson(
            res,
            401,
            tokenError(
              "invalid_client",
              7000215,
              `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
            ),
          );
        }
        if (app.expired) {
          return sendJson(res, 401, tokenError("invalid_client", 7000222, `The provided client secret keys for app '${clientId}' are expired.`));
        }
        const accessToken = `eyJ.fake.${randomUUID()}`;
        tokens.set(accessToken, { tenantId, clientId });
        return sendJson(res, 200, { token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token: accessToken });
      }
      const subRoute = /^\/subscriptions\/([^/]+)$/.exec(url.pathname);
      if (subRoute && req.method === "GET") {
        if (!url.searchParams.get("api-version")) {
          return sendJson(res, 400, {
            error: { code: "MissingApiVersionParameter", message: "The api-version query parameter (?api-version=) is required for all requests." },
          });
        }
        const subscriptionId = decodeURIComponent(subRoute[1] ?? "");
        const who = tokens.get(bearer(req) ?? "");
        if (!who)
          return sendJson(
            res,
            401,
            { error: { code: "InvalidAuthenticationToken", message: "The access token is invalid." } },
            { "www-authenticate": 'Bearer error="invalid_token"' },
          );
        const sub = subscriptions.get(subscriptionId);
        if (!sub) return sendJson(res, 404, { error: { code: "SubscriptionNotFound", message: `The subscription '${subscriptionId}' could not be found.` } });
        if (sub.tenantId !== who.tenantId) {
          return sendJson(res, 401, {
            error: {
              code: "InvalidAuthenticationTokenTenant",
              message: `The access token is from the wrong issuer 'https://sts.windows.net/${who.tenantId}/'.`,
            },
          });
        }
        if (!sub.readers.includes(who.clientId)) {
          return sendJson(res, 403, {
            error: {
              code: "AuthorizationFailed",
              message: `The client '${who.clientId}' with object id '${who.clientId}' does not have authorization to perform action 'Microsoft.Resources/subscriptions/read' over scope '/subscriptions/${subscriptionId}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
            },
          });
        }
        return sendJson(res, 200, {
          id: `/subscriptions/${subscriptionId}`,
          subscriptionId,
          tenantId: sub.tenantId,
          displayName: sub.displayName,
          state: "Enabled",
          subscriptionPolicies: { locationPlacementId: "Public_2014-09-01", quotaId: "PayAsYouGo_2014-09-01", spendingLimit: "Off" },
          authorizationSource: "RoleBased",
          managedByTenants: [],
          tags: {},
        });
      }
      return sendJson(res, 404, {});
    },
  });
  return Object.assign(controls, {
    addApp(tenantId: string, clientId: string, secret: string, opts: { expired?: boolean } = {}) {
      const apps = tenants.get(tenantId) ?? new Map<string, { secret: string; expired: boolean }>();
      apps.set(clientId, { secret, expired: opts.expired ?? false });
      tenants.set(tenantId, apps);
    },
    addSubscription(subscriptionId: string, opts: { tenantId: string; displayName: string; readers: string[] }) {
      subscriptions.set(subscriptionId, { ...opts });
    },
  });
}
