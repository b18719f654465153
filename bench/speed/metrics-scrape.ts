/**
 * Counts of handled RPCs by procedure and gRPC code, read from the stack's
 * Prometheus endpoint (`planton_rpc_duration_seconds_count`): how the
 * benchmark checks the grpc-status of what h2load counted as HTTP 200.
 */
export async function rpcCounts(metricsUrl: string, procedure: string): Promise<Map<string, number>> {
  const text = await (await fetch(metricsUrl)).text();
  const counts = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line.startsWith("planton_rpc_duration_seconds_count{") || !line.includes(`procedure="${procedure}"`)) continue;
    const code = /code="([^"]+)"/.exec(line)?.[1] ?? "?";
    counts.set(code, (counts.get(code) ?? 0) + Number(line.slice(line.lastIndexOf(" ") + 1)));
  }
  return counts;
}

/** What changed between two {@link rpcCounts} readings, by code. */
export function countsSince(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const delta = new Map<string, number>();
  for (const [code, n] of after) {
    const d = n - (before.get(code) ?? 0);
    if (d > 0) delta.set(code, d);
  }
  return delta;
}
