import type { Kysely } from "kysely";
import type { Logger } from "@planton/logging";
import type { RunnerIdentityKind } from "@planton/proto/planton/connect/v1/provider_pb";
import type { RotationPolicy } from "../rotation/rotation-policy.js";
import type { RegistryDatabase } from "../schema.js";
import type { VaultClient } from "../vault-client.js";

/** Dependencies of {@link createConnections}; each operation takes the part it uses. */
export interface ConnectionsDeps {
  readonly db: Kysely<RegistryDatabase>;
  readonly vault: VaultClient;
  readonly logger: Logger;
  /** The identity kind of a runner of the org; undefined when the org has no such runner. */
  readonly runnerKind: (orgId: string, runnerId: string) => Promise<RunnerIdentityKind | undefined>;
  /** Called after a commit that wrote events (kicks the outbox relay). */
  readonly onCommit: () => void;
  /** Periodic re-verification interval; the next run is set when a result is recorded. */
  readonly reverifyIntervalMs: number;
  /** Rotation thresholds: what Connection.rotation_due_reasons and the rotation_due filter mean. */
  readonly rotation: RotationPolicy;
  /** How many deployments are pinned to a connection (authz); absent: no check. */
  readonly countPins?: (orgId: string, connectionId: string, signal?: AbortSignal) => Promise<number>;
}
