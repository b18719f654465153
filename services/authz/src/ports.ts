import type { Connection } from "@planton/proto/planton/connect/v1/connection_pb";
import type { ConnectionSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";

/**
 * RegistryLookup is what authz needs from the registry: one connection of an
 * organization with its public spec. NOT_FOUND (a ConnectError, or the
 * registry's own error in-process) when it does not exist in that org.
 */
export interface RegistryLookup {
  lookup(orgId: string, reference: string, signal?: AbortSignal): Promise<{ connection: Connection; publicSpec: ConnectionSpec }>;
}

/** CredentialOpener is what authz needs from the vault: the sealed secret half of one version. */
export interface CredentialOpener {
  open(orgId: string, connectionId: string, version: number, signal?: AbortSignal): Promise<Uint8Array>;
}
