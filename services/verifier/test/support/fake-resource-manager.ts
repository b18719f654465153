import { sendJson, startFakeServer, bearer, type FakeControls } from "./fake-server-kit.js";

/** Scopes projects.testIamPermissions accepts (its reference's "Authorization scopes"). */
const SCOPES = [
  "https://www.googleapis.com/auth/cloud-platform",
  "https://www.googleapis.com/auth/cloud-platform.read-only",
  "https://www.googleapis.com/auth/cloudplatformprojects",
  "https://www.googleapis.com/auth/cloudplatformprojects.readonly",
  "https://www.googleapis.com/auth/iam.test",
];

/** The documented maximum of permissions in one testIamPermissions request. */
const MAX_PERMISSIONS = 100;

/** A running fake Cloud Resource Manager; see {@link startFakeResourceManager}. */
export interface FakeResourceManager extends FakeControls {
  /** Creates `projectId` (if new) and grants `email` these permissions on it. */
  grant(projectId: string, email: string, permissions: readonly string[]): void;
  /** Turns the Cloud Resource Manager API off in `projectId`: 403 SERVICE_DISABLED. */
  disableApi(projectId: string): void;
  /** The permission lists of the testIamPermissions requests received, oldest first. */
  tested(): readonly (readonly string[])[];
}

/**
 * startFakeResourceManager answers `POST /v1/projects/{project}:testIamPermissions`
 * as the Cloud Resource Manager v1 reference documents it: a JSON body
 * `{"permissions": [...]}`, an OAuth bearer token (checked with
 * `tokenInfo`, normally the fake Google token endpoint's) carrying one of
 * the method's scopes; the answer is `{"permissions": [the granted subset]}`,
 * or `{}` when none is granted (proto3 JSON leaves empty lists out). Errors
 * in Google's JSON error format (`{"error":{"code","message","status","details"}}`):
 * 401 UNAUTHENTICATED (bad token), 403 PERMISSION_DENIED with ErrorInfo
 * reason ACCESS_TOKEN_SCOPE_INSUFFICIENT (scope), 403 PERMISSION_DENIED with
 * ErrorInfo reason SERVICE_DISABLED (API disabled in the project), 403
 * PERMISSION_DENIED for a project the caller cannot see (Google does not
 * reveal whether it exists), 400 INVALID_ARGUMENT for a wildcard or
 * malformed permission or more than 100 permissions; 429 RESOURCE_EXHAUSTED
 * and 500 INTERNAL when injected.
 */
export async function startFakeResourceManager(tokenInfo: (token: string) => { email: string; scope: string } | undefined): Promise<FakeResourceManager> {
  const grants = new Map<string, Map<string, Set<string>>>();
  const disabled = new Set<string>();
  const tested: string[][] = [];
  const googleError = (code: number, status: string, message: string, reason?: string, metadata?: Record<string, string>) => ({
    error: {
      code,
      message,
      status,
      ...(reason
        ? {
            details: [
              {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                reason,
                domain: "googleapis.com",
                metadata: { service: "cloudresourcemanager.googleapis.com", ...metadata },
              },
            ],
          }
        : {}),
    },
  });

  const controls = await startFakeServer({
    failureBody: (status) =>
      status === 429
        ? googleError(
            429,
            "RESOURCE_EXHAUSTED",
            "Quota exceeded for quota metric 'Read requests' of service 'cloudresourcemanager.googleapis.com'.",
            "RATE_LIMIT_EXCEEDED",
          )
        : googleError(500, "INTERNAL", "Internal error encountered."),
    handle(req, body, res) {
      const m = /^\/v1\/projects\/([^/:]+):testIamPermissions$/.exec(new URL(req.url ?? "/", "http://x").pathname);
      if (!m || req.method !== "POST") return sendJson(res, 404, googleError(404, "NOT_FOUND", "The requested URL was not found on this server."));
      const projectId = decodeURIComponent(m[1] ?? "");
      const who = tokenInfo(bearer(req) ?? "");
      if (who === undefined) {
        return sendJson(
          res,
          401,
          googleError(
            401,
            "UNAUTHENTICATED",
            "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
            "ACCESS_TOKEN_TYPE_UNSUPPORTED",
          ),
          { "www-authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
        );
      }
      if (!who.scope.split(" ").some((s) => SCOPES.includes(s))) {
        return sendJson(res, 403, googleError(403, "PERMISSION_DENIED", "Request had insufficient authentication scopes.", "ACCESS_TOKEN_SCOPE_INSUFFICIENT"));
      }
      let permissions: unknown;
      try {
        permissions = (JSON.parse(body) as { permissions?: unknown }).permissions;
      } catch {
        return sendJson(res, 400, googleError(400, "INVALID_ARGUMENT", "Invalid JSON payload received."));
      }
      const list = Array.isArray(permissions) ? permissions.filter((p): p is string => typeof p === "string") : [];
      tested.push(list);
      if (list.length > MAX_PERMISSIONS) {
        return sendJson(
          res,
          400,
          googleError(400, "INVALID_ARGUMENT", `The number of permissions (${list.length}) exceeds the maximum of ${MAX_PERMISSIONS}.`),
        );
      }
      const bad = list.find((p) => !/^[a-z][a-zA-Z0-9]*\.[a-zA-Z0-9]+\.[a-zA-Z0-9]+$/.test(p));
      if (bad !== undefined) return sendJson(res, 400, googleError(400, "INVALID_ARGUMENT", `Permission ${bad} is not valid.`));
      if (disabled.has(projectId)) {
        return sendJson(
          res,
          403,
          googleError(
            403,
            "PERMISSION_DENIED",
            `Cloud Resource Manager API has not been used in project ${projectId} before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/cloudresourcemanager.googleapis.com/overview?project=${projectId} then retry.`,
            "SERVICE_DISABLED",
            { consumer: `projects/${projectId}` },
          ),
        );
      }
      const project = grants.get(projectId);
      if (project === undefined) return sendJson(res, 403, googleError(403, "PERMISSION_DENIED", "The caller does not have permission"));
      const held = project.get(who.email) ?? new Set<string>();
      const granted = list.filter((p) => held.has(p));
      return sendJson(res, 200, granted.length === 0 ? {} : { permissions: granted });
    },
  });
  return Object.assign(controls, {
    grant(projectId: string, email: string, permissions: readonly string[]) {
      const project = grants.get(projectId) ?? new Map<string, Set<string>>();
      project.set(email, new Set([...(project.get(email) ?? []), ...permissions]));
      grants.set(projectId, project);
    },
    disableApi(projectId: string) {
      disabled.add(projectId);
    },
    tested: () => tested.map((t) => [...t]),
  });
}
