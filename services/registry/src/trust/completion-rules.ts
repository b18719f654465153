import { AwsTrustSetupState, type CompleteSetupRequest } from "@planton/proto/planton/connect/v1/aws_trust_service_pb";
import { awsPartitionOf, roleArnAccount } from "@planton/providers";
import { Violations } from "@planton/server";
import { SetupAlreadyCompletedError, SetupClosedError } from "../errors.js";
import type { AwsTrustSetupRow } from "../schema.js";
import { effectiveState } from "./setup-view.js";

// arn:aws:cloudformation:<region>:<account>:stack/<name>/<uuid>
// Groups: 1 partition, 2 region, 3 account.
const STACK_ARN = /^arn:(aws|aws-cn|aws-us-gov):cloudformation:([a-z]{2}(?:-gov)?-[a-z]+-\d):(\d{12}):stack\/[A-Za-z][A-Za-z0-9-]{0,127}\/[0-9a-f-]{36}$/;

/**
 * A completion is possible only while the setup is pending and unexpired:
 * throws ALREADY_EXISTS for a completed setup, FAILED_PRECONDITION saying
 * why for a superseded or expired one.
 */
export function checkOpen(setup: AwsTrustSetupRow, at: Date): void {
  switch (effectiveState(setup, at)) {
    case AwsTrustSetupState.PENDING:
      return;
    case AwsTrustSetupState.COMPLETED:
      throw new SetupAlreadyCompletedError();
    case AwsTrustSetupState.SUPERSEDED:
      throw new SetupClosedError("a newer setup replaced this one: use the newest link, or start a new setup");
    default:
      throw new SetupClosedError(`this setup expired at ${setup.expires_at.toISOString()}: start a new setup and use its link`);
  }
}

/** What the stack reports must be a role and a stack of the setup's account; INVALID_ARGUMENT otherwise. */
export function checkCompletion(request: CompleteSetupRequest, setup: AwsTrustSetupRow): void {
  const v = new Violations();
  const roleAccount = roleArnAccount(request.roleArn);
  v.check(
    request.accountId === setup.account_id,
    "account_id",
    request.accountId === "" ? "REQUIRED" : "MISMATCH",
    `must be the account the setup was started for (${setup.account_id})`,
  );
  if (request.roleArn === "") v.check(false, "role_arn", "REQUIRED", "is required");
  else if (roleAccount === undefined) v.check(false, "role_arn", "PATTERN", "must be an IAM role ARN: arn:aws:iam::<12-digit account>:role/<name>");
  else v.check(roleAccount === setup.account_id, "role_arn", "MISMATCH", `must be a role of account ${setup.account_id}`);
  const stack = STACK_ARN.exec(request.stackId);
  if (request.stackId === "") v.check(false, "stack_id", "REQUIRED", "is required");
  else if (stack === null) v.check(false, "stack_id", "PATTERN", "must be a CloudFormation stack ARN");
  // A stack lives in a real region of its ARN's partition.
  else if (awsPartitionOf(stack[2]!) !== stack[1])
    v.check(false, "stack_id", "PATTERN", "must be a CloudFormation stack ARN of a known region of its partition");
  else v.check(stack[3] === setup.account_id, "stack_id", "MISMATCH", `must be a stack of account ${setup.account_id}`);
  v.throwIfAny();
}
