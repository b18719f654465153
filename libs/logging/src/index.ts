export { createLogger, silentLogger, vettedFields, LOG_LEVELS, STDOUT_FLUSH_MS } from "./logger.js";
export type { Logger, LogFields, LogLevel, LoggerOptions } from "./logger.js";
export { redactValue, scrubText, REDACTED } from "./redact.js";
