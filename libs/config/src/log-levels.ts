/** Log levels accepted in `LOG_LEVEL` (the logger's own list, kept here so config has no logger dependency). */
export const LOG_LEVELS_FOR_CONFIG = ["debug", "info", "warn", "error", "silent"] as const;
/** One of {@link LOG_LEVELS_FOR_CONFIG}. */
export type LogLevelName = (typeof LOG_LEVELS_FOR_CONFIG)[number];
