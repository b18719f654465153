import {
  GetDefaultConnectionResponseSchema,
  SetDefaultConnectionResponseSchema,
  UnsetDefaultConnectionResponseSchema,
  type DefaultConnection,
} from "@planton/proto/planton/connect/v1/authz_service_pb";
import { ProviderSchema } from "@planton/proto/planton/connect/v1/provider_pb";
import { Option, type Command } from "commander";
import { defaultConnectionFields } from "../authorization-view.js";
import { defaultScope } from "../authorization-scope.js";
import type { CliContext } from "../cli-context.js";
import { defineAction, withExamples } from "../command-kit.js";
import { enumChoices, enumLabel, parseEnum } from "../enum-labels.js";
import { jsonText, outputOption, type OutputFormat } from "../output.js";
import { renderKeyValues } from "../table.js";

interface DefaultOptions {
  readonly provider: string;
  readonly environment?: string;
  readonly output: OutputFormat;
}

/**
 * addDefaultCommands adds `planton connection default`: the connection a
 * provider resolves to when a deployment names none, per environment or for
 * the whole organization.
 */
export function addDefaultCommands(connection: Command, ctx: CliContext): void {
  const group = connection.command("default").description("the connection deployments use for a provider when they name none");
  withExamples(group, ["planton connection default set payments-prod-aws --environment prod", "planton connection default get --provider aws"]);

  const set = group
    .command("set")
    .description("make a connection the default for its provider in an environment, or in the whole organization without --environment")
    .argument("<connection>", "slug or id")
    .option("--environment <environment>", "the environment (default: the whole organization)")
    .addOption(outputOption());
  withExamples(set, ["planton connection default set payments-prod-aws --environment prod", "planton connection default set shared-dns-cloudflare"]);
  defineAction(set, async (ref: string, options: Omit<DefaultOptions, "provider">) => {
    const { scope, environment } = defaultScope(options.environment);
    const api = await ctx.api();
    const { connection: found } = await api.connections.getConnection({ connection: ref });
    const response = await api.authz.setDefaultConnection({ connection: ref, provider: found?.provider ?? 0, scope, environment });
    if (options.output === "json") ctx.out(jsonText(SetDefaultConnectionResponseSchema, response));
    else printDefault(ctx, response.defaultConnection);
  });

  const get = group
    .command("get")
    .description("show the default connection of a provider in an environment, or of the organization without --environment")
    .addOption(providerOption())
    .option("--environment <environment>", "the environment (default: the whole organization)")
    .addOption(outputOption());
  withExamples(get, ["planton connection default get --provider aws --environment prod"]);
  defineAction(get, async (options: DefaultOptions) => {
    const provider = parseEnum(ProviderSchema, options.provider, "--provider");
    const { scope, environment } = defaultScope(options.environment);
    const api = await ctx.api();
    const response = await api.authz.getDefaultConnection({ provider, scope, environment });
    if (options.output === "json") ctx.out(jsonText(GetDefaultConnectionResponseSchema, response));
    else printDefault(ctx, response.defaultConnection);
  });

  const unset = group
    .command("unset")
    .description("remove the default connection of a provider in an environment, or of the organization without --environment")
    .addOption(providerOption())
    .option("--environment <environment>", "the environment (default: the whole organization)")
    .addOption(outputOption());
  withExamples(unset, ["planton connection default unset --provider aws --environment prod"]);
  defineAction(unset, async (options: DefaultOptions) => {
    const provider = parseEnum(ProviderSchema, options.provider, "--provider");
    const { scope, environment } = defaultScope(options.environment);
    const api = await ctx.api();
    const response = await api.authz.unsetDefaultConnection({ provider, scope, environment });
    if (options.output === "json") ctx.out(jsonText(UnsetDefaultConnectionResponseSchema, response));
    else
      ctx.out(
        `removed the default ${enumLabel(ProviderSchema, provider)} connection of ${environment === "" ? "the organization" : `environment ${environment}`}`,
      );
  });
}

function providerOption(): Option {
  return new Option("--provider <provider>", "the provider").choices(enumChoices(ProviderSchema)).makeOptionMandatory();
}

function printDefault(ctx: CliContext, value: DefaultConnection | undefined): void {
  if (value === undefined) ctx.err("no default connection");
  else ctx.out(renderKeyValues(defaultConnectionFields(value)));
}
