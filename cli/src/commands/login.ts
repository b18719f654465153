import { Code, ConnectError } from "@connectrpc/connect";
import type { Command } from "commander";
import { createApiClients } from "../api-clients.js";
import { parseProtocol, resolveApiUrl } from "../api-settings.js";
import type { CliContext } from "../cli-context.js";
import { defineAction, withExamples } from "../command-kit.js";
import { writeConfigFile } from "../config-file.js";
import { CliError, UsageError } from "../failures.js";
import { outputOption, type OutputFormat } from "../output.js";
import { readSecretText } from "../secret-input.js";

interface LoginOptions {
  readonly token?: string;
  readonly tokenStdin?: boolean;
  readonly apiUrl?: string;
  readonly output: OutputFormat;
}

/**
 * addLoginCommand adds `planton login`: check a token with one cheap
 * authenticated call (ListConnections, page size 1) and save it, with the
 * API address it was checked against, in the config file (0600). A token the
 * API refuses (UNAUTHENTICATED) is not saved.
 */
export function addLoginCommand(program: Command, ctx: CliContext): void {
  const command = program
    .command("login")
    .description("check an API token and save it in the config file for later commands")
    .option("--token <token>", "the API token (a flag value lands in shell history and the process list: prefer --token-stdin)")
    .option("--token-stdin", "read the API token from stdin (recommended)")
    .option("--api-url <url>", "the planton API address to use from now on (default: PLANTON_API_URL, else the saved one, else http://127.0.0.1:8080)")
    .addOption(outputOption());
  withExamples(command, [
    "pass show planton/token | planton login --token-stdin --api-url https://connect.example.com",
    'planton login --token "$PLANTON_DEV_TOKEN"',
  ]);
  defineAction(command, async (options: LoginOptions) => {
    if ((options.token !== undefined) === (options.tokenStdin === true))
      throw new UsageError("give the token with exactly one of --token <token> or --token-stdin");
    const token = options.token ?? (await readSecretText(ctx.secrets, { stdin: true }, "token")) ?? "";
    if (token.trim() === "") throw new UsageError("the token is empty");
    const existing = await ctx.configFile();
    const apiUrl = resolveApiUrl(ctx.env, existing, options.apiUrl);
    const clients = createApiClients({ apiUrl, token, protocol: parseProtocol(ctx.env.protocol) });
    try {
      await clients.connections.listConnections({ pageSize: 1 });
    } catch (error) {
      const failure = ConnectError.from(error);
      if (failure.code === Code.Unauthenticated)
        throw new CliError(`the planton API at ${apiUrl} refused the token (${failure.rawMessage}); nothing was saved`);
      // A valid token without connections:read still identifies the caller.
      if (failure.code !== Code.PermissionDenied) throw error;
      ctx.err(`warning: the token is valid but may not read connections (${failure.rawMessage})`);
    }
    // Keep the address the token was checked against, unless it was only the default.
    const explicit = options.apiUrl !== undefined || ctx.env.apiUrl !== undefined || existing?.apiUrl !== undefined;
    await writeConfigFile(ctx.env.configPath, explicit ? { token, apiUrl } : { token });
    if (options.output === "json") ctx.out(JSON.stringify({ configPath: ctx.env.configPath, apiUrl }, null, 2));
    else ctx.out(`logged in to ${apiUrl}: token saved in ${ctx.env.configPath}`);
    if (ctx.env.token !== undefined) ctx.err("note: PLANTON_TOKEN is set and takes precedence over the saved token");
  });
}
