import type { Kysely } from "kysely";
import type { AuditLog } from "../audit-log.js";
import type { RegistryLookup } from "../ports.js";
import type { AuthzDatabase } from "../schema.js";

/** Dependencies of {@link createAuthorizations}; each operation takes the part it uses. */
export interface AuthorizationsDeps {
  readonly db: Kysely<AuthzDatabase>;
  readonly registry: RegistryLookup;
  /** Every change is recorded here, in the change's own transaction. */
  readonly audit: AuditLog;
}
