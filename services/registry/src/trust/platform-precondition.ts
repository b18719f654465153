import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { ErrorInfoSchema } from "@planton/proto/google/rpc/error_details_pb";
import type { PlatformIssue } from "../config.js";

/** `google.rpc.ErrorInfo` reason of a refusal because of the platform's own configuration. */
const PLATFORM_NOT_CONFIGURED = "PLATFORM_NOT_CONFIGURED";
/** `google.rpc.ErrorInfo` domain of this system's reasons. */
const ERROR_DOMAIN = "planton.connect";

/**
 * platformNotConfigured is StartSetup's answer while the platform itself
 * cannot do AWS cross-account trust (see TrustConfig.platformIssues):
 * `FAILED_PRECONDITION` with a message saying it is the operator's to fix
 * and that nothing was created, and a `google.rpc.ErrorInfo` detail (reason
 * PLATFORM_NOT_CONFIGURED, domain planton.connect) whose metadata maps each
 * setting to set to what is wrong with it. Settings are names and ARNs, never
 * secrets.
 */
export function platformNotConfigured(issues: readonly PlatformIssue[]): ConnectError {
  const list = issues.map((issue) => `${issue.setting} ${issue.description}`).join("; ");
  return new ConnectError(
    `AWS cross-account trust is not available on this platform yet: its operator must configure it (${list}). Nothing was created; this is not a problem with your AWS account.`,
    Code.FailedPrecondition,
    undefined,
    [
      {
        desc: ErrorInfoSchema,
        value: create(ErrorInfoSchema, {
          reason: PLATFORM_NOT_CONFIGURED,
          domain: ERROR_DOMAIN,
          metadata: Object.fromEntries(issues.map((issue) => [issue.setting, issue.description])),
        }),
      },
    ],
  );
}
