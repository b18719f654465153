import type { Migration } from "kysely";
import * as registry from "./20261127130000_registry.js";
import * as reverification from "./20261127150000_reverification.js";

/** Every migration of the registry schema, by name; names sort by time. */
export const migrations: Record<string, Migration> = {
  "20261127130000_registry": registry,
  "20261127150000_reverification": reverification,
};
