import { CommanderError } from "commander";
import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema, ErrorInfoSchema } from "@planton/proto/google/rpc/error_details_pb";
import { ExitCode, type ExitCodeValue } from "./exit-codes.js";

/**
 * UsageError is a mistake in the command line: a missing or conflicting
 * flag, a bad flag value. It exits with {@link ExitCode.usage} and a hint to
 * the command's `--help`. `command` is the command path (`planton connect
 * aws`); the action wrapper fills it in when the thrower does not know it.
 */
export class UsageError extends Error {
  override readonly name = "UsageError";
  command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.command = command;
  }
}

/**
 * CliError is a failure the CLI itself detects (no token, no such runner, a
 * config file it cannot read). It exits with {@link ExitCode.failure}. Its
 * message must never contain the token.
 */
export class CliError extends Error {
  override readonly name = "CliError";
}

/**
 * CommandLineError wraps commander's own parse errors (unknown option,
 * missing argument, invalid choice) with the path of the command that
 * rejected them, so the hint can point at the right `--help`.
 */
export class CommandLineError extends Error {
  override readonly name = "CommandLineError";

  constructor(
    readonly commanderError: CommanderError,
    readonly command: string,
  ) {
    super(commanderError.message);
  }
}

/**
 * ExitRequest ends the command with an exit code after the command already
 * said everything it had to say (e.g. a verification failure it printed).
 */
export class ExitRequest extends Error {
  override readonly name = "ExitRequest";

  constructor(readonly exitCode: ExitCodeValue) {
    super(`exit ${exitCode}`);
  }
}

/** FailureReport is what to print on stderr for a failure, and the exit code. */
export interface FailureReport {
  readonly exitCode: ExitCodeValue;
  /** Lines for stderr, without trailing newlines; empty when already reported. */
  readonly lines: readonly string[];
}

// Node's network error codes that mean "nothing answered at that address".
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "ETIMEDOUT"]);

/**
 * describeFailure maps anything a command threw to an exit code and the
 * stderr lines that explain it: usage mistakes exit 2 with a `--help` hint;
 * an unreachable API (ConnectError `Unavailable`, a timeout, a refused
 * connection, a DNS failure) exits 3 naming `apiUrl`; every other
 * ConnectError exits 1 with its message and, for `INVALID_ARGUMENT`, one
 * line per field violation of its `google.rpc.BadRequest` detail, for a
 * `FAILED_PRECONDITION` the platform's operator must fix (ErrorInfo
 * PLATFORM_NOT_CONFIGURED), one line per setting and a hint; Ctrl-C in
 * a prompt exits 130. Messages come from the server or from this CLI, and
 * neither ever includes the token.
 */
export function describeFailure(error: unknown, apiUrl: string): FailureReport {
  if (error instanceof ExitRequest) return { exitCode: error.exitCode, lines: [] };
  if (error instanceof UsageError) {
    return { exitCode: ExitCode.usage, lines: [`error: ${error.message}`, helpHint(error.command ?? "planton")] };
  }
  if (error instanceof CommandLineError) return describeCommandLine(error);
  if (error instanceof CliError) return { exitCode: ExitCode.failure, lines: [`error: ${error.message}`] };
  if (isPromptExit(error)) return { exitCode: ExitCode.interrupted, lines: [] };
  if (error instanceof ConnectError) return describeConnectError(error, apiUrl);
  const networkCode = networkCodeOf(error);
  if (networkCode !== undefined) {
    return { exitCode: ExitCode.unreachable, lines: [`error: cannot reach the planton API at ${apiUrl}: ${messageOf(error)}`] };
  }
  return { exitCode: ExitCode.failure, lines: [`error: ${messageOf(error)}`] };
}

function fieldViolations(error: ConnectError): { field: string; description: string }[] {
  return error.findDetails(BadRequestSchema).flatMap((details) => details.fieldViolations);
}

// The API also summarises the violations in the message ("invalid request:
// a: x; b: y") for clients that cannot read details; they are listed one per
// line below it, so the summary would only say everything twice.
function withoutSummary(message: string, violations: readonly { field: string; description: string }[]): string {
  if (violations.length === 0) return message;
  const summary = `: ${violations.map((v) => `${v.field}: ${v.description}`).join("; ")}`;
  return message.endsWith(summary) && message.length > summary.length ? message.slice(0, -summary.length) : message;
}

/** ErrorInfo reason of a refusal caused by the platform's own configuration (see the registry's StartSetup). */
const PLATFORM_NOT_CONFIGURED = "PLATFORM_NOT_CONFIGURED";

/**
 * The settings a platform refusal names (setting → what to set), from its
 * `google.rpc.ErrorInfo`; empty for any other error.
 */
function platformSettings(error: ConnectError): [string, string][] {
  if (error.code !== Code.FailedPrecondition) return [];
  const info = error.findDetails(ErrorInfoSchema).find((i) => i.reason === PLATFORM_NOT_CONFIGURED);
  return info ? Object.entries(info.metadata) : [];
}

// The server lists the settings in its message too, for clients that cannot
// read details: "... configure it (A is not set; B ...). Nothing was created".
// They are printed one per line below, so the inline list would say it twice.
// Map order does not survive every encoding, so the list is rebuilt in the message's order.
function withoutSettingList(message: string, settings: readonly [string, string][]): string {
  const items = settings.map(([setting, description]) => `${setting} ${description}`);
  if (items.length === 0 || items.some((item) => !message.includes(item))) return message;
  const list = ` (${items.sort((a, b) => message.indexOf(a) - message.indexOf(b)).join("; ")})`;
  return message.includes(list) ? message.replace(list, "") : message;
}

function describeConnectError(error: ConnectError, apiUrl: string): FailureReport {
  // DeadlineExceeded here is our own 30 s client timeout: the server did not
  // answer, which the user fixes like an outage (the server never sets it).
  if (error.code === Code.Unavailable || error.code === Code.DeadlineExceeded) {
    return { exitCode: ExitCode.unreachable, lines: [`error: cannot reach the planton API at ${apiUrl}: ${error.rawMessage}`] };
  }
  const settings = platformSettings(error);
  if (settings.length > 0) {
    return {
      exitCode: ExitCode.failure,
      lines: [
        `error: ${withoutSettingList(error.rawMessage, settings)}`,
        ...settings.map(([setting, description]) => `  ${setting}: ${description}`),
        "hint: ask the platform's operator to set these; retrying will not help until then",
      ],
    };
  }
  const violations = error.code === Code.InvalidArgument ? fieldViolations(error) : [];
  const lines = [`error: ${withoutSummary(error.rawMessage, violations)}`, ...violations.map((v) => `  ${v.field}: ${v.description}`)];
  if (error.code === Code.Unauthenticated) lines.push("hint: check PLANTON_TOKEN, or run `planton login --token ...` with a valid token");
  return { exitCode: ExitCode.failure, lines };
}

function describeCommandLine(error: CommandLineError): FailureReport {
  const { code } = error.commanderError;
  if (code === "commander.helpDisplayed" || code === "commander.version") return { exitCode: ExitCode.ok, lines: [] };
  // A group called without a subcommand: commander already printed its help to stderr.
  if (code === "commander.help") return { exitCode: ExitCode.usage, lines: [`error: ${error.command} needs a command`] };
  const message = error.message.startsWith("error: ") ? error.message : `error: ${error.message}`;
  return { exitCode: ExitCode.usage, lines: [message, helpHint(error.command)] };
}

function helpHint(command: string): string {
  return `run '${command} --help' for usage`;
}

// @inquirer/prompts rejects with ExitPromptError when the user presses Ctrl-C.
function isPromptExit(error: unknown): boolean {
  return error instanceof Error && error.name === "ExitPromptError";
}

function networkCodeOf(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_CODES.has(code)) return code;
  }
  return undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
