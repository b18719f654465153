/**
 * DIGITALOCEAN_REGIONS are the region slugs a DigitalOcean connection may
 * default to: DigitalOcean's datacenters that are open for new resources.
 * Retired ones (such as ams2 and sfo1) are left out because new
 * resources cannot be created there.
 *
 * Source: the team design's provider specs (DESIGN.md), after DigitalOcean's
 * regional availability page
 * (https://docs.digitalocean.com/platform/regional-availability/); recorded
 * here 2026-12-07 from those documents, not from a live `GET /v2/regions`.
 * DigitalOcean adds a datacenter every year or two: add its slug here (the
 * one place) when it opens.
 */
export const DIGITALOCEAN_REGIONS: readonly string[] = Object.freeze([
  "nyc1",
  "nyc2",
  "nyc3",
  "sfo2",
  "sfo3",
  "ams3",
  "sgp1",
  "lon1",
  "fra1",
  "tor1",
  "blr1",
  "syd1",
  "atl1",
]);
