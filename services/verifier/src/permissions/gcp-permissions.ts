import { asObject, httpCall, str, type HttpLimits } from "../checks/http-call.js";
import type { CheckOptions } from "../checks/provider-check.js";
import { GCP_FAMILY_CHECKS } from "./gcp-family-permissions.js";
import { notCheckable, verdictOf, type PermissionReport } from "./permission-report.js";
import { permissionReport, refusedReport } from "./permission-warnings.js";

/** Permissions per testIamPermissions request: Google's documented maximum for one call is 100. */
const TEST_PERMISSIONS_BATCH = 100;

/** The service account whose permissions are tested, and the project they are tested on. */
export interface GcpSubject {
  readonly projectId: string;
  readonly clientEmail: string;
}

/**
 * checkGcpPermissions asks Cloud Resource Manager which of
 * {@link GCP_FAMILY_CHECKS}' permissions the key's service account holds on
 * its project: `POST {resourceManagerUrl}/v1/projects/{projectId}:testIamPermissions`
 * with `{"permissions": [...]}` (at most `batch` per request) and the access
 * token the key obtained (scope cloud-platform). The answer's `permissions`
 * is the granted subset (absent: none); the rest are missing. Every family
 * counts as enabled (a key has no selection).
 *
 * Where Google refuses the check, every family is `not_checkable` with the
 * reason (Google's ErrorInfo reason, else its status), never missing:
 * 403 SERVICE_DISABLED (the API is off in the project) and other 403s also
 * give a PERMISSIONS_NOT_CHECKABLE warning with the fix; 400, 401, 404, 429,
 * 5xx, unreadable answers, timeouts and network errors give the reason
 * only. Never throws; never quotes the token or Google's message text.
 */
export async function checkGcpPermissions(
  resourceManagerUrl: string,
  subject: GcpSubject,
  accessToken: string,
  limits: HttpLimits,
  batch = TEST_PERMISSIONS_BATCH,
): Promise<PermissionReport> {
  const subjects = GCP_FAMILY_CHECKS.map((f) => ({ capability: f.family, enabled: true }));
  const wanted = [...new Set(GCP_FAMILY_CHECKS.flatMap((f) => f.permissions))];
  const granted = new Set<string>();
  const url = `${resourceManagerUrl.replace(/\/+$/, "")}/v1/projects/${encodeURIComponent(subject.projectId)}:testIamPermissions`;
  for (let i = 0; i < wanted.length; i += batch) {
    const call = await httpCall(
      "Google Cloud Resource Manager",
      {
        method: "POST",
        url,
        headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ permissions: wanted.slice(i, i + batch) }),
      },
      limits,
    );
    if (!call.ok)
      return {
        capabilities: notCheckable(subjects, `Google Cloud Resource Manager did not answer (${call.transient.reason}); checked again at the next verification`),
        warnings: [],
      };
    const { status, json } = call.answer;
    const body = asObject(json);
    if (status !== 200) return refusal(subjects, subject, status, body);
    const list = body?.["permissions"];
    if (body === undefined || (list !== undefined && !Array.isArray(list))) {
      return {
        capabilities: notCheckable(
          subjects,
          "Google Cloud Resource Manager returned an unreadable testIamPermissions answer; checked again at the next verification",
        ),
        warnings: [],
      };
    }
    for (const p of (list as unknown[] | undefined) ?? []) if (typeof p === "string") granted.add(p);
  }
  const verdicts = GCP_FAMILY_CHECKS.map((f) => verdictOf(f.family, true, f.permissions, new Set(f.permissions.filter((p) => !granted.has(p)))));
  return permissionReport(verdicts, {
    principal: `service account ${subject.clientEmail}`,
    selection: false,
    fix: (unusable) => {
      const roles = [...new Set(unusable.flatMap((v) => GCP_FAMILY_CHECKS.find((f) => f.family === v.capability)?.roles ?? []))];
      const missing = [...new Set(unusable.flatMap((v) => v.missingActions))];
      return `Grant service account ${subject.clientEmail} on project ${subject.projectId} roles that include ${missing.join(", ")} (for example ${roles.join(", ")}), for the kinds of resource it should deploy.`;
    },
  });
}

function refusal(
  subjects: { capability: string; enabled: boolean }[],
  subject: GcpSubject,
  status: number,
  body: Record<string, unknown> | undefined,
): PermissionReport {
  const error = asObject(body?.["error"]);
  const details = error?.["details"];
  const info = Array.isArray(details) ? details.map(asObject).find((d) => str(d, "@type")?.endsWith("google.rpc.ErrorInfo")) : undefined;
  const code = (str(info, "reason") ?? str(error, "status") ?? "").replace(/[^A-Z_]/g, "").slice(0, 60);
  const named = code === "" ? `HTTP ${status}` : `HTTP ${status} ${code}`;
  if (status === 403) {
    const disabled = code === "SERVICE_DISABLED";
    const reason = disabled
      ? `the Cloud Resource Manager API is disabled in project ${subject.projectId} (${named}), so Google cannot test permissions there`
      : `Google refused to test permissions on project ${subject.projectId} (${named})`;
    return refusedReport(
      notCheckable(subjects, reason),
      `Google did not test what service account ${subject.clientEmail} may do, so each family's permissions are unknown (the key itself works).`,
      disabled
        ? `Enable the Cloud Resource Manager API (cloudresourcemanager.googleapis.com) in project ${subject.projectId}, then verify again.`
        : `Give service account ${subject.clientEmail} a role on project ${subject.projectId} (for example roles/browser), then verify again.`,
    );
  }
  const reason =
    status === 404
      ? `Google does not know project ${subject.projectId} (${named})`
      : status === 429 || status >= 500
        ? `Google Cloud Resource Manager could not test permissions now (${named}); checked again at the next verification`
        : `Google Cloud Resource Manager rejected the permission test (${named})`;
  return { capabilities: notCheckable(subjects, reason), warnings: [] };
}

/**
 * gcpPermissionsStep is the permission step of a verified GCP key, ready to
 * spread into the `verified` result: `{ permissions }` when
 * `options.checkPermissions` is on and `endpoints.gcpResourceManager` is
 * set, else `{}`.
 */
export async function gcpPermissionsStep(subject: GcpSubject, accessToken: string, options: CheckOptions): Promise<{ permissions?: PermissionReport }> {
  const url = options.endpoints.gcpResourceManager;
  if (!options.checkPermissions || !url) return {};
  const limits = { timeoutMs: options.timeoutMs, ...(options.signal ? { signal: options.signal } : {}) };
  return { permissions: await checkGcpPermissions(url, subject, accessToken, limits) };
}
