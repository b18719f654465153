import type { Runner } from "@planton/proto/planton/connect/v1/runner_service_pb";
import { RunnerIdentityKindSchema } from "@planton/proto/planton/connect/v1/provider_pb";
import { enumLabel } from "./enum-labels.js";
import { formatTime } from "./format-values.js";

/** RUNNER_COLUMNS are the headers of `planton runner list`. */
export const RUNNER_COLUMNS = ["NAME", "KIND", "PRINCIPAL", "TOKEN", "CREATED", "ID"] as const;

/** runnerRow is one line of `planton runner list`; TOKEN is the masked hint, never the token. */
export function runnerRow(runner: Runner): string[] {
  return [
    runner.name,
    enumLabel(RunnerIdentityKindSchema, runner.identity?.kind ?? 0),
    runner.identity?.principal ?? "",
    runner.tokenHint,
    formatTime(runner.createTime),
    runner.id,
  ];
}

/** runnerFields is the KEY VALUE layout of one runner. */
export function runnerFields(runner: Runner): [string, string][] {
  return [
    ["NAME", runner.name],
    ["ID", runner.id],
    ["KIND", enumLabel(RunnerIdentityKindSchema, runner.identity?.kind ?? 0)],
    ["PRINCIPAL", runner.identity?.principal ?? ""],
    ["TOKEN HINT", runner.tokenHint],
    ["CREATED", formatTime(runner.createTime)],
  ];
}
