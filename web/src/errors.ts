import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema } from "@planton/proto/google/rpc/error_details_pb";

/** A failed call as a form shows it: violations by field path, and the rest in words. */
export interface FormErrors {
  /** Server field path (e.g. `spec.civo.default_region`) to what is wrong with it. */
  readonly fields: Readonly<Record<string, string>>;
  /** What to say at the top of the form (role=alert), if anything. */
  readonly message: string | undefined;
  /** The Connect code, when the failure came from the server. */
  readonly code: Code | undefined;
}

/** NO_ERRORS is the state of a form before (or after a successful) submit. */
export const NO_ERRORS: FormErrors = { fields: {}, message: undefined, code: undefined };

/**
 * formErrors turns a failed call into what the form shows: each
 * `google.rpc.BadRequest` field violation next to its field, and the error's
 * message for anything else (network failures included).
 */
export function formErrors(error: unknown): FormErrors {
  const connectError = ConnectError.from(error);
  const fields: Record<string, string> = {};
  for (const detail of connectError.findDetails(BadRequestSchema)) {
    for (const violation of detail.fieldViolations) {
      const previous = fields[violation.field];
      fields[violation.field] = previous === undefined ? violation.description : `${previous} ${violation.description}`;
    }
  }
  const hasFields = Object.keys(fields).length > 0;
  return {
    fields,
    message: hasFields ? "Some fields need attention." : describeError(connectError),
    code: connectError.code,
  };
}

/** describeError is a failure in words, with what to do for the common codes. */
export function describeError(error: unknown): string {
  const e = ConnectError.from(error);
  switch (e.code) {
    case Code.Unauthenticated:
      return "Your sign-in is missing or has expired. Sign in again.";
    case Code.PermissionDenied:
      return `Not allowed: ${e.rawMessage}`;
    case Code.Unavailable:
      return `The service is unavailable right now (${e.rawMessage}). Try again in a moment.`;
    default:
      return e.rawMessage;
  }
}

/**
 * fieldError picks the violation for a field: its exact path, or one of the
 * aliases (StartSetup names `account_id` where CreateConnection names
 * `spec.aws.account_id`).
 */
export function fieldError(errors: FormErrors, path: string, ...aliases: string[]): string | undefined {
  for (const candidate of [path, ...aliases]) {
    const found = errors.fields[candidate];
    if (found !== undefined) return found;
  }
  return undefined;
}

/** unclaimedErrors lists violations whose field no input of the form shows. */
export function unclaimedErrors(errors: FormErrors, shown: readonly string[]): string[] {
  return Object.entries(errors.fields)
    .filter(([field]) => !shown.includes(field))
    .map(([field, description]) => `${field}: ${description}`);
}
