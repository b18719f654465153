/**
 * The bad-input corpus of authz and the vault (the registry's is in
 * services/registry/test/bad-input-corpus.int.test.ts): requests as a caller
 * sends them (Connect JSON), each one INVALID_ARGUMENT with a
 * google.rpc.BadRequest violation naming the field and the rule, and nothing
 * written (authorizations, defaults, pins, vault versions). Includes the
 * protocol-level cases every service shares: NUL characters, unknown fields,
 * unknown enum names and undefined enum numbers.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signDevToken } from "@planton/auth";
import { captureLogs } from "@planton/testing";
import { SECRET, startPlatform, type PlatformHarness } from "./support/platform-harness.js";

const ORG = "org-authz-corpus";
const logs = captureLogs();
let p: PlatformHarness;
let headers: Record<string, string>;

beforeAll(async () => {
  p = await startPlatform({ logger: logs.logger });
  const token = await signDevToken(SECRET, {
    subject: "corpus@example.com",
    orgId: ORG,
    scopes: ["connections:read", "connections:write", "environments:admin", "credentials:resolve", "internal"],
  });
  headers = { authorization: `Bearer ${token}` };
});

afterAll(async () => {
  await p?.dispose();
});

type Case = readonly [label: string, method: string, body: Record<string, unknown>, field: string, reason?: string];

const AUTHZ = "planton.connect.v1.EnvironmentAuthorizationService";
const VAULT = "planton.connect.v1.VaultService";
const ORG_SCOPE = "AUTHORIZATION_SCOPE_ORGANIZATION";
const ENV_SCOPE = "AUTHORIZATION_SCOPE_ENVIRONMENTS";
const AWS = "PROVIDER_AWS";
const PAYLOAD = Buffer.from("sealed-payload").toString("base64");

/** Authorize and revoke share their rules; each case runs on both. */
const scopeCases = (method: string): Case[] => [
  [`${method}: no connection`, method, { scope: ORG_SCOPE }, "connection", "REQUIRED"],
  [`${method}: scope unspecified`, method, { connection: "c", scope: "AUTHORIZATION_SCOPE_UNSPECIFIED" }, "scope", "ENUM"],
  [`${method}: scope unset`, method, { connection: "c" }, "scope", "ENUM"],
  [`${method}: unknown scope name`, method, { connection: "c", scope: "AUTHORIZATION_SCOPE_TEAM" }, "scope", "ENUM"],
  [`${method}: undefined scope number`, method, { connection: "c", scope: 7 }, "scope", "ENUM"],
  [`${method}: environments scope without environments`, method, { connection: "c", scope: ENV_SCOPE }, "environments", "REQUIRED"],
  [`${method}: organization scope with environments`, method, { connection: "c", scope: ORG_SCOPE, environments: ["prod"] }, "environments", "CONFLICT"],
  [`${method}: an empty environment`, method, { connection: "c", scope: ENV_SCOPE, environments: ["prod", ""] }, "environments[1]", "REQUIRED"],
  [`${method}: upper case environment`, method, { connection: "c", scope: ENV_SCOPE, environments: ["Prod"] }, "environments[0]", "PATTERN"],
  [`${method}: punctuation in an environment`, method, { connection: "c", scope: ENV_SCOPE, environments: ["prod!"] }, "environments[0]", "PATTERN"],
  [`${method}: environment starting with -`, method, { connection: "c", scope: ENV_SCOPE, environments: ["-prod"] }, "environments[0]", "PATTERN"],
  [`${method}: environment ending with -`, method, { connection: "c", scope: ENV_SCOPE, environments: ["prod-"] }, "environments[0]", "PATTERN"],
  [`${method}: environment of 64 characters`, method, { connection: "c", scope: ENV_SCOPE, environments: ["e".repeat(64)] }, "environments[0]", "PATTERN"],
  [`${method}: environment with a space`, method, { connection: "c", scope: ENV_SCOPE, environments: ["pro d"] }, "environments[0]", "PATTERN"],
  [
    `${method}: 101 environments`,
    method,
    { connection: "c", scope: ENV_SCOPE, environments: Array.from({ length: 101 }, (_, i) => `env-${i}`) },
    "environments",
    "MAX_ITEMS",
  ],
  [`${method}: NUL in an environment`, method, { connection: "c", scope: ENV_SCOPE, environments: ["pr\u0000od"] }, "environments[0]", "NUL_CHARACTER"],
  [`${method}: NUL in the connection`, method, { connection: "awsconn_\u0000", scope: ORG_SCOPE }, "connection", "NUL_CHARACTER"],
  [`${method}: singular environment field`, method, { connection: "c", scope: ENV_SCOPE, environment: "prod" }, "environment", "UNKNOWN_FIELD"],
];

/** Set, get and unset of defaults share the key rules. */
const defaultKeyCases = (method: string, extra: Record<string, unknown>): Case[] => [
  [`${method}: provider unset`, method, { ...extra, scope: ORG_SCOPE }, "provider", "ENUM"],
  [`${method}: unknown provider name`, method, { ...extra, provider: "PROVIDER_OPENSTACK", scope: ORG_SCOPE }, "provider", "ENUM"],
  [`${method}: undefined provider number`, method, { ...extra, provider: 42, scope: ORG_SCOPE }, "provider", "ENUM"],
  [`${method}: scope unset`, method, { ...extra, provider: AWS }, "scope", "ENUM"],
  [`${method}: environments scope without environment`, method, { ...extra, provider: AWS, scope: ENV_SCOPE }, "environment", "REQUIRED"],
  [`${method}: malformed environment`, method, { ...extra, provider: AWS, scope: ENV_SCOPE, environment: "Staging_1" }, "environment", "PATTERN"],
  [`${method}: organization scope with an environment`, method, { ...extra, provider: AWS, scope: ORG_SCOPE, environment: "prod" }, "environment", "CONFLICT"],
  [`${method}: NUL in the environment`, method, { ...extra, provider: AWS, scope: ENV_SCOPE, environment: "prod\u0000" }, "environment", "NUL_CHARACTER"],
];

const resolve = { deploymentId: "deploy-42", environment: "prod", provider: AWS };

const CASES: readonly Case[] = [
  ...scopeCases("AuthorizeConnection"),
  ...scopeCases("RevokeAuthorization"),
  ["ListAuthorizations: neither connection nor environment", "ListAuthorizations", {}, "connection", "ONE_OF_REQUIRED"],
  ["ListAuthorizations: both connection and environment", "ListAuthorizations", { connection: "c", environment: "prod" }, "connection", "ONE_OF_REQUIRED"],
  ["ListAuthorizations: malformed environment", "ListAuthorizations", { environment: "PROD" }, "environment", "PATTERN"],
  ["ListAuthorizations: unknown field", "ListAuthorizations", { env: "prod" }, "env", "UNKNOWN_FIELD"],
  ["SetDefaultConnection: no connection", "SetDefaultConnection", { provider: AWS, scope: ORG_SCOPE }, "connection", "REQUIRED"],
  ...defaultKeyCases("SetDefaultConnection", { connection: "c" }),
  ...defaultKeyCases("GetDefaultConnection", {}),
  ...defaultKeyCases("UnsetDefaultConnection", {}),
  ["ResolveCredentials: no deployment id", "ResolveCredentials", { ...resolve, deploymentId: "" }, "deployment_id", "REQUIRED"],
  ["ResolveCredentials: deployment id of 129 characters", "ResolveCredentials", { ...resolve, deploymentId: "d".repeat(129) }, "deployment_id", "PATTERN"],
  ["ResolveCredentials: deployment id with a space", "ResolveCredentials", { ...resolve, deploymentId: "deploy 42" }, "deployment_id", "PATTERN"],
  ["ResolveCredentials: deployment id with a slash", "ResolveCredentials", { ...resolve, deploymentId: "deploy/42" }, "deployment_id", "PATTERN"],
  ["ResolveCredentials: NUL in the deployment id", "ResolveCredentials", { ...resolve, deploymentId: "deploy\u000042" }, "deployment_id", "NUL_CHARACTER"],
  ["ResolveCredentials: no environment", "ResolveCredentials", { ...resolve, environment: "" }, "environment", "REQUIRED"],
  ["ResolveCredentials: malformed environment", "ResolveCredentials", { ...resolve, environment: "Prod!" }, "environment", "PATTERN"],
  ["ResolveCredentials: provider unset", "ResolveCredentials", { deploymentId: "d", environment: "prod" }, "provider", "ENUM"],
  ["ResolveCredentials: unknown provider name", "ResolveCredentials", { ...resolve, provider: "PROVIDER_HEROKU" }, "provider", "ENUM"],
  ["ResolveCredentials: undefined provider number", "ResolveCredentials", { ...resolve, provider: 99 }, "provider", "ENUM"],
  ["ResolveCredentials: NUL in the connection", "ResolveCredentials", { ...resolve, connection: "aws\u0000prod" }, "connection", "NUL_CHARACTER"],
  ["ResolveCredentials: org in the request", "ResolveCredentials", { ...resolve, orgId: "another-org" }, "orgId", "UNKNOWN_FIELD"],
  ["ReleaseDeployment: no deployment id", "ReleaseDeployment", {}, "deployment_id", "REQUIRED"],
  ["ReleaseDeployment: NUL in the deployment id", "ReleaseDeployment", { deploymentId: "\u0000" }, "deployment_id", "NUL_CHARACTER"],
  ["ListAuditEvents: unknown kind", "ListAuditEvents", { kind: "connection.exploded" }, "kind", "ENUM"],
  ["ListAuditEvents: unknown kind family", "ListAuditEvents", { kind: "spaceship.*" }, "kind", "ENUM"],
  ["ListAuditEvents: undefined decision number", "ListAuditEvents", { decision: 9 }, "decision", "ENUM"],
  ["ListAuditEvents: unknown decision name", "ListAuditEvents", { decision: "AUDIT_DECISION_MAYBE" }, "decision", "ENUM"],
  ["ListAuditEvents: actor of 257 characters", "ListAuditEvents", { actor: "a".repeat(257) }, "actor", "MAX_LENGTH"],
  ["ListAuditEvents: end before start", "ListAuditEvents", { startTime: "2026-12-07T10:00:00Z", endTime: "2026-12-07T09:00:00Z" }, "end_time", "RANGE"],
  ["ListAuditEvents: end equal to start", "ListAuditEvents", { startTime: "2026-12-07T10:00:00Z", endTime: "2026-12-07T10:00:00Z" }, "end_time", "RANGE"],
  ["ListAuditEvents: forged page token", "ListAuditEvents", { pageToken: "eyJmb3JnZWQiOnRydWV9" }, "page_token", "FORMAT"],
  ["ListAuditEvents: NUL in the deployment filter", "ListAuditEvents", { deploymentId: "d\u0000" }, "deployment_id", "NUL_CHARACTER"],
  ["CountDeploymentPins: no org", "CountDeploymentPins", { connectionId: "awsconn_1" }, "org_id", "REQUIRED"],
  ["CountDeploymentPins: no connection", "CountDeploymentPins", { orgId: ORG }, "connection_id", "REQUIRED"],
  [`${VAULT}/SealCredential: no org`, `${VAULT}/SealCredential`, { connectionId: "awsconn_1", payload: PAYLOAD }, "org_id", "REQUIRED"],
  [`${VAULT}/SealCredential: malformed org`, `${VAULT}/SealCredential`, { orgId: "org one", connectionId: "awsconn_1", payload: PAYLOAD }, "org_id", "PATTERN"],
  [
    `${VAULT}/SealCredential: org of 129 characters`,
    `${VAULT}/SealCredential`,
    { orgId: "o".repeat(129), connectionId: "awsconn_1", payload: PAYLOAD },
    "org_id",
    "PATTERN",
  ],
  [`${VAULT}/SealCredential: no connection`, `${VAULT}/SealCredential`, { orgId: ORG, payload: PAYLOAD }, "connection_id", "REQUIRED"],
  [
    `${VAULT}/SealCredential: connection with a slash`,
    `${VAULT}/SealCredential`,
    { orgId: ORG, connectionId: "awsconn/1", payload: PAYLOAD },
    "connection_id",
    "PATTERN",
  ],
  [`${VAULT}/SealCredential: empty payload`, `${VAULT}/SealCredential`, { orgId: ORG, connectionId: "awsconn_1" }, "payload", "REQUIRED"],
  [
    `${VAULT}/SealCredential: payload over 64 KiB`,
    `${VAULT}/SealCredential`,
    { orgId: ORG, connectionId: "awsconn_1", payload: Buffer.alloc(64 * 1024 + 1).toString("base64") },
    "payload",
    "MAX_SIZE",
  ],
  [
    `${VAULT}/SealCredential: NUL in the org`,
    `${VAULT}/SealCredential`,
    { orgId: "org\u0000", connectionId: "awsconn_1", payload: PAYLOAD },
    "org_id",
    "NUL_CHARACTER",
  ],
  [`${VAULT}/OpenCredential: version 0`, `${VAULT}/OpenCredential`, { orgId: ORG, connectionId: "awsconn_1" }, "version", "MIN"],
  [`${VAULT}/OpenCredential: no org`, `${VAULT}/OpenCredential`, { connectionId: "awsconn_1", version: 1 }, "org_id", "REQUIRED"],
  [
    `${VAULT}/OpenCredential: unknown field`,
    `${VAULT}/OpenCredential`,
    { orgId: ORG, connectionId: "awsconn_1", version: 1, plaintext: true },
    "plaintext",
    "UNKNOWN_FIELD",
  ],
  [`${VAULT}/DestroyCredential: malformed connection`, `${VAULT}/DestroyCredential`, { orgId: ORG, connectionId: "-x" }, "connection_id", "PATTERN"],
  [`${VAULT}/RewrapDataKeys: no target key`, `${VAULT}/RewrapDataKeys`, {}, "target_key_id", "REQUIRED"],
  [`${VAULT}/RewrapDataKeys: target key of 2049 characters`, `${VAULT}/RewrapDataKeys`, { targetKeyId: "k".repeat(2049) }, "target_key_id", "MAX_LENGTH"],
  [`${VAULT}/RewrapDataKeys: batch over 1000`, `${VAULT}/RewrapDataKeys`, { targetKeyId: "master-1", batchSize: 1001 }, "batch_size", "MAX"],
  [`${VAULT}/RewrapDataKeys: unknown local key`, `${VAULT}/RewrapDataKeys`, { targetKeyId: "master-typo" }, "target_key_id", "UNKNOWN_KEY"],
];

/** Rows a refused request must not have written. */
async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ["authz.authorizations", "authz.default_connections", "authz.deployment_pins", "vault.credential_versions"]) {
    const result = await sql<{ n: string }>`select count(*)::text as n from ${sql.raw(table)}`.execute(p.authz.db);
    out[table] = Number(result.rows[0]?.n ?? -1);
  }
  return out;
}

describe("authz and vault bad-input corpus", () => {
  it("has at least 100 cases", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(100);
  });

  for (const [label, method, body, field, reason] of CASES)
    it(label, async () => {
      const before = await counts();
      const path = method.includes("/") ? method : `${AUTHZ}/${method}`;
      const response = await fetch(`${p.server.url}/${path}`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json", "connect-protocol-version": "1" },
        body: JSON.stringify(body),
      });
      const error = (await response.json()) as {
        code?: string;
        message?: string;
        details?: { type: string; debug?: { fieldViolations?: { field: string; reason?: string }[] } }[];
      };
      expect(error.code).toBe("invalid_argument");
      const violations = (error.details ?? []).filter((d) => d.type === "google.rpc.BadRequest").flatMap((d) => d.debug?.fieldViolations ?? []);
      expect(violations.map((v) => v.field)).toContain(field);
      if (reason !== undefined) expect(violations.find((v) => v.field === field)?.reason).toBe(reason);
      expect(error.message ?? "").not.toContain("\u0000");
      expect(await counts()).toEqual(before);
    });
});
