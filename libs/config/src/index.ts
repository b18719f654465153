export { ConfigError } from "./config-error.js";
export { createEnvReader } from "./env-reader.js";
export type { Env, EnvReader } from "./env-reader.js";
