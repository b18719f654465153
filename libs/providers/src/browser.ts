/**
 * @planton/providers/browser: the part of the provider rules a browser can
 * load (no `node:` import anywhere below it): the slug rule and the closed
 * region lists, for the web console's previews and pickers. The server keeps
 * enforcing the same rules; the console only mirrors them.
 */
export { slugify, MAX_SLUG_LENGTH } from "./slug.js";
export { AWS_REGIONS_BY_PARTITION } from "./data/aws-regions.js";
export { DIGITALOCEAN_REGIONS } from "./data/digitalocean-regions.js";
export { CIVO_REGIONS } from "./data/civo-regions.js";
