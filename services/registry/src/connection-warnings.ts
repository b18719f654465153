import type { Kysely } from "kysely";
import type { Warning } from "@planton/proto/planton/connect/v1/connection_pb";
import { Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import { slugsWithAccount } from "./connection-store.js";
import { duplicateAccountWarning, nameWarnings } from "./naming-advice.js";
import type { RegistryDatabase } from "./schema.js";

/**
 * connectionWarnings is the advice that goes with a connection write: the
 * naming convention, and another connection of the org reaching the same
 * cloud account (`accountKey`), named on `accountField` (default: the
 * provider's account field in a ConnectionSpec).
 */
export async function connectionWarnings(
  db: Kysely<RegistryDatabase>,
  connection: { orgId: string; id: string; name: string; provider: Provider; accountKey: string | null },
  accountField = accountFieldOf(connection.provider),
): Promise<Warning[]> {
  const others = connection.accountKey !== null ? await slugsWithAccount(db, connection.orgId, connection.accountKey, connection.id) : [];
  return warningsWith(connection, others, accountField);
}

/**
 * warningsWith is {@link connectionWarnings} for a caller that already read
 * `sameAccount`, the slugs of the org's other connections on the same cloud
 * account (at most five, oldest first).
 */
export function warningsWith(
  connection: { name: string; provider: Provider },
  sameAccount: readonly string[],
  accountField = accountFieldOf(connection.provider),
): Warning[] {
  const warnings = nameWarnings(connection.name);
  if (sameAccount.length > 0) warnings.push(duplicateAccountWarning(accountField, [...sameAccount]));
  return warnings;
}

function accountFieldOf(provider: Provider): string {
  switch (provider) {
    case Provider.AWS:
      return "spec.aws.account_id";
    case Provider.GCP:
      return "spec.gcp.project_id";
    case Provider.AZURE:
      return "spec.azure.subscription_id";
    case Provider.CLOUDFLARE:
      return "spec.cloudflare.account_id";
    default:
      return "spec";
  }
}
