export { createDatabase } from "./database.js";
export type { Database, DatabaseOptions } from "./database.js";
export { embeddedPostgresDir, startEmbeddedPostgres } from "./embedded-postgres.js";
export type { EmbeddedPostgres } from "./embedded-postgres.js";
export { migrateToLatest } from "./migrate.js";
export { isDatabaseUnavailable } from "./unavailable.js";
export { resolveDatabase } from "./database-url.js";
export type { DatabaseLocation } from "./database-url.js";
