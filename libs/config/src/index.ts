export { ConfigError } from "./config-error.js";
export { createEnvReader } from "./env-reader.js";
export type { Env, EnvReader } from "./env-reader.js";
export { readServiceConfig } from "./service-config.js";
export type { AuthConfig, ServiceConfig } from "./service-config.js";
export type { LogLevelName } from "./log-levels.js";
export { DEFAULT_LISTENER_LIMITS, readListenerLimits } from "./listener-limits.js";
export type { ListenerLimits } from "./listener-limits.js";
export type { TracingConfig } from "./tracing-config.js";
