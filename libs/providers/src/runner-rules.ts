import type { RunnerAuth } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { Provider, RunnerIdentityKind } from "@planton/proto/planton/connect/v1/provider_pb";
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

/**
 * RUNNER_KINDS_BY_PROVIDER says which runner identity kinds can authenticate
 * to each provider that has a runner mode: AWS only through IRSA, GCP only
 * through Workload Identity, Azure only through a Managed Identity. A runner
 * of another kind holds no identity the provider would accept, so a
 * connection bound to it could never work. Providers without a runner mode
 * are absent. The one place this mapping lives.
 *
 * The registry applies it wherever a connection gets a runner
 * (CreateConnection, UpdateConnection). A runner's kind cannot change under
 * its connections: RunnerService has no update (a runner's identity is fixed
 * at registration; a different identity is a new runner) and DeleteRunner is
 * refused while a connection uses the runner. Should an update ever be added,
 * a kind change must be refused while connections use the runner.
 */
export const RUNNER_KINDS_BY_PROVIDER: Readonly<Partial<Record<Provider, readonly RunnerIdentityKind[]>>> = Object.freeze({
  [Provider.AWS]: Object.freeze([RunnerIdentityKind.AWS_IRSA]),
  [Provider.GCP]: Object.freeze([RunnerIdentityKind.GCP_WORKLOAD_IDENTITY]),
  [Provider.AZURE]: Object.freeze([RunnerIdentityKind.AZURE_MANAGED_IDENTITY]),
});

/** runnerKindAccepted tells whether a runner of `kind` can authenticate a connection of `provider`. */
export function runnerKindAccepted(provider: Provider, kind: RunnerIdentityKind): boolean {
  return RUNNER_KINDS_BY_PROVIDER[provider]?.includes(kind) ?? false;
}

/**
 * runnerKindViolation returns the violation for a runner of `kind` bound at
 * `field` (e.g. `spec.aws.runner.runner_id`) to a connection of `provider`,
 * naming the kinds the provider accepts (`MISMATCH`); undefined when the
 * kind is accepted.
 */
export function runnerKindViolation(field: string, provider: Provider, kind: RunnerIdentityKind): FieldViolation | undefined {
  if (runnerKindAccepted(provider, kind)) return undefined;
  const accepted = (RUNNER_KINDS_BY_PROVIDER[provider] ?? []).map(runnerKindName);
  const actual = RunnerIdentityKind[kind] === undefined ? `kind ${kind}` : runnerKindName(kind);
  return {
    field,
    reason: "MISMATCH",
    description:
      accepted.length === 0
        ? `${Provider[provider] ?? "this provider"} connections cannot use a runner`
        : `must name a runner of kind ${accepted.join(" or ")}; this runner is ${actual}, which cannot authenticate to ${Provider[provider]}`,
  };
}

// The proto enum value name, as the JSON API spells it.
function runnerKindName(kind: RunnerIdentityKind): string {
  return `RUNNER_IDENTITY_KIND_${RunnerIdentityKind[kind]}`;
}
