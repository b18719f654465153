import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { requirePrincipal, Scopes } from "@planton/auth";
import { EnvironmentAuthorizationService } from "@planton/proto/planton/connect/v1/authz_service_pb";
import { registerService, requestIdOf, Violations, type ServiceRegistration } from "@planton/server";
import type { AuditLog } from "./audit-log.js";
import type { Authorizations } from "./authorizations/authorizations.js";
import type { Caller } from "./caller.js";
import type { Resolver } from "./resolve/resolver.js";

/** createAuthzRoutes is the EnvironmentAuthorizationService implementation. */
export function createAuthzRoutes(deps: {
  authorizations: Authorizations;
  resolver: Resolver;
  audit: AuditLog;
  countPins: (orgId: string, connectionId: string) => Promise<number>;
}): ServiceRegistration {
  const { authorizations, resolver, audit } = deps;
  const impl: ServiceImpl<typeof EnvironmentAuthorizationService> = {
    async authorizeConnection(r, ctx) {
      return { authorizations: await authorizations.authorize(callerOf(ctx), r.connection, r.scope, r.environments) };
    },
    async revokeAuthorization(r, ctx) {
      return { authorizations: await authorizations.revoke(callerOf(ctx), r.connection, r.scope, r.environments) };
    },
    async listAuthorizations(r, ctx) {
      return { authorizations: await authorizations.list(callerOf(ctx), r.connection, r.environment) };
    },
    async setDefaultConnection(r, ctx) {
      return { defaultConnection: await authorizations.setDefault(callerOf(ctx), r.connection, r.provider, r.scope, r.environment) };
    },
    async getDefaultConnection(r, ctx) {
      return { defaultConnection: await authorizations.getDefault(callerOf(ctx), r.provider, r.scope, r.environment) };
    },
    async unsetDefaultConnection(r, ctx) {
      await authorizations.unsetDefault(callerOf(ctx), r.provider, r.scope, r.environment);
      return {};
    },
    async resolveCredentials(r, ctx) {
      return resolver.resolve(
        callerOf(ctx),
        {
          deploymentId: r.deploymentId,
          environment: r.environment,
          provider: r.provider,
          connection: r.connection,
          sessionCredentials: r.sessionCredentials,
          sessionDuration: r.sessionDuration,
        },
        ctx.signal,
      );
    },
    async releaseDeployment(r, ctx) {
      return { released: await resolver.release(callerOf(ctx), r.deploymentId) };
    },
    async listAuditEvents(r, ctx) {
      return audit.list(callerOf(ctx).orgId, r);
    },
    async countDeploymentPins(r) {
      new Violations()
        .check(r.orgId !== "", "org_id", "REQUIRED", "is required")
        .check(r.connectionId !== "", "connection_id", "REQUIRED", "is required")
        .throwIfAny();
      return { count: await deps.countPins(r.orgId, r.connectionId) };
    },
  };
  return registerService(EnvironmentAuthorizationService, impl, {
    default: { scopes: [Scopes.environmentsAdmin] },
    methods: {
      ListAuthorizations: { scopes: [Scopes.connectionsRead] },
      GetDefaultConnection: { scopes: [Scopes.connectionsRead] },
      ResolveCredentials: { scopes: [Scopes.credentialsResolve] },
      ReleaseDeployment: { scopes: [Scopes.credentialsResolve] },
      ListAuditEvents: { scopes: [Scopes.environmentsAdmin] },
      CountDeploymentPins: { scopes: [Scopes.internal] },
    },
  });
}

// The organization and subject from the verified token, never from the
// request; the request id for the audit log.
function callerOf(ctx: HandlerContext): Caller {
  const principal = requirePrincipal(ctx);
  return { orgId: principal.orgId, subject: principal.subject, requestId: requestIdOf(ctx) };
}
