import type { Duration } from "@bufbuild/protobuf/wkt";
import type { Kysely } from "kysely";
import type { Logger } from "@planton/logging";
import type { Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import type { AuditLog } from "../audit-log.js";
import type { Authorizations } from "../authorizations/authorizations.js";
import type { CredentialOpener, RegistryLookup } from "../ports.js";
import type { AwsSessionIssuer } from "../sessions/aws-session-issuer.js";
import type { AuthzDatabase } from "../schema.js";
import type { ConnectionCache } from "./connection-cache.js";
import type { PinReader } from "./pin-reader.js";

/** Dependencies of {@link createResolver}; each operation takes the part it uses. */
export interface ResolverDeps {
  readonly db: Kysely<AuthzDatabase>;
  /** Fresh lookups: first resolves, which pin the connection's current version. */
  readonly registry: RegistryLookup;
  /** Lookups for pinned deployments (see connection-cache.ts). */
  readonly connections: ConnectionCache;
  readonly pins: PinReader;
  readonly vault: CredentialOpener;
  readonly authorizations: Authorizations;
  readonly audit: AuditLog;
  /** Mints AWS session credentials of trust roles (resolves with session_credentials only). */
  readonly sessions: AwsSessionIssuer;
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
  /** AWS trust only: mint session credentials instead of answering the role (see mint-session.ts). */
  readonly sessionCredentials?: boolean;
  /** With sessionCredentials: the session's length (default 1 hour). */
  readonly sessionDuration?: Duration | undefined;
}
