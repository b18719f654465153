import type { Connection, Verification } from "@planton/proto/planton/connect/v1/connection_pb";
import type { ConnectionSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";

/** What the verifier needs from the registry. NOT_FOUND when the connection is gone. */
export interface VerifierRegistry {
  lookup(orgId: string, connectionId: string): Promise<{ connection: Connection; publicSpec: ConnectionSpec }>;
  /** Stores a result; the registry ignores results for versions older than the current one. */
  recordVerification(orgId: string, connectionId: string, verification: Verification): Promise<void>;
}

/** What the verifier needs from the vault. NOT_FOUND when the version was destroyed. */
export interface VerifierVault {
  open(orgId: string, connectionId: string, version: number): Promise<Uint8Array>;
}
