import { createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { createClientTraceInterceptor } from "@planton/tracing";
import { EnvironmentAuthorizationService } from "@planton/proto/planton/connect/v1/authz_service_pb";
import { VaultService } from "@planton/proto/planton/connect/v1/vault_pb";
import type { ServiceTokenSource } from "@planton/auth";

/**
 * VaultClient is what the registry needs from the vault: seal a connection's
 * secret payload as a new version, open one, destroy all. Errors are the
 * vault's (`ConnectError` over RPC: UNAVAILABLE, NOT_FOUND, ...).
 */
export interface VaultClient {
  seal(orgId: string, connectionId: string, payload: Uint8Array, signal?: AbortSignal): Promise<number>;
  open(orgId: string, connectionId: string, version: number, signal?: AbortSignal): Promise<Uint8Array>;
  /** Destroys one version, or every version when `version` is 0. */
  destroy(orgId: string, connectionId: string, version: number, signal?: AbortSignal): Promise<void>;
}

/** The in-process vault's surface (the all-in-one process passes it directly). */
export interface LocalVault {
  seal(orgId: string, connectionId: string, payload: Uint8Array, signal?: AbortSignal): Promise<{ version: number }>;
  open(address: { orgId: string; connectionId: string; version: number }): Promise<Uint8Array>;
  destroy(orgId: string, connectionId: string, version: number): Promise<number[]>;
}

/**
 * Default deadline of every call the registry makes to the vault and to authz
 * (README, Timeouts): past it the call fails with DEADLINE_EXCEEDED, or
 * sooner if the caller's signal (the incoming RPC's deadline) aborts first.
 */
const RPC_CALL_TIMEOUT_MS = 10_000;

/**
 * createRpcVaultClient calls VaultService over native gRPC (the vault's
 * GRPC_PORT) with an `internal`-scope service token. Calls carry a deadline
 * (`timeoutMs`, default {@link RPC_CALL_TIMEOUT_MS}, or the caller's signal if
 * sooner) so a stuck vault becomes DEADLINE_EXCEEDED, not a stuck request.
 */
export function createRpcVaultClient(options: { baseUrl: string; tokens: ServiceTokenSource; timeoutMs?: number }): VaultClient {
  const client: Client<typeof VaultService> = createClient(
    VaultService,
    createGrpcTransport({ baseUrl: options.baseUrl, interceptors: [createClientTraceInterceptor()] }),
  );
  const timeoutMs = options.timeoutMs ?? RPC_CALL_TIMEOUT_MS;
  const callOptions = async (signal?: AbortSignal) => ({
    headers: { authorization: `Bearer ${await options.tokens.token()}` },
    timeoutMs,
    ...(signal ? { signal } : {}),
  });
  return {
    async seal(orgId, connectionId, payload, signal) {
      return (await client.sealCredential({ orgId, connectionId, payload }, await callOptions(signal))).version;
    },
    async open(orgId, connectionId, version, signal) {
      return (await client.openCredential({ orgId, connectionId, version }, await callOptions(signal))).payload;
    },
    async destroy(orgId, connectionId, version, signal) {
      await client.destroyCredential({ orgId, connectionId, version }, await callOptions(signal));
    },
  };
}

/**
 * createLocalVaultClient adapts a vault running in the same process. There is
 * no network hop to bound: the caller's signal reaches the vault's KMS call
 * (seal), and the vault's own KMS and database timeouts bound the rest.
 */
export function createLocalVaultClient(vault: LocalVault): VaultClient {
  return {
    seal: async (orgId, connectionId, payload, signal) => (await vault.seal(orgId, connectionId, payload, signal)).version,
    open: (orgId, connectionId, version) => vault.open({ orgId, connectionId, version }),
    destroy: async (orgId, connectionId, version) => {
      await vault.destroy(orgId, connectionId, version);
    },
  };
}

/**
 * createRpcPinCounter asks authz (CountDeploymentPins, `internal`) how many
 * deployments are pinned to a connection, each call bounded by `timeoutMs`
 * (default {@link RPC_CALL_TIMEOUT_MS}) or the caller's signal.
 */
export function createRpcPinCounter(options: { baseUrl: string; tokens: ServiceTokenSource; timeoutMs?: number }) {
  const timeoutMs = options.timeoutMs ?? RPC_CALL_TIMEOUT_MS;
  const client = createClient(
    EnvironmentAuthorizationService,
    createGrpcTransport({ baseUrl: options.baseUrl, interceptors: [createClientTraceInterceptor()] }),
  );
  return async (orgId: string, connectionId: string, signal?: AbortSignal): Promise<number> =>
    (
      await client.countDeploymentPins(
        { orgId, connectionId },
        { headers: { authorization: `Bearer ${await options.tokens.token()}` }, timeoutMs, ...(signal ? { signal } : {}) },
      )
    ).count;
}
