import { create, fromJson, type JsonValue } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ConnectionDetailsSchema, ConnectionSchema, VerificationSchema, type Connection } from "@planton/proto/planton/connect/v1/connection_pb";
import { rotationDueReasons, type RotationPolicy } from "../rotation/rotation-policy.js";
import type { ConnectionRow } from "../schema.js";

/**
 * toConnection maps a row to the response message: details and hints only,
 * by construction. The rotation-due reasons are those of `policy` at `now`.
 */
export function toConnection(row: ConnectionRow, policy: RotationPolicy, now: Date = new Date()): Connection {
  return create(ConnectionSchema, {
    id: row.id,
    orgId: row.org_id,
    name: row.name,
    slug: row.slug,
    provider: row.provider,
    authMode: row.auth_mode,
    details: fromJson(ConnectionDetailsSchema, row.details as JsonValue),
    credentialVersion: row.credential_version,
    status: row.status,
    ...(row.last_verification ? { lastVerification: fromJson(VerificationSchema, row.last_verification as JsonValue) } : {}),
    etag: row.etag,
    createTime: timestampFromDate(row.created_at),
    updateTime: timestampFromDate(row.updated_at),
    ...(row.credential_sealed_at ? { credentialSealTime: timestampFromDate(row.credential_sealed_at) } : {}),
    ...(row.credential_created_at ? { credentialCreateTime: timestampFromDate(row.credential_created_at) } : {}),
    ...(row.credential_expires_at ? { credentialExpireTime: timestampFromDate(row.credential_expires_at) } : {}),
    rotationDueReasons: rotationDueReasons(
      { sealedAt: row.credential_sealed_at, createdAt: row.credential_created_at, expiresAt: row.credential_expires_at },
      policy,
      now,
    ),
  });
}
