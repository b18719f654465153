import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import { RotationDueReason, type Connection } from "@planton/proto/planton/connect/v1/connection_pb";

const DAY_MS = 86_400_000;

/**
 * credentialAgeText says how old the connection's current credential is, in
 * days: counted from the provider's creation date when the provider reported
 * one, else from when the credential was sealed; "—" when nothing is stored.
 */
function credentialAgeText(connection: Connection, now: Date = new Date()): string {
  const since = connection.credentialCreateTime ?? connection.credentialSealTime;
  if (since === undefined) return "—";
  const days = Math.max(0, Math.floor((now.getTime() - timestampDate(since).getTime()) / DAY_MS));
  return days === 0 ? "today" : days === 1 ? "1 day" : `${days} days`;
}

/** expiryText is the credential's expiry date as the provider reports it (UTC), or "not reported". */
export function expiryText(connection: Connection): string {
  return connection.credentialExpireTime === undefined ? "not reported" : day(connection.credentialExpireTime);
}

/** rotationDueText names why the credential should be rotated, or "" while it need not be. */
function rotationDueText(connection: Connection): string {
  const reasons = connection.rotationDueReasons.map((r) =>
    r === RotationDueReason.AGE ? "past the age limit" : r === RotationDueReason.EXPIRY ? "expires soon" : "due",
  );
  return reasons.length === 0 ? "" : `Rotate: ${reasons.join(", ")}`;
}

/** CredentialAge is the list's cell: the age, and the rotation advice when it is due. */
export function CredentialAge({ connection }: { connection: Connection }) {
  const due = rotationDueText(connection);
  return (
    <>
      {credentialAgeText(connection)}
      {due !== "" ? <div className="warning-text">{due}</div> : null}
    </>
  );
}

function day(ts: Timestamp): string {
  return timestampDate(ts).toISOString().slice(0, 10);
}
