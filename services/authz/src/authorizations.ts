import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Kysely } from "kysely";
import {
  AuthorizationSchema,
  AuthorizationScope,
  DefaultConnectionSchema,
  type Authorization,
  type DefaultConnection,
} from "@planton/proto/planton/connect/v1/authz_service_pb";
import { Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import { Violations } from "@planton/server";
import type { AuditLog } from "./audit-log.js";
import type { AuthzChangeKind } from "./audit-kinds.js";
import { ALL_ENVIRONMENTS, checkEnvironment } from "./environment-rules.js";
import { NotAuthorizedError, NotFoundError } from "./errors.js";
import type { RegistryLookup } from "./ports.js";
import type { AuthorizationRow, AuthzDatabase } from "./schema.js";

/** Who is acting: organization and subject from the verified token, and the request id of the RPC. */
export interface Caller {
  readonly orgId: string;
  readonly subject: string;
  /** For the audit log; absent outside an RPC. */
  readonly requestId?: string;
}

/** Dependencies of {@link createAuthorizations}. */
export interface AuthorizationsDeps {
  readonly db: Kysely<AuthzDatabase>;
  readonly registry: RegistryLookup;
  /** Every change is recorded here, in the change's own transaction. */
  readonly audit: AuditLog;
}

/** Authorizations and defaults, always within the caller's organization. */
export interface Authorizations {
  authorize(caller: Caller, connection: string, scope: AuthorizationScope, environments: readonly string[]): Promise<Authorization[]>;
  revoke(caller: Caller, connection: string, scope: AuthorizationScope, environments: readonly string[]): Promise<Authorization[]>;
  list(caller: Caller, connection: string, environment: string): Promise<Authorization[]>;
  setDefault(caller: Caller, connection: string, provider: Provider, scope: AuthorizationScope, environment: string): Promise<DefaultConnection>;
  getDefault(caller: Caller, provider: Provider, scope: AuthorizationScope, environment: string): Promise<DefaultConnection>;
  unsetDefault(caller: Caller, provider: Provider, scope: AuthorizationScope, environment: string): Promise<void>;
  /** Whether `connectionId` may be used in `environment` (an environment or an organization authorization). */
  isAuthorized(orgId: string, connectionId: string, environment: string): Promise<boolean>;
}

/** Creates the {@link Authorizations} use cases. */
export function createAuthorizations(deps: AuthorizationsDeps): Authorizations {
  const scopeTargets = (scope: AuthorizationScope, environments: readonly string[], field = "environments") => {
    const v = new Violations().check(
      scope === AuthorizationScope.ORGANIZATION || scope === AuthorizationScope.ENVIRONMENTS,
      "scope",
      "ENUM",
      "must be ORGANIZATION or ENVIRONMENTS",
    );
    if (scope === AuthorizationScope.ORGANIZATION) v.check(environments.length === 0, field, "CONFLICT", "must be empty for ORGANIZATION scope");
    if (scope === AuthorizationScope.ENVIRONMENTS) {
      v.check(environments.length > 0, field, "REQUIRED", "must list at least one environment for ENVIRONMENTS scope");
      v.check(environments.length <= 100, field, "MAX_ITEMS", "must list at most 100 environments");
      environments.forEach((environment, i) => checkEnvironment(v, `${field}[${i}]`, environment));
    }
    return v;
  };
  const targetsOf = (scope: AuthorizationScope, environments: readonly string[]) =>
    scope === AuthorizationScope.ORGANIZATION ? [ALL_ENVIRONMENTS] : [...new Set(environments)];

  const listForConnection = async (orgId: string, connectionId: string) =>
    (await deps.db.selectFrom("authorizations").selectAll().where("org_id", "=", orgId).where("connection_id", "=", connectionId).orderBy("environment").execute()).map(
      toAuthorization,
    );

  const isAuthorized = async (orgId: string, connectionId: string, environment: string) =>
    (await deps.db
      .selectFrom("authorizations")
      .select("environment")
      .where("org_id", "=", orgId)
      .where("connection_id", "=", connectionId)
      .where("environment", "in", [environment, ALL_ENVIRONMENTS])
      .executeTakeFirst()) !== undefined;

  const defaultKey = (provider: Provider, scope: AuthorizationScope, environment: string) => {
    const v = new Violations()
      .check(provider !== Provider.UNSPECIFIED && Provider[provider] !== undefined, "provider", "ENUM", "must be a known provider")
      .check(scope === AuthorizationScope.ORGANIZATION || scope === AuthorizationScope.ENVIRONMENTS, "scope", "ENUM", "must be ORGANIZATION or ENVIRONMENTS");
    if (scope === AuthorizationScope.ENVIRONMENTS) checkEnvironment(v, "environment", environment);
    if (scope === AuthorizationScope.ORGANIZATION) v.check(environment === "", "environment", "CONFLICT", "must be empty for ORGANIZATION scope");
    v.throwIfAny();
    return scope === AuthorizationScope.ORGANIZATION ? ALL_ENVIRONMENTS : environment;
  };

  /** The audit record of a change made here; written in the change's transaction. */
  const changeRecord = (caller: Caller, kind: AuthzChangeKind, fields: { connectionId: string; provider: number; environment: string; summary: string }) => ({
    orgId: caller.orgId,
    actor: caller.subject,
    kind,
    requestId: caller.requestId ?? "",
    connectionId: fields.connectionId,
    target: fields.connectionId,
    provider: fields.provider,
    environment: fields.environment,
    summary: fields.summary,
  });

  /** The record's environment and summary for a change of authorizations. */
  const authorizationChange = (slug: string, scope: AuthorizationScope, targets: readonly string[], changed: readonly string[], verb: string) => ({
    environment: scope === AuthorizationScope.ENVIRONMENTS && targets.length === 1 ? targets[0]! : "",
    summary:
      scope === AuthorizationScope.ORGANIZATION
        ? `connection=${slug} scope=ORGANIZATION ${verb}=${changed.length > 0 ? "organization" : "none"}`
        : `connection=${slug} scope=ENVIRONMENTS environments=${targets.join(",")} ${verb}=${changed.join(",") || "none"}`,
  });

  return {
    async authorize(caller, connection, scope, environments) {
      scopeTargets(scope, environments).check(connection !== "", "connection", "REQUIRED", "is required").throwIfAny();
      const { connection: found } = await deps.registry.lookup(caller.orgId, connection);
      const now = new Date();
      const targets = targetsOf(scope, environments);
      await deps.db.transaction().execute(async (trx) => {
        const added = await trx
          .insertInto("authorizations")
          .values(
            targets.map((environment) => ({
              org_id: caller.orgId,
              connection_id: found.id,
              connection_slug: found.slug,
              environment,
              created_by: caller.subject,
              created_at: now,
            })),
          )
          .onConflict((oc) => oc.columns(["org_id", "connection_id", "environment"]).doNothing())
          .returning("environment")
          .execute();
        const change = authorizationChange(found.slug, scope, targets, added.map((r) => r.environment), "added");
        await deps.audit.write(changeRecord(caller, "authorization.granted", { connectionId: found.id, provider: found.provider, ...change }), trx);
      });
      return listForConnection(caller.orgId, found.id);
    },
    async revoke(caller, connection, scope, environments) {
      scopeTargets(scope, environments).check(connection !== "", "connection", "REQUIRED", "is required").throwIfAny();
      const { connection: found } = await deps.registry.lookup(caller.orgId, connection);
      const targets = targetsOf(scope, environments);
      await deps.db.transaction().execute(async (trx) => {
        const removed = await trx
          .deleteFrom("authorizations")
          .where("org_id", "=", caller.orgId)
          .where("connection_id", "=", found.id)
          .where("environment", "in", targets)
          .returning("environment")
          .execute();
        const change = authorizationChange(found.slug, scope, targets, removed.map((r) => r.environment), "removed");
        await deps.audit.write(changeRecord(caller, "authorization.revoked", { connectionId: found.id, provider: found.provider, ...change }), trx);
      });
      return listForConnection(caller.orgId, found.id);
    },
    async list(caller, connection, environment) {
      const v = new Violations().check((connection === "") !== (environment === ""), "connection", "ONE_OF_REQUIRED", "give exactly one of connection or environment");
      if (environment !== "") checkEnvironment(v, "environment", environment);
      v.throwIfAny();
      if (connection !== "") {
        const { connection: found } = await deps.registry.lookup(caller.orgId, connection);
        return listForConnection(caller.orgId, found.id);
      }
      const rows = await deps.db
        .selectFrom("authorizations")
        .selectAll()
        .where("org_id", "=", caller.orgId)
        .where("environment", "in", [environment, ALL_ENVIRONMENTS])
        .orderBy("connection_slug")
        .execute();
      return rows.map(toAuthorization);
    },
    async setDefault(caller, connection, provider, scope, environment) {
      const target = defaultKey(provider, scope, environment);
      new Violations().check(connection !== "", "connection", "REQUIRED", "is required").throwIfAny();
      const { connection: found } = await deps.registry.lookup(caller.orgId, connection);
      new Violations().check(found.provider === provider, "provider", "MISMATCH", "must be the connection's provider").throwIfAny();
      // A default must be usable where it is the default.
      const authorized =
        target === ALL_ENVIRONMENTS
          ? (await deps.db
              .selectFrom("authorizations")
              .select("environment")
              .where("org_id", "=", caller.orgId)
              .where("connection_id", "=", found.id)
              .where("environment", "=", ALL_ENVIRONMENTS)
              .executeTakeFirst()) !== undefined
          : await isAuthorized(caller.orgId, found.id, target);
      if (!authorized) {
        throw new NotAuthorizedError(
          target === ALL_ENVIRONMENTS
            ? `connection ${found.slug} is not authorized for the whole organization: AuthorizeConnection with ORGANIZATION scope first`
            : `connection ${found.slug} is not authorized for environment ${target}: AuthorizeConnection first`,
        );
      }
      const row = {
        org_id: caller.orgId,
        provider,
        environment: target,
        connection_id: found.id,
        connection_slug: found.slug,
        updated_at: new Date(),
      };
      await deps.db.transaction().execute(async (trx) => {
        const previous = await trx
          .selectFrom("default_connections")
          .select("connection_slug")
          .where("org_id", "=", caller.orgId)
          .where("provider", "=", provider)
          .where("environment", "=", target)
          .forUpdate()
          .executeTakeFirst();
        await trx
          .insertInto("default_connections")
          .values(row)
          .onConflict((oc) =>
            oc.columns(["org_id", "provider", "environment"]).doUpdateSet({ connection_id: found.id, connection_slug: found.slug, updated_at: row.updated_at }),
          )
          .execute();
        await deps.audit.write(
          changeRecord(caller, "default_connection.set", {
            connectionId: found.id,
            provider,
            environment: target === ALL_ENVIRONMENTS ? "" : target,
            summary: `connection=${found.slug} provider=${Provider[provider]} scope=${AuthorizationScope[scope]}${previous ? ` previous=${previous.connection_slug}` : ""}`,
          }),
          trx,
        );
      });
      return toDefault(row);
    },
    async getDefault(caller, provider, scope, environment) {
      const target = defaultKey(provider, scope, environment);
      const row = await deps.db
        .selectFrom("default_connections")
        .selectAll()
        .where("org_id", "=", caller.orgId)
        .where("provider", "=", provider)
        .where("environment", "=", target)
        .executeTakeFirst();
      if (row === undefined) throw new NotFoundError(`no default ${Provider[provider]} connection for ${target === ALL_ENVIRONMENTS ? "the organization" : `environment ${target}`}`);
      return toDefault(row);
    },
    async unsetDefault(caller, provider, scope, environment) {
      const target = defaultKey(provider, scope, environment);
      await deps.db.transaction().execute(async (trx) => {
        const removed = await trx
          .deleteFrom("default_connections")
          .where("org_id", "=", caller.orgId)
          .where("provider", "=", provider)
          .where("environment", "=", target)
          .returning(["connection_id", "connection_slug"])
          .executeTakeFirst();
        await deps.audit.write(
          changeRecord(caller, "default_connection.unset", {
            connectionId: removed?.connection_id ?? "",
            provider,
            environment: target === ALL_ENVIRONMENTS ? "" : target,
            summary: `provider=${Provider[provider]} scope=${AuthorizationScope[scope]} ${removed ? `removed=${removed.connection_slug}` : "removed=none"}`,
          }),
          trx,
        );
      });
    },
    isAuthorized,
  };
}

function toAuthorization(row: AuthorizationRow): Authorization {
  const organization = row.environment === ALL_ENVIRONMENTS;
  return create(AuthorizationSchema, {
    connectionId: row.connection_id,
    connectionSlug: row.connection_slug,
    scope: organization ? AuthorizationScope.ORGANIZATION : AuthorizationScope.ENVIRONMENTS,
    environment: organization ? "" : row.environment,
    createTime: timestampFromDate(row.created_at),
    createdBy: row.created_by,
  });
}

function toDefault(row: { provider: number; environment: string; connection_id: string; connection_slug: string }): DefaultConnection {
  const organization = row.environment === ALL_ENVIRONMENTS;
  return create(DefaultConnectionSchema, {
    provider: row.provider,
    scope: organization ? AuthorizationScope.ORGANIZATION : AuthorizationScope.ENVIRONMENTS,
    environment: organization ? "" : row.environment,
    connectionId: row.connection_id,
    connectionSlug: row.connection_slug,
  });
}
