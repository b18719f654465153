import type { ConnectionSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { Provider } from "@planton/proto/planton/connect/v1/provider_pb";

type ProviderCase = NonNullable<ConnectionSpec["provider"]["case"]>;

const PROVIDER_BY_CASE = {
  aws: Provider.AWS,
  gcp: Provider.GCP,
  azure: Provider.AZURE,
  digitalocean: Provider.DIGITALOCEAN,
  civo: Provider.CIVO,
  cloudflare: Provider.CLOUDFLARE,
} as const satisfies Record<ProviderCase, Provider>;

// Connection ids carry their provider (DESIGN.md, Resources), so an id alone
// tells a reader which cloud it reaches.
const ID_PREFIX_BY_PROVIDER: ReadonlyMap<Provider, string> = new Map([
  [Provider.AWS, "awsconn_"],
  [Provider.GCP, "gcpconn_"],
  [Provider.AZURE, "azconn_"],
  [Provider.DIGITALOCEAN, "doconn_"],
  [Provider.CIVO, "civoconn_"],
  [Provider.CLOUDFLARE, "cfconn_"],
]);

/**
 * providerOf returns the provider a spec is for, or `PROVIDER_UNSPECIFIED`
 * when the spec (or its provider) is absent.
 */
export function providerOf(spec: ConnectionSpec | undefined): Provider {
  const providerCase = spec?.provider.case;
  return providerCase === undefined ? Provider.UNSPECIFIED : PROVIDER_BY_CASE[providerCase];
}

/**
 * idPrefixOf returns the connection id prefix of `provider` (`awsconn_`,
 * `gcpconn_`, `azconn_`, `doconn_`, `civoconn_`, `cfconn_`). Throws a
 * `RangeError` for `PROVIDER_UNSPECIFIED` or an unknown value: minting an id
 * for no provider is a programming error.
 */
export function idPrefixOf(provider: Provider): string {
  const prefix = ID_PREFIX_BY_PROVIDER.get(provider);
  if (prefix === undefined) throw new RangeError(`no connection id prefix for provider ${provider}`);
  return prefix;
}
