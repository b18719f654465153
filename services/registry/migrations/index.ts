import type { Migration } from "kysely";
import * as registry from "./20261127130000_registry.js";

/** Every migration of the registry schema, by name; names sort by time. */
export const migrations: Record<string, Migration> = {
  "20261127130000_registry": registry,
};
