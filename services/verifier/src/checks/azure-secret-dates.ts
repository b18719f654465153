import { asObject, httpCall, isHeaderSafe, str, type HttpLimits } from "./http-call.js";
import { parseProviderDate } from "./lifetime-dates.js";
import type { CredentialLifetime } from "./provider-check.js";

const GRAPH_SCOPE = "https://graph.microsoft.com/.default";

/**
 * readAzureSecretDates reads the dates of an app's client secret from
 * Microsoft Graph with the secret itself: a client-credentials token for the
 * Graph scope, then `GET {graph}/v1.0/applications(appId='{clientId}')?$select=passwordCredentials`.
 * The secret in use is the passwordCredential whose `hint` (the first three
 * characters of the value, all Graph keeps) matches; when several match, the
 * one expiring first stands (warn early rather than late). Its
 * `startDateTime` is the creation, `endDateTime` the expiry.
 *
 * Reading an application needs a Graph application permission (e.g.
 * Application.Read.All) that many deploy principals lack: a refusal, or any
 * other failure, gives `unavailableReason` and nothing else. Never throws;
 * never quotes the secret or a token.
 */
export async function readAzureSecretDates(
  graphUrl: string,
  loginUrl: string,
  ids: { tenantId: string; clientId: string },
  clientSecret: string,
  limits: HttpLimits,
): Promise<CredentialLifetime> {
  const form = new URLSearchParams({ client_id: ids.clientId, client_secret: clientSecret, scope: GRAPH_SCOPE, grant_type: "client_credentials" });
  const tokenCall = await httpCall(
    "Microsoft Entra ID",
    {
      method: "POST",
      url: `${trim(loginUrl)}/${encodeURIComponent(ids.tenantId)}/oauth2/v2.0/token`,
      headers: { "content-type": "application/x-www-form-urlencoded;charset=utf-8", accept: "application/json" },
      body: form.toString(),
    },
    limits,
  );
  if (!tokenCall.ok) return unavailable("Microsoft Entra ID did not answer the token request for Microsoft Graph");
  const token = tokenCall.answer;
  const accessToken = token.status === 200 ? str(asObject(token.json), "access_token") : undefined;
  if (!accessToken || !isHeaderSafe(accessToken)) {
    const error = str(asObject(token.json), "error");
    return unavailable(`Microsoft Entra ID refused a Microsoft Graph token (HTTP ${token.status}${error ? `, ${error.slice(0, 40)}` : ""})`);
  }
  const appCall = await httpCall(
    "Microsoft Graph",
    {
      method: "GET",
      url: `${trim(graphUrl)}/v1.0/applications(appId='${encodeURIComponent(ids.clientId)}')?$select=passwordCredentials`,
      headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" },
    },
    limits,
  );
  if (!appCall.ok) return unavailable("Microsoft Graph did not answer");
  const app = appCall.answer;
  if (app.status !== 200) {
    const code = str(asObject(asObject(app.json)?.["error"]), "code");
    return unavailable(
      `Microsoft Graph refused to read application ${ids.clientId} (HTTP ${app.status}${code ? ` ${code.slice(0, 60)}` : ""}); the app needs Application.Read.All to read its own secrets' dates`,
    );
  }
  const credentials = asObject(app.json)?.["passwordCredentials"];
  if (!Array.isArray(credentials)) return unavailable("Microsoft Graph returned an application without passwordCredentials");
  const hint = clientSecret.slice(0, 3);
  const matching = credentials
    .map((c) => asObject(c))
    .filter((c) => str(c, "hint") === hint)
    .map((c) => ({ start: parseProviderDate(c?.["startDateTime"]), end: parseProviderDate(c?.["endDateTime"]) }))
    .sort((a, b) => (a.end?.getTime() ?? Number.POSITIVE_INFINITY) - (b.end?.getTime() ?? Number.POSITIVE_INFINITY));
  const secret = matching[0];
  if (secret === undefined) return unavailable(`application ${ids.clientId} lists no client secret beginning like this one`);
  return { ...(secret.start ? { createTime: secret.start } : {}), ...(secret.end ? { expireTime: secret.end } : {}) };
}

function unavailable(reason: string): CredentialLifetime {
  return { unavailableReason: reason };
}

function trim(url: string): string {
  return url.replace(/\/+$/, "");
}
