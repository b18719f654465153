import type { Connection, Warning } from "@planton/proto/planton/connect/v1/connection_pb";

/** A connection and the advice that goes with a write. */
export interface ConnectionWithWarnings {
  readonly connection: Connection;
  readonly warnings: Warning[];
}
