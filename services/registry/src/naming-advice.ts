import { create } from "@bufbuild/protobuf";
import { WarningSchema, type Warning } from "@planton/proto/planton/connect/v1/connection_pb";

// Names that say which cloud but not which account or environment: "aws1",
// "gcp", "my-cloud", "test-connection". They work, but in an organization with
// many connections nobody can tell them apart.
const VAGUE_NAME =
  /^(my[-_ ]?)?(aws|amazon|gcp|google|azure|do|digitalocean|civo|cf|cloudflare|cloud|connection|conn|account|test|default|new)([-_ ]?(cloud|account|connection|conn))?[-_ ]?\d*$/i;

/** nameWarnings returns the naming-convention advice for a connection name, if any. */
export function nameWarnings(name: string): Warning[] {
  if (!VAGUE_NAME.test(name.trim())) return [];
  return [
    create(WarningSchema, {
      code: "NAME_CONVENTION",
      field: "name",
      message:
        "This name does not say which account or environment the connection reaches. Prefer <provider>-<purpose>, " +
        "e.g. aws-payments-prod, so deployments and audit records stay readable.",
    }),
  ];
}

/** duplicateAccountWarning explains the one-connection-per-account practice. */
export function duplicateAccountWarning(field: string, otherSlugs: readonly string[]): Warning {
  return create(WarningSchema, {
    code: "DUPLICATE_ACCOUNT",
    field,
    message:
      `Another connection of your organization already reaches this account (${otherSlugs.join(", ")}). ` +
      "One connection per account keeps rotation, authorization and audit in one place; authorize that connection for more environments instead.",
  });
}
