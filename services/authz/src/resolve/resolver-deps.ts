import type { Kysely } from "kysely";
import type { Logger } from "@planton/logging";
import type { Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import type { AuditLog } from "../audit-log.js";
import type { Authorizations } from "../authorizations/authorizations.js";
import type { CredentialOpener, RegistryLookup } from "../ports.js";
import type { AuthzDatabase } from "../schema.js";

/** Dependencies of {@link createResolver}; each operation takes the part it uses. */
export interface ResolverDeps {
  readonly db: Kysely<AuthzDatabase>;
  readonly registry: RegistryLookup;
  readonly vault: CredentialOpener;
  readonly authorizations: Authorizations;
  readonly audit: AuditLog;
  /** How long a pin holds when the deployment is not released. */
  readonly pinTtlMs: number;
  readonly logger: Logger;
}

/** Inputs of a resolve. */
export interface ResolveInput {
  readonly deploymentId: string;
  readonly environment: string;
  readonly provider: Provider;
  readonly connection: string;
}
