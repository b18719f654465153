/**
 * stackNameOf suggests a stack name: `planton-<slug>-<setup suffix>`, unique
 * per setup (a reconnect's stack sits beside the old one until that is
 * deleted), within CloudFormation's rule (a letter first, then letters,
 * digits and hyphens, at most 128).
 */
export function stackNameOf(slug: string, setupId: string): string {
  return `planton-${slug}`.slice(0, 120).replace(/-+$/, "") + `-${setupId.slice(-6)}`;
}
