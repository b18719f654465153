import type { ServiceImpl } from "@connectrpc/connect";
import { requirePrincipal, Scopes } from "@planton/auth";
import { ConnectionService } from "@planton/proto/planton/connect/v1/connection_service_pb";
import { registerService, requestIdOf, type ServiceRegistration } from "@planton/server";
import type { Caller } from "./caller.js";
import type { Connections } from "./connections/connections.js";

/**
 * createConnectionRoutes is the ConnectionService implementation: thin
 * handlers that take the organization from the token and call
 * {@link Connections}.
 */
export function createConnectionRoutes(connections: Connections): ServiceRegistration {
  const impl: ServiceImpl<typeof ConnectionService> = {
    async createConnection(request, ctx) {
      return connections.create(callerOf(ctx), request.name, request.spec, ctx.signal);
    },
    async getConnection(request, ctx) {
      return { connection: await connections.get(callerOf(ctx), request.connection) };
    },
    async listConnections(request, ctx) {
      return connections.list(callerOf(ctx), request);
    },
    async updateConnection(request, ctx) {
      return connections.update(
        callerOf(ctx),
        { reference: request.connection, etag: request.etag, name: request.name, spec: request.spec, paths: request.updateMask?.paths ?? [] },
        ctx.signal,
      );
    },
    async deleteConnection(request, ctx) {
      await connections.remove(callerOf(ctx), request.connection, request.etag, request.force, ctx.signal);
      return {};
    },
    async lookupConnection(request) {
      return connections.lookup(request.orgId, request.connection);
    },
    async recordVerification(request, ctx) {
      return connections.recordVerification(callerOf(ctx), request.orgId, request.connectionId, request.verification ?? ({ credentialVersion: 0 } as never));
    },
  };
  return registerService(ConnectionService, impl, {
    default: { scopes: [Scopes.connectionsWrite] },
    methods: {
      GetConnection: { scopes: [Scopes.connectionsRead] },
      ListConnections: { scopes: [Scopes.connectionsRead] },
      RecordVerification: { scopes: [Scopes.internal] },
      LookupConnection: { scopes: [Scopes.internal] },
    },
  });
}

/**
 * callerOf reads the organization and subject from the verified token, never
 * from the request, and the request id the logging interceptor chose.
 */
export function callerOf(ctx: Parameters<typeof requirePrincipal>[0]): Caller {
  const principal = requirePrincipal(ctx);
  return { orgId: principal.orgId, subject: principal.subject, requestId: requestIdOf(ctx) };
}
