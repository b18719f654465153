import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  AuthorizationSchema,
  AuthorizationScope,
  DefaultConnectionSchema,
  type Authorization,
  type DefaultConnection,
} from "@planton/proto/planton/connect/v1/authz_service_pb";
import { ALL_ENVIRONMENTS } from "../environment-rules.js";
import type { AuthorizationRow } from "../schema.js";

/** An authorization row as the API shows it (the organization marker becomes ORGANIZATION scope). */
export function toAuthorization(row: AuthorizationRow): Authorization {
  const organization = row.environment === ALL_ENVIRONMENTS;
  return create(AuthorizationSchema, {
    connectionId: row.connection_id,
    connectionSlug: row.connection_slug,
    scope: organization ? AuthorizationScope.ORGANIZATION : AuthorizationScope.ENVIRONMENTS,
    environment: organization ? "" : row.environment,
    createTime: timestampFromDate(row.created_at),
    createdBy: row.created_by,
  });
}

/** A default-connection row as the API shows it. */
export function toDefault(row: { provider: number; environment: string; connection_id: string; connection_slug: string }): DefaultConnection {
  const organization = row.environment === ALL_ENVIRONMENTS;
  return create(DefaultConnectionSchema, {
    provider: row.provider,
    scope: organization ? AuthorizationScope.ORGANIZATION : AuthorizationScope.ENVIRONMENTS,
    environment: organization ? "" : row.environment,
    connectionId: row.connection_id,
    connectionSlug: row.connection_slug,
  });
}
