/**
 * ConfigError is thrown while parsing configuration at start. Its message names
 * the environment variable and the rule it breaks, never the value (a value may
 * be a secret).
 */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    readonly variable: string,
    rule: string,
  ) {
    super(`invalid configuration: ${variable} ${rule}`);
  }
}
