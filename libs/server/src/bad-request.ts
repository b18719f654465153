import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema, BadRequest_FieldViolationSchema } from "@planton/proto/google/rpc/error_details_pb";

/** One violated rule on one request field. */
export interface FieldViolation {
  /** Path of the field in the request, in proto field names, e.g. `spec.aws.account_id`. */
  readonly field: string;
  /** The rule, in words the caller can act on. Never contains the field's value. */
  readonly description: string;
  /** Machine-readable rule name, UPPER_SNAKE_CASE, e.g. `REQUIRED`. */
  readonly reason: string;
}

/**
 * badRequest builds the `INVALID_ARGUMENT` error for a request that breaks one
 * or more field rules: every violation is listed at once in a
 * `google.rpc.BadRequest` detail, and summarised in the message.
 */
export function badRequest(violations: readonly FieldViolation[]): ConnectError {
  const summary = violations.map((v) => `${v.field}: ${v.description}`).join("; ");
  return new ConnectError(`invalid request: ${summary}`, Code.InvalidArgument, undefined, [
    {
      desc: BadRequestSchema,
      value: create(BadRequestSchema, {
        fieldViolations: violations.map((v) => create(BadRequest_FieldViolationSchema, v)),
      }),
    },
  ]);
}

/**
 * Violations collects every broken rule of a request, so the caller learns
 * them all in one answer instead of one per attempt.
 */
export class Violations {
  private readonly list_: FieldViolation[] = [];

  /** Records a violation when `ok` is false. */
  check(ok: boolean, field: string, reason: string, description: string): this {
    if (!ok) this.list_.push({ field, reason, description });
    return this;
  }

  /** The violations recorded so far. */
  list(): FieldViolation[] {
    return [...this.list_];
  }

  /** Throws the `INVALID_ARGUMENT` error from {@link badRequest} if anything was recorded. */
  throwIfAny(): void {
    if (this.list_.length > 0) throw badRequest(this.list_);
  }
}
