/**
 * FieldViolation is one broken rule on one request field. It has the same
 * shape as `@planton/server`'s `FieldViolation`, so a list of them goes
 * straight into `badRequest` (google.rpc.BadRequest) without mapping.
 */
export interface FieldViolation {
  /** Path of the field in proto field names, e.g. `spec.aws.inline_keys.access_key_id`. */
  readonly field: string;
  /** The rule in words the caller can act on. Never contains the field's value: values may be secrets. */
  readonly description: string;
  /** Machine-readable rule name, one of {@link ViolationReason}. */
  readonly reason: string;
}

/**
 * ViolationReason lists the `reason` codes this package reports. They are
 * part of the API contract (frontends switch on them), so they only grow.
 *
 * | reason | meaning |
 * |---|---|
 * | `REQUIRED` | the field is empty or absent but must be set |
 * | `PATTERN` | the characters or shape are wrong (including leading/trailing whitespace) |
 * | `LENGTH` | the field has a fixed length and this is not it |
 * | `MIN_LENGTH` / `MAX_LENGTH` | shorter than the minimum / longer than the maximum |
 * | `ENUM` | not one of the listed values |
 * | `FORMAT` | does not parse as the structured format (UUID, email, https URL, base64) |
 * | `CONFLICT` | set together with a field it excludes |
 * | `BOTH_OR_NEITHER` | one half of a pair is set, this half is missing |
 * | `INVALID_KEY` | a key file decodes, but is not a usable key of the expected kind |
 * | `MISMATCH` | disagrees with another value it must equal (or, in an update mask, with the connection) |
 * | `ONE_OF_REQUIRED` | none of a set of alternatives is set |
 * | `UNKNOWN_FIELD` | an update mask path names no field |
 */
export const ViolationReason = {
  REQUIRED: "REQUIRED",
  PATTERN: "PATTERN",
  LENGTH: "LENGTH",
  MIN_LENGTH: "MIN_LENGTH",
  MAX_LENGTH: "MAX_LENGTH",
  ENUM: "ENUM",
  FORMAT: "FORMAT",
  CONFLICT: "CONFLICT",
  BOTH_OR_NEITHER: "BOTH_OR_NEITHER",
  INVALID_KEY: "INVALID_KEY",
  MISMATCH: "MISMATCH",
  ONE_OF_REQUIRED: "ONE_OF_REQUIRED",
  UNKNOWN_FIELD: "UNKNOWN_FIELD",
} as const;

/** ViolationReason is the union of the reason codes in the {@link ViolationReason} table. */
export type ViolationReason = (typeof ViolationReason)[keyof typeof ViolationReason];
