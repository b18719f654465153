import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { AwsTrustSetupSchema, AwsTrustSetupState, type AwsTrustSetup } from "@planton/proto/planton/connect/v1/aws_trust_service_pb";
import type { AwsTrustSetupRow } from "../schema.js";

/**
 * effectiveState is a setup's state as of `now`: a pending setup past its
 * expiry is EXPIRED even before the sweep has marked it.
 */
export function effectiveState(row: AwsTrustSetupRow, now: Date): AwsTrustSetupState {
  return row.state === AwsTrustSetupState.PENDING && row.expires_at.getTime() <= now.getTime() ? AwsTrustSetupState.EXPIRED : row.state;
}

/** toSetup maps a setup row to the API message (no token, no external id: neither is stored here). */
export function toSetup(row: AwsTrustSetupRow, now: Date): AwsTrustSetup {
  return create(AwsTrustSetupSchema, {
    setupId: row.id,
    connectionId: row.connection_id,
    state: effectiveState(row, now),
    accountId: row.account_id,
    region: row.region,
    capabilities: row.capabilities,
    reconnect: row.reconnect,
    expiresAt: timestampFromDate(row.expires_at),
    createTime: timestampFromDate(row.created_at),
    ...(row.completed_at ? { completeTime: timestampFromDate(row.completed_at) } : {}),
    roleArn: row.role_arn ?? "",
    stackId: row.stack_id ?? "",
    stackName: row.stack_name,
  });
}
