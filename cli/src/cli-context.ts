import { readFile } from "node:fs/promises";
import { createApiClients, type ApiClients } from "./api-clients.js";
import { resolveApiSettings, resolveApiUrl } from "./api-settings.js";
import { readConfigFile, type ConfigFile } from "./config-file.js";
import type { Environment } from "./environment.js";
import { UsageError } from "./failures.js";
import { createPromptInput, type PromptContext, type TerminalInput } from "./prompt-input.js";
import type { SecretReader } from "./secret-input.js";
import { createStyles, type Styles } from "./terminal.js";

/** TextStream is what the CLI writes to: stdout or stderr. */
export interface TextStream {
  readonly isTTY?: boolean | undefined;
  write(text: string): boolean;
}

/**
 * CliContext is everything a command uses from the outside world, built
 * once by {@link createCliContext} in `main.ts`: the parsed environment,
 * output streams, secret input and (lazily) the API clients.
 */
export interface CliContext {
  readonly env: Environment;
  /** stdin and stdout are both terminals: prompts are allowed. */
  readonly interactive: boolean;
  /** Colors for stdout. */
  readonly styles: Styles;
  /** Colors for stderr. */
  readonly errStyles: Styles;
  readonly stdout: TextStream;
  readonly stderr: TextStream;
  readonly secrets: SecretReader;
  /** Writes one line to stdout (results). */
  out: (text: string) => void;
  /** Writes one line to stderr (progress, warnings, errors). */
  err: (text: string) => void;
  /** The config file written by `planton login`, read once. */
  configFile(): Promise<ConfigFile | undefined>;
  /** The API address in force (for messages). */
  apiUrl(): Promise<string>;
  /** The API clients; a CliError when there is no token. */
  api(): Promise<ApiClients>;
  /**
   * Runs one interactive prompt (an @inquirer/prompts call given the
   * context). Only for interactive mode: stdin must be a terminal.
   */
  prompt<T>(run: (context: PromptContext) => Promise<T>): Promise<T>;
  /** Registers cleanup to run when Ctrl-C ends the process (e.g. clearing a spinner); returns the unregistration. */
  onInterrupt(hook: () => void): () => void;
  /** Runs the registered interrupt hooks (called by main on SIGINT). */
  runInterruptHooks(): void;
}

/** ProcessIo is the part of `process` a CLI context is built from. */
export interface ProcessIo {
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean | undefined } & Partial<TerminalInput>;
  readonly stdout: TextStream;
  readonly stderr: TextStream;
}

/**
 * createCliContext builds the {@link CliContext} for one run. Interactive
 * mode needs both stdin and stdout to be terminals; colors need stdout (and,
 * for stderr text, stderr) to be a terminal and NO_COLOR to be unset.
 */
export function createCliContext(env: Environment, io: ProcessIo): CliContext {
  const interactive = io.stdin.isTTY === true && io.stdout.isTTY === true;
  const colors = !env.noColor && io.stdout.isTTY === true;
  let config: Promise<ConfigFile | undefined> | undefined;
  let clients: Promise<ApiClients> | undefined;
  const hooks = new Set<() => void>();
  let prompts: ReturnType<typeof createPromptInput> | undefined;
  const configFile = () => (config ??= readConfigFile(env.configPath));
  return {
    env,
    interactive,
    styles: createStyles(colors),
    errStyles: createStyles(colors && io.stderr.isTTY === true),
    stdout: io.stdout,
    stderr: io.stderr,
    secrets: {
      stdin: () => {
        // Typed by hand, a secret ends with Ctrl-D; say so rather than seem to hang.
        if (io.stdin.isTTY === true) io.stderr.write("reading the secret from stdin (end with Ctrl-D)...\n");
        return readAll(io.stdin);
      },
      file: (path) => readSecretFile(path),
    },
    out: (text) => void io.stdout.write(`${text}\n`),
    err: (text) => void io.stderr.write(`${text}\n`),
    configFile,
    apiUrl: async () => resolveApiUrl(env, await configFile()),
    api: () => (clients ??= configFile().then((file) => createApiClients(resolveApiSettings(env, file)))),
    prompt(run) {
      if (!interactive || io.stdin.setRawMode === undefined) throw new Error("prompts need a terminal");
      prompts ??= createPromptInput(io.stdin as TerminalInput);
      return prompts.ask(run);
    },
    onInterrupt(hook) {
      hooks.add(hook);
      return () => hooks.delete(hook);
    },
    runInterruptHooks() {
      for (const hook of hooks) hook();
    },
  };
}

// A path that cannot be read is a bad flag value: a usage error naming the
// path and the reason, never quoting content.
async function readSecretFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : code === "EISDIR" ? "it is a folder" : (error as Error).message;
    throw new UsageError(`cannot read ${path}: ${reason}`);
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}
