/**
 * onShutdownSignal runs `shutdown` once on the first SIGTERM or SIGINT and
 * then exits with 0, or 1 if shutdown failed. A second signal while draining
 * exits at once (an operator pressing Ctrl-C twice means it).
 */
export function onShutdownSignal(shutdown: (signal: NodeJS.Signals) => Promise<void>): void {
  let draining = false;
  const handle = (signal: NodeJS.Signals) => {
    if (draining) process.exit(1);
    draining = true;
    shutdown(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        console.error("shutdown failed", error instanceof Error ? error.message : error);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", handle);
  process.on("SIGINT", handle);
}
