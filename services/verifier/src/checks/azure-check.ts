import { azurePermissionsStep } from "../permissions/azure-permissions.js";
import { readAzureSecretDates } from "./azure-secret-dates.js";
import type { CheckResult, ProviderCheck } from "./provider-check.js";
import { asObject, httpCall, isHeaderSafe, isTransientStatus, malformed, str, transientForStatus, type HttpAnswer } from "./http-call.js";

const PROVIDER = "Azure";
const ARM_SCOPE = "https://management.azure.com/.default";
const ARM_API_VERSION = "2022-12-01";

/**
 * checkAzure proves an Azure service principal (client id + client secret)
 * against Entra ID and ARM: a client-credentials token request to
 * `{azureLogin}/{tenant_id}/oauth2/v2.0/token`, then
 * `GET {azureManagement}/subscriptions/{subscription_id}?api-version=2022-12-01`.
 *
 * - verified: identity = the subscription's `displayName` (else its id);
 *   lifetime = the client secret's start and end dates from Microsoft Graph
 *   when `endpoints.azureGraph` is set (see {@link readAzureSecretDates});
 *   with `checkPermissions`, what the principal may do per resource family
 *   (see {@link azurePermissionsStep}).
 * - failed: INVALID_CREDENTIALS (AADSTS7000215), EXPIRED (AADSTS7000222),
 *   APPLICATION_NOT_FOUND (AADSTS700016), TENANT_NOT_FOUND (AADSTS90002 /
 *   900023), INSUFFICIENT_PERMISSIONS (ARM 403 AuthorizationFailed),
 *   SUBSCRIPTION_NOT_FOUND (ARM 404 SubscriptionNotFound), TENANT_MISMATCH
 *   (ARM 401 InvalidAuthenticationTokenTenant), PROVIDER_ERROR (any other 4xx).
 * - transient: 429, 5xx, timeouts, network errors, malformed bodies,
 *   `temporarily_unavailable`, and a freshly issued token that ARM rejects.
 *
 * Throws only when `spec` is not an Azure service-principal spec.
 */
export const checkAzure: ProviderCheck = async (spec, options) => {
  if (spec.provider.case !== "azure") throw new Error(`checkAzure: spec provider is ${spec.provider.case ?? "unset"}, not azure`);
  const azure = spec.provider.value;
  if (azure.auth.case !== "servicePrincipal") throw new Error(`checkAzure: auth is ${azure.auth.case ?? "unset"}, not servicePrincipal`);
  const { clientId, clientSecret } = azure.auth.value;
  const { tenantId, subscriptionId } = azure;
  if (!tenantId || !subscriptionId || !clientId || !clientSecret) {
    throw new Error("checkAzure: tenant_id, subscription_id, client_id and client_secret are required");
  }
  const limits = options.signal ? { timeoutMs: options.timeoutMs, signal: options.signal } : { timeoutMs: options.timeoutMs };

  // Step 1: the token. Sent as a form body (not Basic auth) because that is
  // what the SDKs send and what the error table in the reference is built on.
  const form = new URLSearchParams({ client_id: clientId, client_secret: clientSecret, scope: ARM_SCOPE, grant_type: "client_credentials" });
  const tokenCall = await httpCall(
    PROVIDER,
    {
      method: "POST",
      url: `${trimSlash(options.endpoints.azureLogin)}/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`,
      headers: { "content-type": "application/x-www-form-urlencoded;charset=utf-8", accept: "application/json" },
      body: form.toString(),
    },
    limits,
  );
  if (!tokenCall.ok) return tokenCall.transient;
  const token = tokenCall.answer;
  if (token.status !== 200) return tokenFailure(token, { tenantId, clientId });
  const accessToken = str(asObject(token.json), "access_token");
  // An access token is sent back as a header; one we can't send is as good as malformed.
  if (!accessToken || !isHeaderSafe(accessToken)) return malformed("Microsoft Entra ID", "token response");

  // Step 2: read the subscription. This proves the token works against ARM
  // and that the principal has at least Reader there.
  const armCall = await httpCall(
    PROVIDER,
    {
      method: "GET",
      url: `${trimSlash(options.endpoints.azureManagement)}/subscriptions/${encodeURIComponent(subscriptionId)}?api-version=${ARM_API_VERSION}`,
      headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" },
    },
    limits,
  );
  if (!armCall.ok) return armCall.transient;
  const arm = armCall.answer;
  if (arm.status === 200) {
    const body = asObject(arm.json);
    const identity = str(body, "displayName") || str(body, "subscriptionId") || str(body, "id");
    if (!identity) return malformed("Azure Resource Manager", "subscription response");
    const permissions = await azurePermissionsStep({ subscriptionId, clientId }, accessToken, options);
    const graph = options.endpoints.azureGraph;
    if (!graph) return { kind: "verified", identity, ...permissions };
    const lifetime = await readAzureSecretDates(graph, options.endpoints.azureLogin, { tenantId, clientId }, clientSecret, limits);
    return { kind: "verified", identity, lifetime, ...permissions };
  }
  return armFailure(arm, { tenantId, subscriptionId, clientId });
};

/** Maps a non-200 token-endpoint answer; branches on `error_codes` / AADSTS, never on description text. */
function tokenFailure(answer: HttpAnswer, ids: { tenantId: string; clientId: string }): CheckResult {
  const body = asObject(answer.json);
  const error = str(body, "error");
  const code = aadstsCode(body);
  if (isTransientStatus(answer.status) || code === 90055 || error === "temporarily_unavailable") return transientForStatus("Microsoft Entra ID", answer);
  switch (code) {
    case 7000215:
      return failed("INVALID_CREDENTIALS", `The client secret for app ${ids.clientId} is wrong. Make sure you copied the secret VALUE, not the secret ID.`);
    case 7000222:
      return failed("EXPIRED", `The client secret for app ${ids.clientId} has expired. Create a new one in App registrations → Certificates & secrets.`);
    case 700016:
      return failed("APPLICATION_NOT_FOUND", `No app with client ID ${ids.clientId} exists in tenant ${ids.tenantId}. Check the client ID and the tenant ID.`);
    case 90002:
      return failed("TENANT_NOT_FOUND", `Tenant ${ids.tenantId} wasn't found. Check the tenant ID or domain, and the cloud (public, US Gov or China).`);
    case 900023:
      return failed("TENANT_NOT_FOUND", `Tenant ID ${ids.tenantId} is malformed. It must be a GUID or a verified domain.`);
    default:
      break;
  }
  if (error === undefined) {
    // Not an OAuth error body (e.g. 404 {} from a wrong login host): we can't
    // tell what happened, so don't blame the credential.
    return malformed("Microsoft Entra ID", `HTTP ${answer.status} answer`);
  }
  if (error === "invalid_client" || answer.status === 401) {
    return failed(
      "INVALID_CREDENTIALS",
      `Microsoft Entra ID rejected the client credentials for app ${ids.clientId} (${error}${code ? `, AADSTS${code}` : ""}).`,
    );
  }
  return failed("PROVIDER_ERROR", `Microsoft Entra ID refused the token request (${error}${code ? `, AADSTS${code}` : ""}, HTTP ${answer.status}).`);
}

/** Maps a non-200 ARM answer by its CloudError `error.code`. */
function armFailure(answer: HttpAnswer, ids: { tenantId: string; subscriptionId: string; clientId: string }): CheckResult {
  if (isTransientStatus(answer.status)) return transientForStatus("Azure Resource Manager", answer);
  const error = asObject(asObject(answer.json)?.["error"]);
  const code = str(error, "code");
  if (code === undefined) return malformed("Azure Resource Manager", `HTTP ${answer.status} answer`);
  if (answer.status === 403 || code === "AuthorizationFailed") {
    // The credential itself works; only the role is missing (reference §3.3).
    return failed(
      "INSUFFICIENT_PERMISSIONS",
      `The credential works, but app ${ids.clientId} has no role on subscription ${ids.subscriptionId}. Grant the app Reader (or higher) on the subscription.`,
    );
  }
  if (code === "SubscriptionNotFound" || answer.status === 404) {
    return failed(
      "SUBSCRIPTION_NOT_FOUND",
      `Subscription ${ids.subscriptionId} doesn't exist, or it belongs to a different tenant or cloud than tenant ${ids.tenantId}.`,
    );
  }
  if (code === "InvalidAuthenticationTokenTenant") {
    return failed(
      "TENANT_MISMATCH",
      `Subscription ${ids.subscriptionId} belongs to a different tenant than ${ids.tenantId}. Use that subscription's tenant ID.`,
    );
  }
  if (answer.status === 401) {
    // A token Entra just issued being rejected is ARM's problem (or clock), not the user's.
    return {
      kind: "transient",
      reason: "TOKEN_REJECTED",
      message: `Azure Resource Manager rejected a freshly issued access token (${code}). Try again later.`,
    };
  }
  return failed("PROVIDER_ERROR", `Azure Resource Manager refused to read subscription ${ids.subscriptionId} (${code}, HTTP ${answer.status}).`);
}

function aadstsCode(body: Record<string, unknown> | undefined): number | undefined {
  const codes = body?.["error_codes"];
  if (Array.isArray(codes) && typeof codes[0] === "number") return codes[0];
  const match = /AADSTS(\d+)/.exec(str(body, "error_description") ?? "");
  return match?.[1] !== undefined ? Number(match[1]) : undefined;
}

function failed(reason: string, message: string): CheckResult {
  return { kind: "failed", reason, message };
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}
