import { asObject, httpCall, str, type HttpLimits } from "../checks/http-call.js";
import type { CheckOptions } from "../checks/provider-check.js";
import { azureAllows, type AzurePermission } from "./azure-action-match.js";
import { AZURE_FAMILY_CHECKS } from "./azure-family-actions.js";
import { notCheckable, verdictOf, type PermissionReport } from "./permission-report.js";
import { permissionReport, refusedReport } from "./permission-warnings.js";

const API_VERSION = "2022-04-01";
/** Pages followed (nextLink) before giving up: a principal has a handful of role assignments. */
const MAX_PAGES = 20;

/** The service principal whose permissions are evaluated, and its subscription. */
export interface AzureSubject {
  readonly subscriptionId: string;
  readonly clientId: string;
}

/**
 * checkAzurePermissions reads what the service principal may do on its
 * subscription, `GET {armUrl}/subscriptions/{id}/providers/Microsoft.Authorization/permissions?api-version=2022-04-01`
 * with the ARM token the verification obtained, following `nextLink`, and
 * evaluates {@link AZURE_FAMILY_CHECKS}' actions with Azure's rules (see
 * {@link azureAllows}). Every family counts as enabled (no selection).
 *
 * Where ARM refuses the read, every family is `not_checkable` with the
 * reason (ARM's error code), never missing: 403 (AuthorizationFailed) also
 * gives a PERMISSIONS_NOT_CHECKABLE warning with the fix; 401, 404, other
 * 4xx, 429, 5xx, unreadable answers, timeouts and network errors give the
 * reason only. Never throws; never quotes the token or ARM's message.
 */
async function checkAzurePermissions(armUrl: string, subject: AzureSubject, accessToken: string, limits: HttpLimits): Promise<PermissionReport> {
  const subjects = AZURE_FAMILY_CHECKS.map((f) => ({ capability: f.family, enabled: true }));
  const base = armUrl.replace(/\/+$/, "");
  const permissions: AzurePermission[] = [];
  let url: string | undefined =
    `${base}/subscriptions/${encodeURIComponent(subject.subscriptionId)}/providers/Microsoft.Authorization/permissions?api-version=${API_VERSION}`;
  for (let page = 0; url !== undefined; page++) {
    if (page >= MAX_PAGES)
      return {
        capabilities: notCheckable(subjects, "Azure Resource Manager kept paginating the permissions list; checked again at the next verification"),
        warnings: [],
      };
    const call = await httpCall(
      "Azure Resource Manager",
      { method: "GET", url, headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" } },
      limits,
    );
    if (!call.ok)
      return {
        capabilities: notCheckable(
          subjects,
          `Azure Resource Manager did not answer the permissions read (${call.transient.reason}); checked again at the next verification`,
        ),
        warnings: [],
      };
    const { status, json } = call.answer;
    const body = asObject(json);
    if (status !== 200) return refusal(subjects, subject, status, body);
    const value = body?.["value"];
    if (!Array.isArray(value))
      return {
        capabilities: notCheckable(subjects, "Azure Resource Manager returned an unreadable permissions list; checked again at the next verification"),
        warnings: [],
      };
    for (const entry of value) {
      const e = asObject(entry);
      permissions.push({ actions: strings(e?.["actions"]), notActions: strings(e?.["notActions"]) });
    }
    url = nextPage(str(body, "nextLink"), base);
  }
  const verdicts = AZURE_FAMILY_CHECKS.map((f) => verdictOf(f.family, true, f.actions, new Set(f.actions.filter((a) => !azureAllows(permissions, a)))));
  return permissionReport(verdicts, {
    principal: `app ${subject.clientId}`,
    selection: false,
    fix: (unusable) => {
      const roles = [...new Set(unusable.flatMap((v) => AZURE_FAMILY_CHECKS.find((f) => f.family === v.capability)?.roles ?? []))];
      const missing = [...new Set(unusable.flatMap((v) => v.missingActions))];
      return `Assign app ${subject.clientId} a role on subscription ${subject.subscriptionId} that allows ${missing.join(", ")} (for example ${roles.join(", ")}), for the kinds of resource it should deploy.`;
    },
  });
}

// nextLink is followed only on the ARM host the verifier is configured
// with: a link elsewhere would carry the token to another host.
function nextPage(link: string | undefined, base: string): string | undefined {
  if (link === undefined || link === "") return undefined;
  try {
    return new URL(link).origin === new URL(base).origin ? link : undefined;
  } catch {
    return undefined;
  }
}

function refusal(
  subjects: { capability: string; enabled: boolean }[],
  subject: AzureSubject,
  status: number,
  body: Record<string, unknown> | undefined,
): PermissionReport {
  const raw = str(asObject(body?.["error"]), "code") ?? "";
  const code = /^[A-Za-z]{1,64}$/.test(raw) ? raw : "";
  const named = code === "" ? `HTTP ${status}` : `HTTP ${status} ${code}`;
  if (status === 403) {
    return refusedReport(
      notCheckable(subjects, `Azure refused to list app ${subject.clientId}'s permissions on subscription ${subject.subscriptionId} (${named})`),
      `Azure did not say what app ${subject.clientId} may do, so each family's permissions are unknown (the credential itself works).`,
      `Assign app ${subject.clientId} a role on subscription ${subject.subscriptionId} that may read its own permissions (Microsoft.Authorization/*/read; Reader has it), then verify again.`,
    );
  }
  const reason =
    status === 429 || status >= 500
      ? `Azure Resource Manager could not list the permissions now (${named}); checked again at the next verification`
      : `Azure Resource Manager refused the permissions read (${named})`;
  return { capabilities: notCheckable(subjects, reason), warnings: [] };
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/**
 * azurePermissionsStep is the permission step of a verified Azure service
 * principal, ready to spread into the `verified` result: `{ permissions }`
 * when `options.checkPermissions` is on, else `{}`.
 */
export async function azurePermissionsStep(subject: AzureSubject, accessToken: string, options: CheckOptions): Promise<{ permissions?: PermissionReport }> {
  if (!options.checkPermissions) return {};
  const limits = { timeoutMs: options.timeoutMs, ...(options.signal ? { signal: options.signal } : {}) };
  return { permissions: await checkAzurePermissions(options.endpoints.azureManagement, subject, accessToken, limits) };
}
