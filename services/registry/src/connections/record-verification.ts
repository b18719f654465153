import { toJson } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { outboxRow } from "@planton/events";
import { VerificationSchema, type Connection, type Verification } from "@planton/proto/planton/connect/v1/connection_pb";
import { ConnectionStatus } from "@planton/proto/planton/connect/v1/provider_pb";
import { Violations } from "@planton/server";
import type { Caller } from "../caller.js";
import { recordStatusIfVersion } from "../connection-store.js";
import { verifiedEvent } from "../registry-events.js";
import type { ConnectionsDeps } from "./connections-deps.js";
import { loadConnection } from "./load-connection.js";
import { maskedVerification, verifiedFindings } from "./verification-findings.js";
import { toConnection } from "./to-connection.js";

/**
 * RecordVerification (the verifier's result): sets the status and the last
 * verification of `connectionId` of `orgId` if the result is for its current
 * credential version (`applied`), and schedules the next re-verification.
 * `actor` reports the result (the verifier); its subject and request id go into the event.
 */
export async function recordVerification(
  deps: Pick<ConnectionsDeps, "db" | "onCommit" | "reverifyIntervalMs" | "rotation">,
  actor: Caller,
  orgId: string,
  connectionId: string,
  verification: Verification,
): Promise<{ applied: boolean; connection: Connection }> {
  new Violations()
    .check(orgId !== "", "org_id", "REQUIRED", "is required")
    .check(connectionId !== "", "connection_id", "REQUIRED", "is required")
    .check(verification.credentialVersion >= 1, "verification.credential_version", "MIN", "must be at least 1")
    .throwIfAny();
  const owner = { orgId, subject: actor.subject, requestId: actor.requestId };
  const row = await loadConnection(deps.db, owner, connectionId, "connection_id");
  // A result for an older version must never overwrite a newer one.
  if (row.credential_version !== verification.credentialVersion) return { applied: false, connection: toConnection(row, deps.rotation) };
  // Defence in depth: the API shows AWS access key ids only as hints, so
  // a result quoting one (an older or third-party verifier) is stored masked.
  const recorded = maskedVerification(verification);
  // Status is the system's, not the user's: conditional on the version
  // (a rotation meanwhile makes this result stale), never on the etag, and
  // the etag stays as it is (see Connection.etag in the proto). The status
  // and its connection.verified event are one statement.
  const updated = await recordStatusIfVersion(
    deps.db,
    orgId,
    row.id,
    verification.credentialVersion,
    {
      status: verification.ok ? ConnectionStatus.VERIFIED : ConnectionStatus.VERIFICATION_FAILED,
      last_verification: JSON.stringify(toJson(VerificationSchema, recorded)),
      // Spread re-verifications: each connection is due interval x [0.9, 1.1) later.
      next_verification_at: new Date(Date.now() + deps.reverifyIntervalMs * (0.9 + Math.random() * 0.2)),
      // The provider's dates of this version, when the verifier could read
      // them; a result without them (a failure, or the provider refused the
      // read) keeps what an earlier result of the same version reported.
      ...lifetimeColumns(verification),
      updated_at: new Date(),
    },
    outboxRow(
      verifiedEvent(owner, {
        connectionId: row.id,
        credentialVersion: verification.credentialVersion,
        ok: verification.ok,
        reason: verification.reason,
        ...verifiedFindings(recorded),
      }),
    ),
  );
  if (updated === undefined) return { applied: false, connection: toConnection(await loadConnection(deps.db, owner, row.id), deps.rotation) };
  deps.onCommit();
  return { applied: true, connection: toConnection(updated, deps.rotation) };
}

// Only dates the provider reported overwrite stored ones; an implausible
// timestamp (before 1970 or far past any real expiry) is dropped.
function lifetimeColumns(verification: Verification): { credential_created_at?: Date; credential_expires_at?: Date } {
  const lifetime = verification.ok ? verification.lifetime : undefined;
  if (lifetime === undefined) return {};
  const plausible = (date: Date) => date.getTime() > 0 && date.getFullYear() < 9000;
  const created = lifetime.createTime ? timestampDate(lifetime.createTime) : undefined;
  const expires = lifetime.expireTime ? timestampDate(lifetime.expireTime) : undefined;
  return {
    ...(created && plausible(created) ? { credential_created_at: created } : {}),
    ...(expires && plausible(expires) ? { credential_expires_at: expires } : {}),
  };
}
