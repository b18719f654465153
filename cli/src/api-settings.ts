import type { ConfigFile } from "./config-file.js";
import type { Environment } from "./environment.js";
import { CliError, UsageError } from "./failures.js";

/** DEFAULT_API_URL is where `npm start` serves the API locally. */
export const DEFAULT_API_URL = "http://127.0.0.1:8080";

/** Protocol is how the CLI talks to the API: the Connect protocol over HTTP/1.1, or gRPC over HTTP/2 (h2c for http://). */
export type Protocol = "connect" | "grpc";

/** ApiSettings is what every API call needs. */
export interface ApiSettings {
  readonly apiUrl: string;
  /** Never print it. */
  readonly token: string;
  readonly protocol: Protocol;
}

/** NO_TOKEN_MESSAGE is the error for a command that needs a token and has none. */
export const NO_TOKEN_MESSAGE = "no token: set PLANTON_TOKEN or run `planton login --token ...`";

/**
 * resolveApiUrl picks the API address: the `--api-url` flag, else
 * PLANTON_API_URL, else the config file's, else {@link DEFAULT_API_URL}.
 * Anything but an http(s) URL is a {@link UsageError} naming where it came from.
 */
export function resolveApiUrl(env: Environment, file: ConfigFile | undefined, flag?: string): string {
  const [url, source] =
    flag !== undefined
      ? [flag, "--api-url"]
      : env.apiUrl !== undefined
        ? [env.apiUrl, "PLANTON_API_URL"]
        : file?.apiUrl !== undefined
          ? [file.apiUrl, `apiUrl in ${env.configPath}`]
          : [DEFAULT_API_URL, "default"];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`${source} must be an http:// or https:// URL, got "${url}"`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new UsageError(`${source} must be an http:// or https:// URL, got "${url}"`);
  }
  return url.replace(/\/+$/, "");
}

/** parseProtocol reads PLANTON_PROTOCOL: `connect` (the default) or `grpc`; anything else is a {@link UsageError}. */
export function parseProtocol(raw: string | undefined): Protocol {
  if (raw === undefined) return "connect";
  const value = raw.toLowerCase();
  if (value === "connect" || value === "grpc") return value;
  throw new UsageError(`PLANTON_PROTOCOL must be "connect" or "grpc", got "${raw}"`);
}

/**
 * resolveApiSettings combines the environment and the config file for a
 * command that calls the API: PLANTON_TOKEN wins over the file's token.
 * No token at all is a {@link CliError} ({@link NO_TOKEN_MESSAGE}).
 */
export function resolveApiSettings(env: Environment, file: ConfigFile | undefined): ApiSettings {
  const apiUrl = resolveApiUrl(env, file);
  const protocol = parseProtocol(env.protocol);
  const token = env.token ?? file?.token;
  if (token === undefined) throw new CliError(NO_TOKEN_MESSAGE);
  return { apiUrl, token, protocol };
}
