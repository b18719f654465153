import { confirm } from "@inquirer/prompts";
import { create } from "@bufbuild/protobuf";
import {
  DeleteConnectionResponseSchema,
  GetConnectionResponseSchema,
  ListConnectionsResponseSchema,
  UpdateConnectionResponseSchema,
} from "@planton/proto/planton/connect/v1/connection_service_pb";
import type { Connection } from "@planton/proto/planton/connect/v1/connection_pb";
import { ConnectionStatusSchema, ProviderSchema } from "@planton/proto/planton/connect/v1/provider_pb";
import { Option, type Command } from "commander";
import type { CliContext } from "../cli-context.js";
import { defineAction, withExamples } from "../command-kit.js";
import { printConnectionResponse } from "../connection-output.js";
import { CONNECTION_COLUMNS, connectionRow, statusLabel } from "../connection-view.js";
import { enumChoices, parseEnum } from "../enum-labels.js";
import { ExitRequest, UsageError } from "../failures.js";
import { jsonText, outputOption, type OutputFormat } from "../output.js";
import { hasRotateFlags, rotationRequest, type RotateFlags } from "../rotation.js";
import { renderTable } from "../table.js";
import { addAuthCommands } from "./connection-auth.js";
import { addDefaultCommands } from "./connection-default.js";

interface Output {
  readonly output: OutputFormat;
}

/**
 * addConnectionCommands adds `planton connection`: list, get, rotate,
 * delete, and the `auth` and `default` groups.
 */
export function addConnectionCommands(program: Command, ctx: CliContext): void {
  const group = program.command("connection").description("list, inspect, rotate and delete connections; authorize them for environments; set defaults");
  withExamples(group, ["planton connection list --provider aws", "planton connection get payments-prod-aws"]);
  addList(group, ctx);
  addGet(group, ctx);
  addRotate(group, ctx);
  addDelete(group, ctx);
  addAuthCommands(group, ctx);
  addDefaultCommands(group, ctx);
}

function addList(group: Command, ctx: CliContext): void {
  const command = group
    .command("list")
    .description("list the organization's connections (every page)")
    .addOption(new Option("--provider <provider>", "only this provider").choices(enumChoices(ProviderSchema)))
    .addOption(new Option("--status <status>", "only this status").choices(enumChoices(ConnectionStatusSchema)))
    .addOption(new Option("--rotation-due", "only connections whose credential is past the age limit or close to its expiry"))
    .addOption(outputOption());
  withExamples(command, [
    "planton connection list",
    "planton connection list --provider aws --status verification_failed",
    "planton connection list --rotation-due",
    "planton connection list -o json",
  ]);
  defineAction(command, async (options: Output & { provider?: string; status?: string; rotationDue?: boolean }) => {
    const provider = options.provider === undefined ? 0 : parseEnum(ProviderSchema, options.provider, "--provider");
    const status = options.status === undefined ? 0 : parseEnum(ConnectionStatusSchema, options.status, "--status");
    const api = await ctx.api();
    const connections: Connection[] = [];
    let pageToken = "";
    do {
      const page = await api.connections.listConnections({ provider, status, rotationDue: options.rotationDue === true, pageSize: 100, pageToken });
      connections.push(...page.connections);
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    if (options.output === "json") {
      ctx.out(jsonText(ListConnectionsResponseSchema, create(ListConnectionsResponseSchema, { connections })));
    } else if (connections.length === 0) {
      ctx.err("no connections found");
    } else {
      ctx.out(
        renderTable(
          CONNECTION_COLUMNS,
          connections.map((c) => connectionRow(c, ctx.styles)),
        ),
      );
    }
  });
}

function addGet(group: Command, ctx: CliContext): void {
  const command = group
    .command("get")
    .description("show one connection: its fields (secrets only as masked hints) and its last verification")
    .argument("<connection>", "slug or id")
    .addOption(outputOption());
  withExamples(command, ["planton connection get payments-prod-aws", "planton connection get awsconn_01J... -o json"]);
  defineAction(command, async (ref: string, options: Output) => {
    const api = await ctx.api();
    const response = await api.connections.getConnection({ connection: ref });
    printConnectionResponse(ctx, options.output, GetConnectionResponseSchema, response);
  });
}

function addRotate(group: Command, ctx: CliContext): void {
  const command = group
    .command("rotate")
    .description(
      "replace a connection's secret with a new one (a new credential version; running deployments keep theirs). " +
        "aws: --access-key-id with --secret-access-key-stdin|-file; gcp: --key-file|--key-stdin; azure: --client-secret-stdin|-file; " +
        "digitalocean, civo, cloudflare: --api-token-stdin|-file",
    )
    .argument("<connection>", "slug or id")
    .option("--access-key-id <id>", "aws: the new access key id")
    .option("--secret-access-key-stdin", "aws: read the new secret access key from stdin")
    .option("--secret-access-key-file <path>", "aws: read the new secret access key from a file")
    .option("--key-file <path>", "gcp: the new service-account JSON key file")
    .option("--key-stdin", "gcp: read the new service-account JSON key from stdin")
    .option("--client-secret-stdin", "azure: read the new client secret from stdin")
    .option("--client-secret-file <path>", "azure: read the new client secret from a file")
    .option("--api-token-stdin", "digitalocean, civo, cloudflare: read the new API token from stdin")
    .option("--api-token-file <path>", "digitalocean, civo, cloudflare: read the new API token from a file")
    .addOption(outputOption());
  withExamples(command, [
    "planton connection rotate payments-prod-aws --access-key-id AKIA... --secret-access-key-file new-secret.txt",
    "planton connection rotate payments-prod-gcp --key-file new-key.json",
    'printf %s "$NEW_TOKEN" | planton connection rotate payments-prod-do --api-token-stdin',
  ]);
  defineAction(command, async (ref: string, options: RotateFlags & Output) => {
    if (!hasRotateFlags(options)) {
      throw new UsageError(
        "nothing to rotate: give the new secret (aws: --access-key-id with --secret-access-key-stdin|-file; gcp: --key-file|--key-stdin; " +
          "azure: --client-secret-stdin|-file; digitalocean, civo, cloudflare: --api-token-stdin|-file)",
      );
    }
    const api = await ctx.api();
    const { connection } = await api.connections.getConnection({ connection: ref });
    if (connection === undefined) throw new Error(`the API returned no connection for "${ref}"`);
    const request = await rotationRequest({ connection: connection.id, provider: connection.provider, etag: connection.etag }, options, ctx.secrets);
    const response = await api.connections.updateConnection(request);
    const updated = response.connection ?? connection;
    if (options.output !== "json") {
      ctx.out(
        response.rotated
          ? `rotated ${updated.slug}: credential version ${updated.credentialVersion} (${statusLabel(updated.status, ctx.styles)})`
          : `${updated.slug}: nothing changed, still credential version ${updated.credentialVersion}`,
      );
    }
    printConnectionResponse(ctx, options.output, UpdateConnectionResponseSchema, response);
  });
}

function addDelete(group: Command, ctx: CliContext): void {
  const command = group
    .command("delete")
    .description("delete a connection and destroy every stored version of its credentials")
    .argument("<connection>", "slug or id")
    .option("--force", "delete even while deployments are pinned to the connection")
    .option("--yes", "do not ask for confirmation (required without a terminal)")
    .addOption(outputOption());
  withExamples(command, ["planton connection delete payments-staging-aws", "planton connection delete payments-staging-aws --yes --force"]);
  defineAction(command, async (ref: string, options: Output & { force?: boolean; yes?: boolean }) => {
    if (options.yes !== true && !ctx.interactive) throw new UsageError("deleting without a terminal to confirm in needs --yes");
    const api = await ctx.api();
    const { connection } = await api.connections.getConnection({ connection: ref });
    if (connection === undefined) throw new Error(`the API returned no connection for "${ref}"`);
    if (options.yes !== true) {
      const message = `Delete connection ${connection.slug} (${connection.id}) and destroy its stored credentials?`;
      const sure = await ctx.prompt((context) => confirm({ message, default: false }, context));
      if (!sure) {
        ctx.err("not deleted");
        throw new ExitRequest(1);
      }
    }
    const response = await api.connections.deleteConnection({ connection: connection.id, etag: connection.etag, force: options.force === true });
    if (options.output === "json") ctx.out(jsonText(DeleteConnectionResponseSchema, response));
    else ctx.out(`deleted connection ${connection.slug} (${connection.id})`);
  });
}
