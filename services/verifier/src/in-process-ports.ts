import type { Connection, Verification } from "@planton/proto/planton/connect/v1/connection_pb";
import type { ConnectionSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import type { VerifierRegistry, VerifierVault } from "./ports.js";

/** The part of a registry built in the same process that the verifier uses. */
export interface InProcessRegistry {
  readonly connections: {
    lookup(orgId: string, reference: string): Promise<{ connection: Connection; publicSpec: ConnectionSpec }>;
    recordVerification(actor: { orgId: string; subject: string }, orgId: string, connectionId: string, verification: Verification): Promise<unknown>;
  };
}

/** The part of a vault built in the same process that the verifier uses. */
export interface InProcessVault {
  open(address: { orgId: string; connectionId: string; version: number }): Promise<Uint8Array>;
}

/**
 * inProcessPorts adapts a registry and a vault built in this process (the
 * embedded default, tests, benchmarks) to the verifier's ports, as the RPC
 * clients do when it is deployed alone. Results are recorded as the
 * verifier's service identity.
 */
export function inProcessPorts(registry: InProcessRegistry, vault: InProcessVault): { registry: VerifierRegistry; vault: VerifierVault } {
  return {
    registry: {
      lookup: (orgId, connectionId) => registry.connections.lookup(orgId, connectionId),
      recordVerification: async (orgId, connectionId, verification) => {
        await registry.connections.recordVerification({ orgId: "platform", subject: "svc-verifier" }, orgId, connectionId, verification);
      },
    },
    vault: { open: (orgId, connectionId, version) => vault.open({ orgId, connectionId, version }) },
  };
}
