import { create } from "@bufbuild/protobuf";
import {
  DeleteRunnerResponseSchema,
  ListRunnersResponseSchema,
  RegisterRunnerResponseSchema,
  type Runner,
} from "@planton/proto/planton/connect/v1/runner_service_pb";
import { RunnerIdentityKindSchema } from "@planton/proto/planton/connect/v1/provider_pb";
import { Option, type Command } from "commander";
import type { CliContext } from "../cli-context.js";
import { defineAction, withExamples } from "../command-kit.js";
import { parseEnum } from "../enum-labels.js";
import { jsonText, outputOption, type OutputFormat } from "../output.js";
import { findRunner, listAllRunners } from "../runner-lookup.js";
import { RUNNER_COLUMNS, runnerFields, runnerRow } from "../runner-view.js";
import { renderKeyValues, renderTable } from "../table.js";

/** RUNNER_KINDS are the values `--kind` accepts. */
const RUNNER_KINDS = ["aws-irsa", "gcp-workload-identity", "azure-managed-identity"] as const;

interface Output {
  readonly output: OutputFormat;
}

/**
 * addRunnerCommands adds `planton runner`: register (prints the runner's
 * token, once), list, delete.
 */
export function addRunnerCommands(program: Command, ctx: CliContext): void {
  const group = program.command("runner").description("register the runners that deploy with their own workload identity (no stored secret)");
  withExamples(group, ["planton runner list"]);

  const register = group
    .command("register")
    .description("register a runner and print its token, which is shown this once")
    .requiredOption("--name <name>", "runner name, unique in the organization")
    .addOption(new Option("--kind <kind>", "the workload identity it runs under").choices(RUNNER_KINDS).makeOptionMandatory())
    .requiredOption(
      "--principal <principal>",
      "the identity: an IAM role ARN (aws-irsa), a service-account email (gcp-workload-identity) or a managed identity's client id (azure-managed-identity)",
    )
    .addOption(outputOption());
  withExamples(register, [
    "planton runner register --name eks-runner --kind aws-irsa --principal arn:aws:iam::123456789012:role/planton-runner",
    "planton runner register --name gke-runner --kind gcp-workload-identity --principal runner@payments-prod.iam.gserviceaccount.com",
  ]);
  defineAction(register, async (options: Output & { name: string; kind: string; principal: string }) => {
    const kind = parseEnum(RunnerIdentityKindSchema, options.kind, "--kind");
    const api = await ctx.api();
    const response = await api.runners.registerRunner({ name: options.name, identity: { kind, principal: options.principal } });
    // The one place a secret is printed: the user asked for this token and cannot read it again.
    if (options.output === "json") {
      ctx.out(jsonText(RegisterRunnerResponseSchema, response));
    } else {
      ctx.out(renderKeyValues([...(response.runner === undefined ? [] : runnerFields(response.runner)), ["TOKEN", response.token]]));
    }
    ctx.err("note: store the token now: it cannot be shown again");
  });

  const list = group.command("list").description("list the organization's runners (every page)").addOption(outputOption());
  withExamples(list, ["planton runner list", "planton runner list -o json"]);
  defineAction(list, async (options: Output) => {
    const api = await ctx.api();
    const runners: Runner[] = [];
    for await (const runner of listAllRunners(api.runners)) runners.push(runner);
    if (options.output === "json") ctx.out(jsonText(ListRunnersResponseSchema, create(ListRunnersResponseSchema, { runners })));
    else if (runners.length === 0) ctx.err("no runners found");
    else ctx.out(renderTable(RUNNER_COLUMNS, runners.map(runnerRow)));
  });

  const remove = group
    .command("delete")
    .description("delete a runner (refused while a connection uses it)")
    .argument("<runner>", "runner id or name")
    .addOption(outputOption());
  withExamples(remove, ["planton runner delete eks-runner"]);
  defineAction(remove, async (ref: string, options: Output) => {
    const api = await ctx.api();
    const runner = await findRunner(api.runners, ref);
    const response = await api.runners.deleteRunner({ runnerId: runner.id });
    if (options.output === "json") ctx.out(jsonText(DeleteRunnerResponseSchema, response));
    else ctx.out(`deleted runner ${runner.name} (${runner.id})`);
  });
}
