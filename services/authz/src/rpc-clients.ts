import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { createClientTraceInterceptor } from "@planton/tracing";
import { ConnectionService } from "@planton/proto/planton/connect/v1/connection_service_pb";
import { ConnectionSpecSchema } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { VaultService } from "@planton/proto/planton/connect/v1/vault_pb";
import { create } from "@bufbuild/protobuf";
import type { CredentialOpener, RegistryLookup } from "./ports.js";
import type { VersionDestroyer } from "./retention-job.js";

import type { ServiceTokenSource as TokenSource } from "@planton/auth";

/**
 * Deadline of every call authz makes to the registry and the vault (README,
 * Timeouts): past it the call fails with DEADLINE_EXCEEDED, or sooner if the
 * caller's own signal (the incoming RPC's deadline) aborts first.
 */
const RPC_CALL_TIMEOUT_MS = 10_000;

/** createRpcRegistryLookup calls the registry's LookupConnection over native gRPC, each call bounded by `timeoutMs`. */
export function createRpcRegistryLookup(baseUrl: string, tokens: TokenSource, timeoutMs = RPC_CALL_TIMEOUT_MS): RegistryLookup {
  const client = createClient(ConnectionService, createGrpcTransport({ baseUrl, interceptors: [createClientTraceInterceptor()] }));
  return {
    async lookup(orgId, reference, signal) {
      const response = await client.lookupConnection(
        { orgId, connection: reference },
        { headers: { authorization: `Bearer ${await tokens.token()}` }, timeoutMs, ...(signal ? { signal } : {}) },
      );
      return { connection: response.connection!, publicSpec: response.publicSpec ?? create(ConnectionSpecSchema) };
    },
  };
}

/** createRpcVault opens and destroys credential versions through VaultService, each call bounded by `timeoutMs`. */
export function createRpcVault(baseUrl: string, tokens: TokenSource, timeoutMs = RPC_CALL_TIMEOUT_MS): CredentialOpener & VersionDestroyer {
  const client = createClient(VaultService, createGrpcTransport({ baseUrl, interceptors: [createClientTraceInterceptor()] }));
  const options = async (signal?: AbortSignal) => ({ headers: { authorization: `Bearer ${await tokens.token()}` }, timeoutMs, ...(signal ? { signal } : {}) });
  return {
    async open(orgId, connectionId, version, signal) {
      return (await client.openCredential({ orgId, connectionId, version }, await options(signal))).payload;
    },
    async destroy(orgId, connectionId, version) {
      await client.destroyCredential({ orgId, connectionId, version }, await options());
    },
  };
}
