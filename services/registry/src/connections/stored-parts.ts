import { toBinary } from "@bufbuild/protobuf";
import { ConnectionSpecSchema, type ConnectionSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { AuthMode, ConnectionStatus } from "@planton/proto/planton/connect/v1/provider_pb";
import { accountKeyOf, authModeOf, detailsOf, providerOf, runnerIdOf, splitSecrets } from "@planton/providers";

/** What a full (normalized) spec writes: row columns, and the secret half to seal (undefined: nothing to seal). */
export type StoredParts = ReturnType<typeof storedParts>;

/** Splits a full spec into the row's columns and the secret payload for the vault. */
export function storedParts(spec: ConnectionSpec) {
  const { publicSpec, secretSpec } = splitSecrets(spec);
  return {
    provider: providerOf(spec),
    authMode: authModeOf(spec),
    publicSpec,
    secretPayload: secretSpec ? toBinary(ConnectionSpecSchema, secretSpec) : undefined,
    details: detailsOf(spec),
    accountKey: accountKeyOf(spec) ?? null,
    runnerId: runnerIdOf(spec) ?? null,
  };
}

/** The status of a new credential version: runner mode needs no verification by the platform. */
export function initialStatus(authMode: AuthMode): ConnectionStatus {
  return authMode === AuthMode.RUNNER ? ConnectionStatus.VERIFIED_BY_RUNNER : ConnectionStatus.PENDING_VERIFICATION;
}
