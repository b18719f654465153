import { asObject, httpCall, str, type HttpLimits } from "./http-call.js";
import { parseProviderDate } from "./lifetime-dates.js";
import type { CredentialLifetime } from "./provider-check.js";

/**
 * readGcpKeyDates reads a service-account key's validity window with the key
 * itself: IAM `projects.serviceAccounts.keys.get`
 * (`GET {iam}/v1/projects/{project}/serviceAccounts/{email}/keys/{keyId}`)
 * with the access token the key just obtained. `validAfterTime` is the
 * creation, `validBeforeTime` the expiry (absent for keys that never expire;
 * Google reports 9999-12-31 for those, which counts as none).
 *
 * The call needs `iam.serviceAccountKeys.get`, which a deploy account often
 * lacks: a refusal or any other failure gives `unavailableReason` only.
 * Never throws; never quotes the token or the key.
 */
export async function readGcpKeyDates(
  iamUrl: string,
  key: { projectId: string; clientEmail: string; privateKeyId: string },
  accessToken: string,
  limits: HttpLimits,
): Promise<CredentialLifetime> {
  const path = `projects/${encodeURIComponent(key.projectId)}/serviceAccounts/${encodeURIComponent(key.clientEmail)}/keys/${encodeURIComponent(key.privateKeyId)}`;
  const call = await httpCall(
    "Google IAM",
    { method: "GET", url: `${iamUrl.replace(/\/+$/, "")}/v1/${path}`, headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" } },
    limits,
  );
  if (!call.ok) return { unavailableReason: "Google IAM did not answer the key read" };
  const answer = call.answer;
  const body = asObject(answer.json);
  if (answer.status !== 200) {
    const status = str(asObject(body?.["error"]), "status");
    return {
      unavailableReason: `Google IAM refused to read key ${key.privateKeyId} (HTTP ${answer.status}${status ? ` ${status.slice(0, 40)}` : ""}); the service account needs iam.serviceAccountKeys.get to read its key's dates`,
    };
  }
  const createTime = parseProviderDate(body?.["validAfterTime"]);
  const expireTime = parseProviderDate(body?.["validBeforeTime"]);
  if (createTime === undefined && expireTime === undefined) return { unavailableReason: "Google IAM returned a key without readable dates" };
  return { ...(createTime ? { createTime } : {}), ...(expireTime ? { expireTime } : {}) };
}
