import type { Logger } from "@planton/logging";

/** A background sweep started by {@link startPeriodicPass}. */
export interface PeriodicPass {
  /** Runs one pass now (or joins the one already running); resolves with its count. */
  runOnce(): Promise<number>;
  /** Stops the timer and waits for a running pass to end. */
  stop(): Promise<void>;
}

/**
 * startPeriodicPass runs `pass` every `intervalMs`, never two at once in this
 * process (replica safety is the pass's own business, e.g. SKIP LOCKED). A
 * failed pass is logged and retried at the next tick; the timer does not keep
 * the process alive.
 */
export function startPeriodicPass(options: { pass: () => Promise<number>; intervalMs: number; logger: Logger; what: string }): PeriodicPass {
  let running: Promise<number> | undefined;
  const runOnce = () => {
    running ??= options.pass().finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer = setInterval(() => {
    runOnce().catch((error: unknown) => options.logger.warn({ error }, `${options.what} failed; will retry`));
  }, options.intervalMs);
  timer.unref();
  return {
    runOnce,
    async stop() {
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
