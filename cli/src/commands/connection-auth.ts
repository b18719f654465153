import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import {
  AuthorizeConnectionResponseSchema,
  ListAuthorizationsResponseSchema,
  RevokeAuthorizationResponseSchema,
  type Authorization,
} from "@planton/proto/planton/connect/v1/authz_service_pb";
import type { Command } from "commander";
import { AUTHORIZATION_COLUMNS, authorizationRow } from "../authorization-view.js";
import { authorizationScope } from "../authorization-scope.js";
import type { CliContext } from "../cli-context.js";
import { defineAction, withExamples } from "../command-kit.js";
import { UsageError } from "../failures.js";
import { jsonText, outputOption, type OutputFormat } from "../output.js";
import { renderTable } from "../table.js";

interface ScopeOptions {
  readonly org?: boolean;
  readonly environments?: string;
  readonly output: OutputFormat;
}

/**
 * addAuthCommands adds `planton connection auth`: authorize a connection
 * for the whole organization or for listed environments, list
 * authorizations, revoke them.
 */
export function addAuthCommands(connection: Command, ctx: CliContext): void {
  const group = connection.command("auth").description("decide which environments may use a connection");
  withExamples(group, ["planton connection auth create payments-prod-aws --environments prod", "planton connection auth list --environment prod"]);

  const create = group
    .command("create")
    .description("authorize a connection for every environment of the organization (--org) or for the listed ones")
    .argument("<connection>", "slug or id")
    .option("--org", "every environment of the organization, present and future")
    .option("--environments <list>", "comma-separated environment slugs, e.g. prod,staging")
    .addOption(outputOption());
  withExamples(create, [
    "planton connection auth create payments-prod-aws --environments prod,prod-eu",
    "planton connection auth create shared-dns-cloudflare --org",
  ]);
  defineAction(create, async (ref: string, options: ScopeOptions) => {
    const { scope, environments } = authorizationScope(options.org, options.environments);
    const api = await ctx.api();
    const response = await api.authz.authorizeConnection({ connection: ref, scope, environments });
    print(ctx, options.output, AuthorizeConnectionResponseSchema, response, response.authorizations);
  });

  const list = group
    .command("list")
    .description("list the authorizations of a connection, or what may be used in an environment")
    .argument("[connection]", "slug or id")
    .option("--environment <environment>", "list the authorizations that apply to this environment instead")
    .addOption(outputOption());
  withExamples(list, ["planton connection auth list payments-prod-aws", "planton connection auth list --environment prod"]);
  defineAction(list, async (ref: string | undefined, options: { environment?: string; output: OutputFormat }) => {
    if ((ref === undefined) === (options.environment === undefined)) throw new UsageError("give either a connection or --environment <environment>");
    const api = await ctx.api();
    const response = await api.authz.listAuthorizations({ connection: ref ?? "", environment: options.environment ?? "" });
    print(ctx, options.output, ListAuthorizationsResponseSchema, response, response.authorizations);
  });

  const remove = group
    .command("delete")
    .description("revoke a connection's organization-wide authorization (--org) or its authorizations for the listed environments")
    .argument("<connection>", "slug or id")
    .option("--org", "the organization-wide authorization")
    .option("--environments <list>", "comma-separated environment slugs, e.g. staging")
    .addOption(outputOption());
  withExamples(remove, [
    "planton connection auth delete payments-prod-aws --environments staging",
    "planton connection auth delete shared-dns-cloudflare --org",
  ]);
  defineAction(remove, async (ref: string, options: ScopeOptions) => {
    const { scope, environments } = authorizationScope(options.org, options.environments);
    const api = await ctx.api();
    const response = await api.authz.revokeAuthorization({ connection: ref, scope, environments });
    print(ctx, options.output, RevokeAuthorizationResponseSchema, response, response.authorizations);
  });
}

function print<Desc extends DescMessage>(
  ctx: CliContext,
  output: OutputFormat,
  schema: Desc,
  response: MessageShape<Desc>,
  authorizations: readonly Authorization[],
): void {
  if (output === "json") ctx.out(jsonText(schema, response));
  else if (authorizations.length === 0) ctx.err("no authorizations");
  else ctx.out(renderTable(AUTHORIZATION_COLUMNS, authorizations.map(authorizationRow)));
}
