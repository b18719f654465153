import { AwsTrustSetupState, type AwsTrustSetup } from "@planton/proto/planton/connect/v1/aws_trust_service_pb";
import type { Connection } from "@planton/proto/planton/connect/v1/connection_pb";
import { ConnectionStatus, ConnectionStatusSchema } from "@planton/proto/planton/connect/v1/provider_pb";
import { enumLabel } from "./enum-labels.js";
import { ExitCode, type ExitCodeValue } from "./exit-codes.js";
import { formatTime } from "./format-values.js";

/** TrustOutcome is how a watched trust setup ended: the exit code and what to tell the user. */
export interface TrustOutcome {
  readonly exitCode: ExitCodeValue;
  /** The result in words: one line, printed after the connection. */
  readonly summary: string;
}

/**
 * trustOutcome judges the last WatchSetup snapshot: exit 0 only when the
 * role was captured and the verifier proved it (VERIFIED); a failed
 * verification (with its reason and message), an expired or superseded
 * setup, or a watch that ended before any of these is exit 1.
 */
export function trustOutcome(setup: AwsTrustSetup | undefined, connection: Connection | undefined): TrustOutcome {
  const slug = connection?.slug ?? "";
  switch (setup?.state) {
    case AwsTrustSetupState.EXPIRED:
      return failed(
        `the setup expired at ${formatTime(setup.expiresAt)} before the CloudFormation stack reported a role: run \`planton connect aws\` again for a new link`,
      );
    case AwsTrustSetupState.SUPERSEDED:
      return failed("a newer setup for this connection replaced this one: use the newest link, or start again");
    case AwsTrustSetupState.COMPLETED:
      break;
    default:
      return failed(`stopped waiting while the setup is still pending: check later with \`planton connection get ${slug}\``);
  }
  const verification = connection?.lastVerification;
  switch (connection?.status) {
    case ConnectionStatus.VERIFIED:
      return {
        exitCode: ExitCode.ok,
        summary: `verified: the platform can assume ${setup.roleArn}${verification?.identity ? ` (as ${verification.identity})` : ""}`,
      };
    case ConnectionStatus.VERIFICATION_FAILED:
      return failed(`verification failed: ${verification?.reason || "UNKNOWN"}: ${verification?.message || "no details"}`);
    default:
      return failed(
        `the role was captured but the connection is ${enumLabel(ConnectionStatusSchema, connection?.status ?? 0)}: check later with \`planton connection get ${slug}\``,
      );
  }
}

function failed(summary: string): TrustOutcome {
  return { exitCode: ExitCode.failure, summary };
}
