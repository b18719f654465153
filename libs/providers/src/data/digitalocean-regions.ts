/**
 * DIGITALOCEAN_REGIONS are the region slugs a DigitalOcean connection may
 * default to: DigitalOcean's datacenters that are open for new resources.
 * Retired ones (such as ams2 and sfo1) are left out because new
 * resources cannot be created there.
 *
 * Source: DigitalOcean's regional availability matrix
 * (https://docs.digitalocean.com/platform/regional-availability/) and the
 * team design (DESIGN.md, provider specs), checked 2026-12-07. DigitalOcean
 * adds a datacenter every year or two: add its slug here (one place) when
 * it opens; the API lists them at `GET /v2/regions`.
 */
export const DIGITALOCEAN_REGIONS: readonly string[] = Object.freeze([
  "nyc1", "nyc2", "nyc3", "sfo2", "sfo3", "ams3", "sgp1", "lon1", "fra1", "tor1", "blr1", "syd1", "atl1",
]);
