import type { ConnectionSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { providerOf, runnerIdOf, runnerKindViolation, validateSpec, type AwsRuleOptions } from "@planton/providers";
import { badRequest, type FieldViolation } from "@planton/server";
import type { ConnectionsDeps } from "./connections-deps.js";

/**
 * Spec rules, plus for runner mode: the runner exists in the org and is of
 * a kind that can authenticate to the provider (runner-rules.ts). Throws
 * INVALID_ARGUMENT with every violation, `extra` (e.g. the name's) first.
 */
export async function checkSpec(
  deps: Pick<ConnectionsDeps, "runnerKind">,
  orgId: string,
  spec: ConnectionSpec | undefined,
  extra: FieldViolation[],
  options: AwsRuleOptions = {},
): Promise<void> {
  const violations = [...extra, ...validateSpec(spec, "spec", options)];
  const runnerId = spec ? runnerIdOf(spec) : undefined;
  if (spec && runnerId !== undefined && !violations.some((v) => v.field.endsWith("runner.runner_id"))) {
    const field = `spec.${spec.provider.case ?? ""}.runner.runner_id`;
    const kind = await deps.runnerKind(orgId, runnerId);
    if (kind === undefined) {
      violations.push({ field, reason: "NOT_FOUND", description: "no runner with this id in your organization" });
    } else {
      const wrongKind = runnerKindViolation(field, providerOf(spec), kind);
      if (wrongKind) violations.push(wrongKind);
    }
  }
  if (violations.length > 0) throw badRequest(violations);
}

/** The INVALID_ARGUMENT for a runner deleted between the check and the write (foreign key). */
export function runnerGone(spec: ConnectionSpec) {
  return badRequest([
    { field: `spec.${spec.provider.case ?? ""}.runner.runner_id`, reason: "NOT_FOUND", description: "no runner with this id in your organization" },
  ]);
}
