import type { Connection } from "@planton/proto/planton/connect/v1/connection_pb";
import { ConnectionStatus } from "@planton/proto/planton/connect/v1/provider_pb";
import { statusLabel } from "../labels.js";

/**
 * StatusText shows a connection's status in words (never colour alone) and,
 * after a failed verification, the reason code and what to fix.
 */
export function StatusText({ connection }: { connection: Connection }) {
  const failed = connection.status === ConnectionStatus.VERIFICATION_FAILED;
  const verification = connection.lastVerification;
  return (
    <span className={`status status-${ConnectionStatus[connection.status].toLowerCase()}`}>
      <span className="status-label">{statusLabel(connection.status)}</span>
      {failed && verification !== undefined ? (
        <span className="status-reason">
          {" "}
          ({verification.reason}): {verification.message}
        </span>
      ) : null}
    </span>
  );
}
