import { create } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { createClientTraceInterceptor } from "@planton/tracing";
import type { ServiceTokenSource } from "@planton/auth";
import { ConnectionService } from "@planton/proto/planton/connect/v1/connection_service_pb";
import { ConnectionSpecSchema } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { VaultService } from "@planton/proto/planton/connect/v1/vault_pb";
import type { VerifierRegistry, VerifierVault } from "./ports.js";

/**
 * Deadline of every call the verifier makes to the registry and the vault
 * (README, Timeouts): past it the call fails with DEADLINE_EXCEEDED and the
 * event is redelivered later.
 */
const RPC_CALL_TIMEOUT_MS = 10_000;

/**
 * createRpcRegistry reads connections (LookupConnection) and reports results
 * (RecordVerification) over native gRPC, each call bounded by `timeoutMs`.
 */
export function createRpcRegistry(baseUrl: string, tokens: ServiceTokenSource, timeoutMs = RPC_CALL_TIMEOUT_MS): VerifierRegistry {
  const client = createClient(ConnectionService, createGrpcTransport({ baseUrl, interceptors: [createClientTraceInterceptor()] }));
  const options = async () => ({ headers: { authorization: `Bearer ${await tokens.token()}` }, timeoutMs });
  return {
    async lookup(orgId, connectionId) {
      const response = await client.lookupConnection({ orgId, connection: connectionId }, await options());
      return { connection: response.connection!, publicSpec: response.publicSpec ?? create(ConnectionSpecSchema) };
    },
    async recordVerification(orgId, connectionId, verification) {
      await client.recordVerification({ orgId, connectionId, verification }, await options());
    },
  };
}

/** createRpcVault opens credential versions through VaultService over native gRPC, each call bounded by `timeoutMs`. */
export function createRpcVault(baseUrl: string, tokens: ServiceTokenSource, timeoutMs = RPC_CALL_TIMEOUT_MS): VerifierVault {
  const client = createClient(VaultService, createGrpcTransport({ baseUrl, interceptors: [createClientTraceInterceptor()] }));
  return {
    async open(orgId, connectionId, version) {
      const response = await client.openCredential(
        { orgId, connectionId, version },
        { headers: { authorization: `Bearer ${await tokens.token()}` }, timeoutMs },
      );
      return response.payload;
    },
  };
}
