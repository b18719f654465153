import { chmod, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { CliError } from "./failures.js";

/** ConfigFile is the JSON `planton login` writes: `{ "token": "...", "apiUrl": "..." }`. */
export interface ConfigFile {
  /** Bearer token. Never print it. */
  readonly token?: string;
  /** The API the token belongs to; PLANTON_API_URL wins over it. */
  readonly apiUrl?: string;
}

/**
 * readConfigFile reads the config file at `path`; undefined when there is
 * none. A file that is not the expected JSON is a {@link CliError} naming
 * the path (never quoting the content, which holds the token).
 */
export async function readConfigFile(path: string): Promise<ConfigFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CliError(`${path} is not valid JSON: run \`planton login --token ...\` to rewrite it`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new CliError(`${path} must hold a JSON object: run \`planton login --token ...\` to rewrite it`);
  }
  const { token, apiUrl } = parsed as Record<string, unknown>;
  const config: { token?: string; apiUrl?: string } = {};
  if (typeof token === "string" && token !== "") config.token = token;
  if (typeof apiUrl === "string" && apiUrl !== "") config.apiUrl = apiUrl;
  return config;
}

/**
 * writeConfigFile writes `config` to `path` so that only the user can read
 * it: the folder is made (or narrowed to) mode 0700 and the file is written
 * with mode 0600 to a temporary name and renamed over the old one, so a
 * crash never leaves a half-written or world-readable token behind.
 */
export async function writeConfigFile(path: string, config: ConfigFile): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // mkdir leaves an existing folder's mode alone; this folder is ours alone.
  await chmod(dir, 0o700);
  const body: Record<string, string> = {};
  if (config.token !== undefined) body.token = config.token;
  if (config.apiUrl !== undefined) body.apiUrl = config.apiUrl;
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600, flag: "w" });
    // The mode passed to writeFile is filtered by the umask; make it exact.
    await chmod(temporary, 0o600);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
