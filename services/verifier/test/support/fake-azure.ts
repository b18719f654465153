import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { bearer, sendJson, startFakeServer, type FakeControls } from "./fake-server-kit.js";

/**
 * A client secret as Microsoft Graph lists it on the application
 * (passwordCredential resource): `hint` is the first three characters of the
 * secret value; the value itself (secretText) is never returned after creation.
 */
export interface FakePasswordCredential {
  readonly keyId: string;
  readonly displayName: string;
  readonly hint: string;
  readonly startDateTime: string;
  readonly endDateTime: string;
}

/**
 * A local Entra ID token endpoint + ARM subscription read, answering as
 * reference §3 documents, and Microsoft Graph's `GET
 * /v1.0/applications(appId='{appId}')` (the application's
 * passwordCredentials), which needs a token issued for the Graph scope and an
 * app allowed to read applications (Application.Read.All), else 403
 * Authorization_RequestDenied. And ARM's `GET
 * /subscriptions/{id}/providers/Microsoft.Authorization/permissions?api-version=2022-04-01`
 * (the Permission list Azure's authorization REST API returns for a
 * scope): `{"value":[{actions, notActions,
 * dataActions, notDataActions}], "nextLink"?}`, 400
 * MissingApiVersionParameter, 401 InvalidAuthenticationToken, 404
 * SubscriptionNotFound, 403 AuthorizationFailed.
 */
export interface FakeAzure extends FakeControls {
  /**
   * Registers app `clientId` with `secret` in `tenantId` (creating the
   * tenant); `expired` makes the secret AADSTS7000222. `secretDates` are the
   * start and end of that secret as Graph lists it (default: now, in two
   * years); `otherSecrets` are further secrets of the app; `mayReadApplication`
   * grants it Application.Read.All.
   */
  addApp(
    tenantId: string,
    clientId: string,
    secret: string,
    opts?: { expired?: boolean; secretDates?: { start: string; end: string }; otherSecrets?: FakePasswordCredential[]; mayReadApplication?: boolean },
  ): void;
  /** Registers a subscription in `tenantId`; `readers` are the client ids with a role on it. */
  addSubscription(subscriptionId: string, opts: { tenantId: string; displayName: string; readers: string[] }): void;
  /**
   * Sets what app `clientId` may do on the subscription, as the permissions
   * API lists it (one entry per role assignment); `mayList: false` makes the
   * list 403 AuthorizationFailed (a custom role without reads).
   */
  setPermissions(subscriptionId: string, clientId: string, permissions: readonly FakeAzurePermission[], opts?: { mayList?: boolean }): void;
  /** At most this many permissions per page; the rest follow through `nextLink`. */
  setPermissionsPageSize(size: number): void;
}

/** One entry of `GET …/providers/Microsoft.Authorization/permissions` (the Permission object). */
export interface FakeAzurePermission {
  readonly actions: readonly string[];
  readonly notActions: readonly string[];
  readonly dataActions?: readonly string[];
  readonly notDataActions?: readonly string[];
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
  type App = { secret: string; expired: boolean; credentials: FakePasswordCredential[]; mayReadApplication: boolean };
  const tenants = new Map<string, Map<string, App>>();
  const subscriptions = new Map<string, { tenantId: string; displayName: string; readers: string[] }>();
  const tokens = new Map<string, { tenantId: string; clientId: string; audience: "arm" | "graph" }>();
  const permissions = new Map<string, { list: readonly FakeAzurePermission[]; mayList: boolean }>();
  let permissionsPageSize = 100;

  // What every ARM read checks first, answering as ARM does when it fails:
  // the api-version, an ARM token, the subscription, the token's tenant.
  const armCaller = (req: IncomingMessage, res: ServerResponse, url: URL, subscriptionId: string) => {
    if (!url.searchParams.get("api-version")) {
      sendJson(res, 400, {
        error: { code: "MissingApiVersionParameter", message: "The api-version query parameter (?api-version=) is required for all requests." },
      });
      return undefined;
    }
    const who = tokens.get(bearer(req) ?? "");
    if (!who || who.audience !== "arm") {
      sendJson(
        res,
        401,
        { error: { code: "InvalidAuthenticationToken", message: "The access token is invalid." } },
        { "www-authenticate": 'Bearer error="invalid_token"' },
      );
      return undefined;
    }
    const sub = subscriptions.get(subscriptionId);
    if (!sub) {
      sendJson(res, 404, { error: { code: "SubscriptionNotFound", message: `The subscription '${subscriptionId}' could not be found.` } });
      return undefined;
    }
    if (sub.tenantId !== who.tenantId) {
      sendJson(res, 401, {
        error: { code: "InvalidAuthenticationTokenTenant", message: `The access token is from the wrong issuer 'https://sts.windows.net/${who.tenantId}/'.` },
      });
      return undefined;
    }
    return { who, sub };
  };

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
        // The scope decides the token's audience; each API accepts only its own.
        tokens.set(accessToken, { tenantId, clientId, audience: (form.get("scope") ?? "").startsWith("https://graph.microsoft.com/") ? "graph" : "arm" });
        return sendJson(res, 200, { token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token: accessToken });
      }
      const permissionsRoute = /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.Authorization\/permissions$/i.exec(url.pathname);
      if (permissionsRoute && req.method === "GET") {
        const subscriptionId = decodeURIComponent(permissionsRoute[1] ?? "");
        const caller = armCaller(req, res, url, subscriptionId);
        if (!caller) return;
        const { who, sub } = caller;
        const granted = permissions.get(`${subscriptionId}/${who.clientId}`);
        if (!sub.readers.includes(who.clientId) || granted?.mayList === false) {
          return sendJson(res, 403, {
            error: {
              code: "AuthorizationFailed",
              message: `The client '${who.clientId}' with object id '${who.clientId}' does not have authorization to perform action 'Microsoft.Authorization/permissions/read' over scope '/subscriptions/${subscriptionId}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
            },
          });
        }
        const all = (granted?.list ?? []).map((p) => ({
          actions: p.actions,
          notActions: p.notActions,
          dataActions: p.dataActions ?? [],
          notDataActions: p.notDataActions ?? [],
        }));
        const skip = Number(url.searchParams.get("$skiptoken") ?? "0");
        const page = all.slice(skip, skip + permissionsPageSize);
        const more = skip + permissionsPageSize < all.length;
        const next = new URL(url.toString());
        next.searchParams.set("$skiptoken", String(skip + permissionsPageSize));
        return sendJson(res, 200, { value: page, ...(more ? { nextLink: `http://${req.headers.host ?? ""}${next.pathname}${next.search}` } : {}) });
      }
      const subRoute = /^\/subscriptions\/([^/]+)$/.exec(url.pathname);
      if (subRoute && req.method === "GET") {
        const subscriptionId = decodeURIComponent(subRoute[1] ?? "");
        const caller = armCaller(req, res, url, subscriptionId);
        if (!caller) return;
        const { who, sub } = caller;
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
      const appRoute = /^\/v1\.0\/applications\(appId='([^']+)'\)$/.exec(decodeURIComponent(url.pathname));
      if (appRoute && req.method === "GET") {
        const who = tokens.get(bearer(req) ?? "");
        const innerError = { date: new Date().toISOString().replace(/\.\d{3}Z$/, ""), "request-id": randomUUID(), "client-request-id": randomUUID() };
        if (!who || who.audience !== "graph") {
          return sendJson(res, 401, {
            error: { code: "InvalidAuthenticationToken", message: "Access token validation failure. Invalid audience.", innerError },
          });
        }
        const app = tenants.get(who.tenantId)?.get(appRoute[1] ?? "");
        const caller = tenants.get(who.tenantId)?.get(who.clientId);
        if (!caller?.mayReadApplication) {
          return sendJson(res, 403, {
            error: { code: "Authorization_RequestDenied", message: "Insufficient privileges to complete the operation.", innerError },
          });
        }
        if (!app) {
          return sendJson(res, 404, {
            error: {
              code: "Request_ResourceNotFound",
              message: `Resource '${appRoute[1] ?? ""}' does not exist or one of its queried reference-property objects are not present.`,
              innerError,
            },
          });
        }
        const passwordCredentials = app.credentials.map((c) => ({ customKeyIdentifier: null, secretText: null, ...c }));
        const select = url.searchParams.get("$select");
        return sendJson(res, 200, {
          "@odata.context": `https://graph.microsoft.com/v1.0/$metadata#applications(${select ?? "$entity"})/$entity`,
          ...(select === null ? { id: randomUUID(), appId: appRoute[1], displayName: "app" } : {}),
          passwordCredentials,
        });
      }
      return sendJson(res, 404, {});
    },
  });
  return Object.assign(controls, {
    addApp(
      tenantId: string,
      clientId: string,
      secret: string,
      opts: { expired?: boolean; secretDates?: { start: string; end: string }; otherSecrets?: FakePasswordCredential[]; mayReadApplication?: boolean } = {},
    ) {
      const apps = tenants.get(tenantId) ?? new Map<string, App>();
      const start = opts.secretDates?.start ?? new Date().toISOString();
      const end = opts.secretDates?.end ?? new Date(Date.now() + 2 * 365 * 86_400_000).toISOString();
      apps.set(clientId, {
        secret,
        expired: opts.expired ?? false,
        credentials: [
          { keyId: randomUUID(), displayName: "planton", hint: secret.slice(0, 3), startDateTime: start, endDateTime: end },
          ...(opts.otherSecrets ?? []),
        ],
        mayReadApplication: opts.mayReadApplication ?? false,
      });
      tenants.set(tenantId, apps);
    },
    addSubscription(subscriptionId: string, opts: { tenantId: string; displayName: string; readers: string[] }) {
      subscriptions.set(subscriptionId, { ...opts });
    },
    setPermissions(subscriptionId: string, clientId: string, list: readonly FakeAzurePermission[], opts: { mayList?: boolean } = {}) {
      permissions.set(`${subscriptionId}/${clientId}`, { list, mayList: opts.mayList ?? true });
    },
    setPermissionsPageSize(size: number) {
      permissionsPageSize = size;
    },
  });
}
