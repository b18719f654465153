import { ResolveCredentialsResponseSchema } from "@planton/proto/planton/connect/v1/authz_service_pb";
import { ProviderSchema } from "@planton/proto/planton/connect/v1/provider_pb";
import { Option, type Command } from "commander";
import type { CliContext } from "../cli-context.js";
import { defineAction, withExamples } from "../command-kit.js";
import { credentialEnvLines, credentialFields, parseSessionDuration } from "../credentials-output.js";
import { enumChoices, parseEnum } from "../enum-labels.js";
import { UsageError } from "../failures.js";
import { jsonText } from "../output.js";
import { renderKeyValues } from "../table.js";

interface ResolveOptions {
  readonly deployment: string;
  readonly environment: string;
  readonly provider: string;
  readonly connection?: string;
  readonly session?: boolean;
  readonly duration?: string;
  readonly output: "table" | "json" | "env";
}

/**
 * addCredentialsCommands adds `planton credentials resolve`: what a
 * deployment gets from ResolveCredentials (needs `credentials:resolve`),
 * with `--session` for temporary AWS credentials minted for it from a
 * cross-account trust role.
 */
export function addCredentialsCommands(program: Command, ctx: CliContext): void {
  const group = program.command("credentials").description("the credentials deployments resolve");
  withExamples(group, ["planton credentials resolve --deployment deploy-42 --environment prod --provider aws --session -o env"]);
  const resolve = group
    .command("resolve")
    .description("resolve a deployment's credentials (pins the deployment to the connection's current version on its first resolve)")
    .requiredOption("--deployment <id>", "the deployment id")
    .requiredOption("--environment <environment>", "the environment it deploys to")
    .addOption(new Option("--provider <provider>", "the provider").choices(enumChoices(ProviderSchema)).makeOptionMandatory())
    .option("--connection <connection>", "slug or id (default: the environment's, then the organization's default)")
    .option("--session", "AWS cross-account trust: temporary credentials minted for this deployment instead of the role to assume")
    .option("--duration <duration>", "with --session: how long they last, 15m to 12h (default 1h; never past the role's maximum)")
    .addOption(
      new Option("-o, --output <format>", "table (no secrets), env (export lines for a shell) or json (everything)")
        .choices(["table", "env", "json"])
        .default("table"),
    );
  withExamples(resolve, [
    "planton credentials resolve --deployment deploy-42 --environment prod --provider aws --session -o env",
    'eval "$(planton credentials resolve --deployment deploy-42 --environment prod --provider aws --session --duration 2h -o env)"',
    "planton credentials resolve --deployment deploy-42 --environment prod --provider aws -o json",
  ]);
  defineAction(resolve, async (options: ResolveOptions) => {
    const provider = parseEnum(ProviderSchema, options.provider, "--provider");
    if (options.duration !== undefined && options.session !== true) throw new UsageError("--duration needs --session");
    const seconds = options.duration === undefined ? undefined : parseSessionDuration(options.duration);
    const api = await ctx.api();
    const response = await api.authz.resolveCredentials({
      deploymentId: options.deployment,
      environment: options.environment,
      provider,
      connection: options.connection ?? "",
      sessionCredentials: options.session === true,
      ...(seconds !== undefined ? { sessionDuration: { seconds: BigInt(seconds) } } : {}),
    });
    if (options.output === "json") ctx.out(jsonText(ResolveCredentialsResponseSchema, response));
    else if (options.output === "env") ctx.out(credentialEnvLines(response).join("\n"));
    else ctx.out(renderKeyValues(credentialFields(response)));
  });
}
