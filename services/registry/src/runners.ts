import { createHash, randomBytes } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Kysely } from "kysely";
import { insertOutboxEvent } from "@planton/events";
import { RunnerIdentityKind } from "@planton/proto/planton/connect/v1/provider_pb";
import { RunnerSchema, type Runner, type RunnerIdentity } from "@planton/proto/planton/connect/v1/runner_service_pb";
import { RUNNER_ID_PATTERN } from "@planton/providers";
import { Violations } from "@planton/server";
import type { Caller } from "./caller.js";
import { connectionSlugsUsingRunner } from "./connection-store.js";
import { NameTakenError, RunnerInUseError, RunnerNotFoundError } from "./errors.js";
import { newId } from "./ids.js";
import { decodePageToken, encodePageToken } from "./page-token.js";
import { runnerEvent } from "./registry-events.js";
import { deleteRunner, findRunner, insertRunner, listRunners } from "./runner-store.js";
import type { RegistryDatabase, RunnerRow } from "./schema.js";
import { checkName, isUniqueViolation, pageSizeOf } from "./request-rules.js";

/** Dependencies of {@link createRunners}. */
export interface RunnersDeps {
  readonly db: Kysely<RegistryDatabase>;
  readonly onCommit: () => void;
}

// Principal shapes per identity kind: what the cloud calls the identity.
const PRINCIPAL_RULES: Record<number, { pattern: RegExp; rule: string }> = {
  [RunnerIdentityKind.AWS_IRSA]: {
    pattern: /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/,
    rule: "must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)",
  },
  [RunnerIdentityKind.GCP_WORKLOAD_IDENTITY]: {
    pattern: /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com$/,
    rule: "must be a GCP service-account email (<name>@<project>.iam.gserviceaccount.com)",
  },
  [RunnerIdentityKind.AZURE_MANAGED_IDENTITY]: {
    pattern: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
    rule: "must be the managed identity's client id (a UUID)",
  },
};

/** The runner-registration use cases (RunnerService). */
export interface Runners {
  register(caller: Caller, name: string, identity: RunnerIdentity | undefined): Promise<{ runner: Runner; token: string }>;
  get(caller: Caller, runnerId: string): Promise<Runner>;
  list(caller: Caller, pageSize: number, pageToken: string): Promise<{ runners: Runner[]; nextPageToken: string }>;
  remove(caller: Caller, runnerId: string): Promise<void>;
  /** Whether a runner of the org exists (for runner-mode connections). */
  exists(orgId: string, runnerId: string): Promise<boolean>;
}

/** Creates the {@link Runners} use cases. */
export function createRunners(deps: RunnersDeps): Runners {
  return {
    async register(caller, name, identity) {
      const v = checkName(new Violations(), "name", name);
      const kindRule = identity ? PRINCIPAL_RULES[identity.kind] : undefined;
      v.check(identity !== undefined, "identity", "REQUIRED", "is required");
      if (identity !== undefined) {
        v.check(kindRule !== undefined, "identity.kind", "ENUM", "must be AWS_IRSA, GCP_WORKLOAD_IDENTITY or AZURE_MANAGED_IDENTITY");
        v.check(identity.principal !== "", "identity.principal", "REQUIRED", "is required");
        if (kindRule && identity.principal !== "") v.check(kindRule.pattern.test(identity.principal), "identity.principal", "PATTERN", kindRule.rule);
      }
      v.throwIfAny();
      // The token is a bearer secret for the runner: 256 random bits, shown once, stored as SHA-256.
      const token = `prn_${randomBytes(32).toString("base64url")}`;
      const id = newId("runner_");
      const createdAt = new Date();
      try {
        await deps.db.transaction().execute(async (trx) => {
          await insertRunner(trx, {
            id,
            org_id: caller.orgId,
            name,
            identity_kind: identity!.kind,
            identity_principal: identity!.principal,
            token_hash: createHash("sha256").update(token).digest(),
            token_hint: `${token.slice(0, 8)}…`,
            created_at: createdAt,
          });
          await insertOutboxEvent(trx, runnerEvent("runner.registered", caller, { runnerId: id, identityKind: identity!.kind, name }));
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw new NameTakenError("runner", name);
        throw error;
      }
      deps.onCommit();
      const row = await findRunner(deps.db, caller.orgId, id);
      return { runner: toRunner(row!), token };
    },
    async get(caller, runnerId) {
      checkRunnerId(runnerId);
      const row = await findRunner(deps.db, caller.orgId, runnerId);
      if (row === undefined) throw new RunnerNotFoundError(runnerId);
      return toRunner(row);
    },
    async list(caller, pageSize, pageToken) {
      const filters = { org: caller.orgId, kind: "runners" };
      const cursor = pageToken === "" ? undefined : decodePageToken(pageToken, filters);
      const limit = pageSizeOf(pageSize);
      const rows = await listRunners(deps.db, caller.orgId, cursor, limit + 1);
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        runners: page.map(toRunner),
        nextPageToken: rows.length > limit && last ? encodePageToken({ createdAt: last.created_at, id: last.id }, filters) : "",
      };
    },
    async remove(caller, runnerId) {
      checkRunnerId(runnerId);
      const users = await connectionSlugsUsingRunner(deps.db, caller.orgId, runnerId);
      if (users.length > 0) throw new RunnerInUseError(users);
      let deleted = false;
      try {
        await deps.db.transaction().execute(async (trx) => {
          const row = await findRunner(trx, caller.orgId, runnerId);
          deleted = row !== undefined && (await deleteRunner(trx, caller.orgId, runnerId));
          if (deleted) await insertOutboxEvent(trx, runnerEvent("runner.deleted", caller, { runnerId, identityKind: row!.identity_kind, name: row!.name }));
        });
      } catch (error) {
        // The foreign key closes the race with a connection created meanwhile.
        if ((error as { code?: string }).code === "23503") throw new RunnerInUseError(await connectionSlugsUsingRunner(deps.db, caller.orgId, runnerId));
        throw error;
      }
      if (!deleted) throw new RunnerNotFoundError(runnerId);
      deps.onCommit();
    },
    async exists(orgId, runnerId) {
      return (await findRunner(deps.db, orgId, runnerId)) !== undefined;
    },
  };
}

// An empty or malformed id is the caller's mistake (INVALID_ARGUMENT), not a runner that is missing (NOT_FOUND).
function checkRunnerId(runnerId: string): void {
  new Violations()
    .check(runnerId !== "", "runner_id", "REQUIRED", "is required")
    .check(runnerId === "" || RUNNER_ID_PATTERN.test(runnerId), "runner_id", "PATTERN", "must be runner_ followed by 1 to 40 lowercase letters or digits")
    .throwIfAny();
}

function toRunner(row: RunnerRow): Runner {
  return create(RunnerSchema, {
    id: row.id,
    orgId: row.org_id,
    name: row.name,
    identity: { kind: row.identity_kind, principal: row.identity_principal },
    createTime: timestampFromDate(row.created_at),
    tokenHint: row.token_hint,
  });
}
