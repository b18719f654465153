import type { Warning } from "@planton/proto/planton/connect/v1/connection_pb";

/**
 * The server's advice after a create or update (e.g. NAME_CONVENTION),
 * handed from the form to the page it navigates to. In memory only.
 */
let pending: readonly Warning[] = [];

/** setFlash keeps warnings for the next page. */
export function setFlash(warnings: readonly Warning[]): void {
  pending = warnings;
}

/** takeFlash returns and forgets the kept warnings. */
export function takeFlash(): readonly Warning[] {
  const taken = pending;
  pending = [];
  return taken;
}
