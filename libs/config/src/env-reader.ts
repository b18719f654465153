import { ConfigError } from "./config-error.js";

/** The environment as a plain map; `process.env` in production, a literal in tests. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * EnvReader reads typed values from an environment map. Every method throws
 * {@link ConfigError} naming the variable when a value is present but invalid;
 * an empty string counts as unset. It is used only by each service's
 * `config.ts`, which runs once at start: nothing else reads the environment.
 */
export interface EnvReader {
  /** A string, or `fallback` when unset. */
  string(name: string): string | undefined;
  string(name: string, fallback: string): string;
  /** A string that must be set. */
  required(name: string): string;
  /** An integer within [min, max], or `fallback` when unset. */
  int(name: string, fallback: number, range: { min: number; max: number }): number;
  /** A TCP port (0-65535; 0 asks the OS for a free one). */
  port(name: string, fallback: number): number;
  /** One of the listed values. */
  oneOf<T extends string>(name: string, values: readonly T[], fallback: T): T;
  /** A URL with one of the given protocols (e.g. `["http:", "https:"]`). */
  url(name: string, protocols: readonly string[]): URL | undefined;
  /** A comma-separated list, trimmed, empty items dropped. */
  list(name: string): string[];
  /** `true`/`false`/`1`/`0`. */
  bool(name: string, fallback: boolean): boolean;
}

/** Creates an {@link EnvReader} over `env`. */
export function createEnvReader(env: Env): EnvReader {
  const raw = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === "" ? undefined : value.trim();
  };
  function string(name: string): string | undefined;
  function string(name: string, fallback: string): string;
  function string(name: string, fallback?: string): string | undefined {
    return raw(name) ?? fallback;
  }
  const int = (name: string, fallback: number, range: { min: number; max: number }): number => {
    const value = raw(name);
    if (value === undefined) return fallback;
    if (!/^-?\d+$/.test(value)) throw new ConfigError(name, "must be an integer");
    const parsed = Number(value);
    if (parsed < range.min || parsed > range.max) {
      throw new ConfigError(name, `must be between ${range.min} and ${range.max}`);
    }
    return parsed;
  };
  return {
    string,
    required(name) {
      const value = raw(name);
      if (value === undefined) throw new ConfigError(name, "is required");
      return value;
    },
    int,
    port: (name, fallback) => int(name, fallback, { min: 0, max: 65535 }),
    oneOf(name, values, fallback) {
      const value = raw(name);
      if (value === undefined) return fallback;
      const match = values.find((v) => v === value);
      if (match === undefined) throw new ConfigError(name, `must be one of: ${values.join(", ")}`);
      return match;
    },
    url(name, protocols) {
      const value = raw(name);
      if (value === undefined) return undefined;
      let parsed: URL;
      try {
        parsed = new URL(value);
      } catch {
        throw new ConfigError(name, "must be a URL");
      }
      if (!protocols.includes(parsed.protocol)) {
        throw new ConfigError(name, `must be a URL with scheme ${protocols.map((p) => p.replace(/:$/, "")).join(" or ")}`);
      }
      return parsed;
    },
    list(name) {
      const value = raw(name);
      if (value === undefined) return [];
      return value
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item !== "");
    },
    bool(name, fallback) {
      const value = raw(name);
      if (value === undefined) return fallback;
      if (value === "true" || value === "1") return true;
      if (value === "false" || value === "0") return false;
      throw new ConfigError(name, "must be true or false");
    },
  };
}
