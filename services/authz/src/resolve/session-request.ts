import type { Duration } from "@bufbuild/protobuf/wkt";
import { Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import type { Violations } from "@planton/server";
import type { ResolveInput } from "./resolver-deps.js";

/** Session bounds of STS AssumeRole: 15 minutes to 12 hours; 1 hour unless asked. */
const SESSION_SECONDS = { min: 900, max: 43_200, default: 3_600 } as const;

/**
 * checkSessionRequest adds the violations of a request's session fields to
 * `v` and returns the session's duration in seconds: `session_duration`
 * only with `session_credentials`, whole seconds from 15 minutes to 12
 * hours (1 hour when unset); `session_credentials` only for AWS (whether
 * the connection is a trust connection is known once it is chosen). Only
 * called when either field is set, so plain resolves pay nothing.
 */
export function checkSessionRequest(v: Violations, input: ResolveInput): number {
  const duration: Duration | undefined = input.sessionDuration;
  v.check(input.sessionCredentials === true || duration === undefined, "session_duration", "SESSION_ONLY", "is only allowed with session_credentials").check(
    input.sessionCredentials !== true || input.provider === Provider.AWS || input.provider === Provider.UNSPECIFIED,
    "session_credentials",
    "AWS_ONLY",
    "is only for AWS cross-account trust connections",
  );
  if (duration === undefined) return SESSION_SECONDS.default;
  const seconds = Number(duration.seconds);
  v.check(
    duration.nanos === 0 && seconds >= SESSION_SECONDS.min && seconds <= SESSION_SECONDS.max,
    "session_duration",
    "RANGE",
    "must be whole seconds from 15 minutes (900s) to 12 hours (43200s)",
  );
  return seconds;
}
