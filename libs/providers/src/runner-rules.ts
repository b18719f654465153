import type { RunnerAuth } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import type { FieldViolation } from "./field-violation.js";
import { checkString, matches } from "./string-rules.js";

/**
 * RUNNER_ID_PATTERN is the shape of a runner id (`runner_` + up to 40
 * lowercase letters or digits). Only the shape is checked here: whether the
 * runner exists in the caller's organization is the registry's question.
 */
export const RUNNER_ID_PATTERN = /^runner_[a-z0-9]{1,40}$/;

/**
 * validateRunner appends the violations of a `RunnerAuth` found at `prefix`
 * (e.g. `spec.aws.runner`) to `out`: `runner_id` is required and shaped like
 * {@link RUNNER_ID_PATTERN}.
 */
export function validateRunner(out: FieldViolation[], prefix: string, runner: RunnerAuth): void {
  checkString(out, `${prefix}.runner_id`, runner.runnerId, {
    required: true,
    checks: [matches(RUNNER_ID_PATTERN, "must be runner_ followed by 1 to 40 lowercase letters or digits")],
  });
}
