import { Violations } from "@planton/server";

// Ids come from other platform services; the rule keeps them printable and
// bounded so they are safe in logs, the AEAD encoding and the KMS context.
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const ID_RULE = "must be 1-128 characters of letters, digits, '_', '.', ':' or '-', starting with a letter or digit";

/** Largest payload the vault seals: secret fields of one connection, not files. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;
/** Largest rewrap batch; keeps one transaction's lock set and duration small. */
export const MAX_REWRAP_BATCH = 1000;
/** Rewrap batch size when the request leaves it 0. */
export const DEFAULT_REWRAP_BATCH = 100;

/** Adds the id rules for `org_id` and `connection_id`. */
export function checkAddress(v: Violations, request: { orgId: string; connectionId: string }): Violations {
  return v
    .check(ID_PATTERN.test(request.orgId), "org_id", request.orgId === "" ? "REQUIRED" : "PATTERN", request.orgId === "" ? "is required" : ID_RULE)
    .check(
      ID_PATTERN.test(request.connectionId),
      "connection_id",
      request.connectionId === "" ? "REQUIRED" : "PATTERN",
      request.connectionId === "" ? "is required" : ID_RULE,
    );
}
