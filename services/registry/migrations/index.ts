import type { Migration } from "kysely";
import * as registry from "./20261127130000_registry.js";
import * as reverification from "./20261127150000_reverification.js";
import * as awsTrust from "./20261127170000_aws_trust.js";
import * as credentialAge from "./20261128090000_credential_age.js";
import * as outboxTraceContext from "./20261207190000_outbox_trace_context.js";
import * as accountIndexOrder from "./20261207220000_account_index_order.js";

/** Every migration of the registry schema, by name; names sort by time. */
export const migrations: Record<string, Migration> = {
  "20261127130000_registry": registry,
  "20261127150000_reverification": reverification,
  "20261127170000_aws_trust": awsTrust,
  "20261128090000_credential_age": credentialAge,
  "20261207190000_outbox_trace_context": outboxTraceContext,
  "20261207220000_account_index_order": accountIndexOrder,
};
