import type { RotationPolicy } from "../rotation/rotation-policy.js";
import type { Kysely } from "kysely";
import type { Logger } from "@planton/logging";
import type { TrustConfig } from "../config.js";
import type { RegistryDatabase } from "../schema.js";
import type { VaultClient } from "../vault-client.js";
import type { SetupTokens } from "./setup-tokens.js";

/** Dependencies of {@link createAwsTrust}. */
export interface AwsTrustDeps {
  readonly db: Kysely<RegistryDatabase>;
  readonly vault: VaultClient;
  readonly logger: Logger;
  readonly tokens: SetupTokens;
  readonly config: TrustConfig;
  /** Rotation thresholds, for the connections the trust flow returns. */
  readonly rotation: RotationPolicy;
  /** Called after a commit that wrote events (kicks the outbox relay). */
  readonly onCommit: () => void;
  /** Clock; injectable for tests. */
  readonly now?: () => Date;
}

/** What the trust operations take: the dependencies with the clock resolved. */
export type TrustContext = Omit<AwsTrustDeps, "now"> & { readonly now: () => Date };
