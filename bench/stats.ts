/** Latency summary of one benchmark case, in milliseconds. */
export interface LatencySummary {
  readonly n: number;
  readonly median: number;
  readonly p99: number;
  readonly mean: number;
}

/** Summarises per-call durations (ms). */
export function summarize(durations: number[]): LatencySummary {
  const sorted = [...durations].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return {
    n: sorted.length,
    median: at(0.5),
    p99: at(0.99),
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
  };
}

/** Runs `call` sequentially `n` times after `warmup` unmeasured calls. */
export async function measure(n: number, warmup: number, call: (i: number) => Promise<unknown>): Promise<LatencySummary> {
  for (let i = 0; i < warmup; i++) await call(i);
  const durations: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await call(i);
    durations.push(performance.now() - start);
  }
  return summarize(durations);
}

/** Formats a row of the latency table. */
export function row(label: string, s: LatencySummary): string {
  return `${label.padEnd(62)} n=${String(s.n).padStart(5)}  median ${s.median.toFixed(3).padStart(7)} ms  p99 ${s.p99.toFixed(3).padStart(7)} ms  mean ${s.mean.toFixed(3).padStart(7)} ms`;
}

/** Runs `n` calls with `concurrency` in flight; returns throughput and per-call latency. */
export async function runConcurrently(
  n: number,
  concurrency: number,
  call: (i: number) => Promise<unknown>,
): Promise<{ rps: number; latency: LatencySummary }> {
  let next = 0;
  const durations: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < n; i = next++) {
        const t = performance.now();
        await call(i);
        durations.push(performance.now() - t);
      }
    }),
  );
  return { rps: n / ((performance.now() - started) / 1000), latency: summarize(durations) };
}
