import { UsageError } from "./failures.js";

/**
 * SecretReader is where secret values come from: all of stdin, or a file.
 * Secrets are never taken as flag values, which would land in shell history.
 */
export interface SecretReader {
  /** Reads all of stdin. */
  stdin(): Promise<Buffer>;
  /** Reads a whole file. */
  file(path: string): Promise<Buffer>;
}

/** SecretFlags are the two ways to give one secret field: `--<field>-stdin` and `--<field>-file <path>`. */
export interface SecretFlags {
  readonly stdin?: boolean | undefined;
  readonly file?: string | undefined;
}

/**
 * isGiven says whether either flag of a secret field was used.
 */
export function isGiven(flags: SecretFlags): boolean {
  return flags.stdin === true || flags.file !== undefined;
}

/**
 * readSecretBytes reads the secret of `--<flag>-stdin` / `--<flag>-file`:
 * undefined when neither is given, a {@link UsageError} when both are.
 */
export async function readSecretBytes(reader: SecretReader, flags: SecretFlags, flag: string): Promise<Buffer | undefined> {
  if (flags.stdin === true && flags.file !== undefined) {
    throw new UsageError(`use either --${flag}-stdin or --${flag}-file, not both`);
  }
  if (flags.stdin === true) return reader.stdin();
  if (flags.file !== undefined) return reader.file(flags.file);
  return undefined;
}

/**
 * readSecretText is {@link readSecretBytes} as UTF-8 text with one trailing
 * newline (`\n` or `\r\n`) removed: `echo` and editors add one, and it is
 * never part of a token. An empty secret is a {@link UsageError}.
 */
export async function readSecretText(reader: SecretReader, flags: SecretFlags, flag: string): Promise<string | undefined> {
  const bytes = await readSecretBytes(reader, flags, flag);
  if (bytes === undefined) return undefined;
  const text = bytes.toString("utf8").replace(/\r?\n$/, "");
  if (text === "") throw new UsageError(`the value given with --${flag}-${flags.stdin === true ? "stdin" : "file"} is empty`);
  return text;
}

/**
 * checkOneStdin enforces that at most one `--*-stdin` flag is used in one
 * invocation (stdin can be read only once). `options` is commander's parsed
 * options object, where `--x-stdin` is `xStdin`.
 */
export function checkOneStdin(options: Readonly<Record<string, unknown>>): void {
  const used = Object.entries(options)
    .filter(([key, value]) => key.endsWith("Stdin") && value === true)
    .map(([key]) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
  if (used.length > 1) throw new UsageError(`stdin can be read only once: use at most one of ${used.join(", ")} (and --<field>-file for the others)`);
}
