import { isAbsolute, join } from "node:path";

/**
 * Environment is everything `planton` takes from its environment, read once
 * at start by {@link readEnvironment}: nothing else in the CLI reads
 * `process.env`.
 */
export interface Environment {
  /** PLANTON_API_URL, if set. */
  readonly apiUrl: string | undefined;
  /** PLANTON_TOKEN, if set. Never print it. */
  readonly token: string | undefined;
  /** PLANTON_PROTOCOL as given (checked by `parseProtocol`). */
  readonly protocol: string | undefined;
  /** Where `planton login` keeps the token: $XDG_CONFIG_HOME/planton/config.json, else ~/.config/planton/config.json. */
  readonly configPath: string;
  /** BROWSER: the command that opens links, if set. */
  readonly browser: string | undefined;
  /** NO_COLOR is set to something (https://no-color.org). */
  readonly noColor: boolean;
}

/**
 * readEnvironment reads PLANTON_API_URL, PLANTON_TOKEN, PLANTON_PROTOCOL,
 * XDG_CONFIG_HOME, HOME, BROWSER and NO_COLOR; `homeDir` is the fallback
 * when HOME is unset. Empty values count as unset.
 */
export function readEnvironment(env: Readonly<Record<string, string | undefined>>, homeDir: string): Environment {
  const value = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v === "" ? undefined : v;
  };
  // The XDG spec says relative values are invalid and must be ignored.
  const xdg = value("XDG_CONFIG_HOME");
  const configHome = xdg !== undefined && isAbsolute(xdg) ? xdg : join(value("HOME") ?? homeDir, ".config");
  return Object.freeze({
    apiUrl: value("PLANTON_API_URL"),
    token: value("PLANTON_TOKEN"),
    protocol: value("PLANTON_PROTOCOL"),
    configPath: join(configHome, "planton", "config.json"),
    browser: value("BROWSER"),
    noColor: value("NO_COLOR") !== undefined,
  });
}
