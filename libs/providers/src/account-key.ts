import type { ConnectionSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { parseServiceAccountKey } from "./service-account-key.js";

/**
 * accountKeyOf returns what identifies the cloud account a spec reaches, for
 * the "one connection per account" warning: `aws:<account_id>`,
 * `gcp:<project_id>` (the spec's, else the key's), `azure:<subscription_id>`
 * (lower case, as GUIDs compare case-insensitively), `cloudflare:<account_id>`
 * when given. Undefined when the account cannot be told from the spec
 * (DigitalOcean and Civo tokens name no account; empty ids).
 */
export function accountKeyOf(spec: ConnectionSpec): string | undefined {
  const provider = spec.provider;
  switch (provider.case) {
    case "aws":
      return keyed("aws", provider.value.accountId);
    case "gcp": {
      const auth = provider.value.auth;
      if (provider.value.projectId !== "" || auth.case !== "serviceAccountKey") {
        return keyed("gcp", provider.value.projectId);
      }
      const parsed = parseServiceAccountKey(auth.value.keyBase64);
      return parsed.ok ? keyed("gcp", parsed.key.projectId) : undefined;
    }
    case "azure":
      return keyed("azure", provider.value.subscriptionId.toLowerCase());
    case "cloudflare":
      return keyed("cloudflare", provider.value.accountId);
    case "digitalocean":
    case "civo":
    case undefined:
      return undefined;
  }
}

function keyed(kind: string, id: string): string | undefined {
  return id === "" ? undefined : `${kind}:${id}`;
}
