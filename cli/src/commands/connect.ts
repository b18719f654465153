import { CreateConnectionResponseSchema, type CreateConnectionRequest } from "@planton/proto/planton/connect/v1/connection_service_pb";
import type { AwsCapability } from "@planton/proto/planton/connect/v1/provider_pb";
import { Command } from "commander";
import { askAwsConnection } from "../aws-prompts.js";
import { awsCreateRequest, awsMode, missingAwsFlags, startSetupRequest, type AwsFlags } from "../aws-requests.js";
import { CAPABILITIES } from "../capabilities.js";
import type { CliContext } from "../cli-context.js";
import { defineAction, withExamples } from "../command-kit.js";
import {
  azureCreateRequest,
  civoCreateRequest,
  cloudflareCreateRequest,
  digitalOceanCreateRequest,
  gcpCreateRequest,
  type AzureFlags,
  type CivoFlags,
  type CloudflareFlags,
  type DigitalOceanFlags,
  type GcpFlags,
  type RequestSources,
} from "../connect-requests.js";
import { printConnectionResponse } from "../connection-output.js";
import { ExitRequest, UsageError } from "../failures.js";
import { outputOption, type OutputFormat } from "../output.js";
import { findRunner } from "../runner-lookup.js";
import { runTrustFlow } from "../trust-flow.js";

interface Output {
  readonly output: OutputFormat;
}

/**
 * addConnectCommands adds `planton connect <provider>` for the six
 * providers. Each creates a connection and prints it; `aws` by default runs
 * the cross-account trust flow instead (no long-lived keys), and asks its
 * questions in a terminal when given no flags.
 */
export function addConnectCommands(program: Command, ctx: CliContext): void {
  const connect = program.command("connect").description("connect a cloud account: aws, gcp, azure, digitalocean, civo, cloudflare");
  withExamples(connect, ["planton connect aws", "planton connect gcp --name payments-prod-gcp --key-file key.json"]);
  addAws(connect, ctx);
  addGcp(connect, ctx);
  addAzure(connect, ctx);
  addDigitalOcean(connect, ctx);
  addCivo(connect, ctx);
  addCloudflare(connect, ctx);
}

function addAws(connect: Command, ctx: CliContext): void {
  const command = connect
    .command("aws")
    .description(
      "connect an AWS account. By default through cross-account trust: a CloudFormation Quick Create link creates an IAM role " +
        "that trusts the platform, and the command waits until the role is reported and verified. " +
        "Without flags in a terminal, it asks its questions.",
    )
    .option("--name <name>", "connection name, <provider>-<purpose> (e.g. aws-payments-prod)")
    .option("--account-id <id>", "12-digit AWS account id")
    .option("--region <region>", "region of the stack and default region of the connection (default: us-west-2); an AWS commercial, GovCloud or China region")
    .option("--capabilities <list>", `what the role may deploy, comma-separated (default: all): ${CAPABILITIES.map((c) => c.name).join(",")}`)
    .option("--reconnect <connection>", "replace the role of an existing connection (slug or id), e.g. to change capabilities or to move from keys to a role")
    .option("--access-key-id <id>", "connect with a long-lived access key instead (with --secret-access-key-stdin or --secret-access-key-file)")
    .option("--secret-access-key-stdin", "read the secret access key from stdin")
    .option("--secret-access-key-file <path>", "read the secret access key from a file")
    .option("--runner <runner>", "authenticate as a registered runner (id or name) instead, with its IRSA identity")
    .option("--no-browser", "do not open the link, only print it")
    .option("--no-wait", "print the link and the setup id and exit without waiting for the stack")
    .addOption(outputOption());
  withExamples(command, [
    "planton connect aws",
    "planton connect aws --name payments-prod-aws --account-id 123456789012 --capabilities eks,vpc_networking,s3_storage",
    "planton connect aws --reconnect payments-prod-aws --capabilities eks,ecr --no-browser",
    "planton connect aws --name payments-prod-aws --account-id 123456789012 --access-key-id AKIA... --secret-access-key-file key.txt",
    "planton connect aws --name payments-prod-aws --account-id 123456789012 --runner eks-runner",
  ]);
  defineAction(command, async (options: AwsFlags & Output & { browser: boolean; wait: boolean }) => {
    const given: AwsFlags = {
      name: options.name,
      accountId: options.accountId,
      region: options.region,
      capabilities: options.capabilities,
      reconnect: options.reconnect,
      accessKeyId: options.accessKeyId,
      secretAccessKeyStdin: options.secretAccessKeyStdin,
      secretAccessKeyFile: options.secretAccessKeyFile,
      runner: options.runner,
    };
    const mode = awsMode(given);
    const missing = missingAwsFlags(given);
    if (missing.length > 0 && !ctx.interactive) {
      throw new UsageError(`${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} required for a new connection (or --reconnect <connection>)`);
    }
    // Fail on a missing token before asking anything.
    await ctx.api();
    let flags = given;
    let capabilities: AwsCapability[] | undefined;
    if (missing.length > 0) {
      const noFlags = Object.values(given).every((v) => v === undefined);
      ({ flags, capabilities } = await askAwsConnection((run) => ctx.prompt(run), given, noFlags, ctx.out));
    }
    if (mode === "trust") {
      const exitCode = await runTrustFlow(ctx, startSetupRequest(flags, capabilities), {
        browser: options.browser,
        wait: options.wait,
        output: options.output,
      });
      if (exitCode !== 0) throw new ExitRequest(exitCode);
      return;
    }
    await create(ctx, options.output, await awsCreateRequest(flags, sources(ctx)));
  });
}

function addGcp(connect: Command, ctx: CliContext): void {
  const command = connect
    .command("gcp")
    .description("connect a GCP project with a service-account key, or through a runner's Workload Identity")
    .requiredOption("--name <name>", "connection name, <provider>-<purpose> (e.g. gcp-payments-prod)")
    .option("--key-file <path>", "the service-account JSON key file as downloaded from GCP")
    .option("--key-stdin", "read the service-account JSON key from stdin")
    .option("--runner <runner>", "authenticate as a registered runner (id or name) instead, with --project-id")
    .option("--project-id <id>", "the GCP project (required with --runner; taken from the key otherwise)")
    .addOption(outputOption());
  withExamples(command, [
    "planton connect gcp --name payments-prod-gcp --key-file ~/Downloads/payments-prod-1a2b3c.json",
    "planton connect gcp --name payments-prod-gcp --runner gke-runner --project-id payments-prod",
  ]);
  defineAction(command, async (options: GcpFlags & Output) => create(ctx, options.output, await gcpCreateRequest(options, sources(ctx))));
}

function addAzure(connect: Command, ctx: CliContext): void {
  const command = connect
    .command("azure")
    .description("connect an Azure subscription with a service principal, or through a runner's managed identity")
    .requiredOption("--name <name>", "connection name, <provider>-<purpose> (e.g. azure-payments-prod)")
    .requiredOption("--tenant-id <uuid>", "Entra ID tenant")
    .requiredOption("--subscription-id <uuid>", "subscription")
    .option("--client-id <uuid>", "the service principal's application (client) id")
    .option("--client-secret-stdin", "read the client secret from stdin")
    .option("--client-secret-file <path>", "read the client secret from a file")
    .option("--runner <runner>", "authenticate as a registered runner (id or name) instead")
    .addOption(outputOption());
  withExamples(command, [
    "planton connect azure --name payments-prod-azure --tenant-id 8f0c... --subscription-id 1d2e... --client-id 4a5b... --client-secret-file secret.txt",
    "planton connect azure --name payments-prod-azure --tenant-id 8f0c... --subscription-id 1d2e... --runner aks-runner",
  ]);
  defineAction(command, async (options: AzureFlags & Output) => create(ctx, options.output, await azureCreateRequest(options, sources(ctx))));
}

function addDigitalOcean(connect: Command, ctx: CliContext): void {
  const command = connect
    .command("digitalocean")
    .description("connect a DigitalOcean team with a personal access token, optionally with Spaces keys")
    .requiredOption("--name <name>", "connection name, <provider>-<purpose> (e.g. digitalocean-payments-prod)")
    .requiredOption(
      "--default-region <region>",
      "default region slug, e.g. nyc3, ams3, fra1 (the server checks it against DigitalOcean's regions and suggests near matches)",
    )
    .option("--api-token-stdin", "read the API token from stdin")
    .option("--api-token-file <path>", "read the API token from a file")
    .option("--spaces-access-id <id>", "Spaces access key id (with --spaces-secret-key-stdin or --spaces-secret-key-file)")
    .option("--spaces-secret-key-stdin", "read the Spaces secret key from stdin")
    .option("--spaces-secret-key-file <path>", "read the Spaces secret key from a file")
    .addOption(outputOption());
  withExamples(command, [
    'printf %s "$DO_TOKEN" | planton connect digitalocean --name payments-prod-do --default-region nyc3 --api-token-stdin',
    "planton connect digitalocean --name payments-prod-do --default-region ams3 --api-token-file do.txt --spaces-access-id DO00... --spaces-secret-key-file spaces.txt",
  ]);
  defineAction(command, async (options: DigitalOceanFlags & Output) => create(ctx, options.output, await digitalOceanCreateRequest(options, sources(ctx))));
}

function addCivo(connect: Command, ctx: CliContext): void {
  const command = connect
    .command("civo")
    .description("connect a Civo account with an API key, optionally with object store keys")
    .requiredOption("--name <name>", "connection name, <provider>-<purpose> (e.g. civo-payments-prod)")
    .requiredOption("--default-region <region>", "default region code, upper case, e.g. LON1, FRA1, NYC1 (the server checks it and suggests near matches)")
    .option("--api-token-stdin", "read the API key from stdin")
    .option("--api-token-file <path>", "read the API key from a file")
    .option("--object-store-access-id <id>", "object store access key id (with --object-store-secret-key-stdin or --object-store-secret-key-file)")
    .option("--object-store-secret-key-stdin", "read the object store secret key from stdin")
    .option("--object-store-secret-key-file <path>", "read the object store secret key from a file")
    .addOption(outputOption());
  withExamples(command, ["planton connect civo --name payments-prod-civo --default-region LON1 --api-token-file civo.txt"]);
  defineAction(command, async (options: CivoFlags & Output) => create(ctx, options.output, await civoCreateRequest(options, sources(ctx))));
}

function addCloudflare(connect: Command, ctx: CliContext): void {
  const command = connect
    .command("cloudflare")
    .description("connect a Cloudflare account with an API token (recommended) or the legacy global API key, optionally with R2 keys")
    .requiredOption("--name <name>", "connection name, <provider>-<purpose> (e.g. cloudflare-payments-prod)")
    .option("--api-token-stdin", "read the API token from stdin")
    .option("--api-token-file <path>", "read the API token from a file")
    .option("--api-key-stdin", "read the legacy global API key from stdin (with --email)")
    .option("--api-key-file <path>", "read the legacy global API key from a file (with --email)")
    .option("--email <email>", "email of the account that owns the global API key")
    .option("--account-id <id>", "account id (32 hex characters); needed to verify account-owned tokens")
    .option("--r2-access-key-id <id>", "R2 access key id (with --r2-secret-access-key-stdin or --r2-secret-access-key-file)")
    .option("--r2-secret-access-key-stdin", "read the R2 secret access key from stdin")
    .option("--r2-secret-access-key-file <path>", "read the R2 secret access key from a file")
    .option("--r2-endpoint <url>", "https URL of the R2 endpoint")
    .addOption(outputOption());
  withExamples(command, [
    "planton connect cloudflare --name payments-prod-cloudflare --api-token-file cf.txt --account-id 0123456789abcdef0123456789abcdef",
    "planton connect cloudflare --name payments-prod-cloudflare --api-key-file global-key.txt --email ops@example.com",
  ]);
  defineAction(command, async (options: CloudflareFlags & Output) => create(ctx, options.output, await cloudflareCreateRequest(options, sources(ctx))));
}

async function create(ctx: CliContext, output: OutputFormat, request: CreateConnectionRequest): Promise<void> {
  const api = await ctx.api();
  const response = await api.connections.createConnection(request);
  printConnectionResponse(ctx, output, CreateConnectionResponseSchema, response);
}

// Runners are looked up only when a request needs one, after its flags were checked.
function sources(ctx: CliContext): RequestSources {
  return {
    secrets: ctx.secrets,
    runnerId: async (ref) => (await findRunner((await ctx.api()).runners, ref)).id,
  };
}
