import { Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import { checkAws } from "./aws-check.js";
import { checkAzure } from "./azure-check.js";
import { checkCivo } from "./civo-check.js";
import { checkCloudflare } from "./cloudflare-check.js";
import { checkDigitalOcean } from "./digitalocean-check.js";
import { checkGcp } from "./gcp-check.js";
import type { ProviderCheck } from "./provider-check.js";

/** providerChecks maps each provider to the check that proves its inline credentials. */
export const providerChecks: Readonly<Record<Exclude<Provider, Provider.UNSPECIFIED>, ProviderCheck>> = Object.freeze({
  [Provider.AWS]: checkAws,
  [Provider.GCP]: checkGcp,
  [Provider.AZURE]: checkAzure,
  [Provider.DIGITALOCEAN]: checkDigitalOcean,
  [Provider.CIVO]: checkCivo,
  [Provider.CLOUDFLARE]: checkCloudflare,
});
