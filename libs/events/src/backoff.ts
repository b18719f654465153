/**
 * backoffDelay is the wait before retry number `failures` (1 = after the
 * first failure): `baseMs` doubled per failure, capped at `maxMs`, with the
 * upper half randomized so replicas that failed together do not retry in step.
 */
export function backoffDelay(failures: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 30);
  const ceiling = Math.min(maxMs, baseMs * 2 ** exponent);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
