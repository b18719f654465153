/**
 * CIVO_REGIONS are the region codes a Civo connection may default to, upper
 * case as Civo's API spells them.
 *
 * Source: the codes in civo/civogo's fixtures and Civo's API documentation
 * (https://www.civo.com/api, `GET /v2/regions`), as collected in the team's
 * provider API reference (provider-apis.md §5.2); recorded 2026-12-07.
 *
 * The set is open on Civo's side (it adds regions, and SVG1 was retired),
 * but a default region must be one Civo serves, and a typo must not be
 * stored: the list is closed here and grows by adding a code to this one
 * place when Civo opens a region.
 */
export const CIVO_REGIONS: readonly string[] = Object.freeze(["LON1", "FRA1", "NYC1", "PHX1", "MUM1"]);
