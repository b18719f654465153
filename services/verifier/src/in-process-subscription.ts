import type { InProcessBus } from "@planton/events";
import type { Logger } from "@planton/logging";
import type { VerifierComponents } from "./verifier-components.js";
import { VERIFIED_KINDS } from "./verify-event.js";

/**
 * subscribeInProcess feeds the verifier from the in-process bus (the
 * embedded default, no NATS). A transient provider failure is retried here
 * after the delay the handler asks for, counting attempts as JetStream
 * would, so both paths give up and record the failure alike. Returns a stop
 * function that cancels pending retries.
 */
export function subscribeInProcess(bus: InProcessBus, verifier: VerifierComponents, logger: Logger): () => void {
  const timers = new Set<NodeJS.Timeout>();
  const attempt = (data: Uint8Array, deliveryCount: number): Promise<void> =>
    verifier.handle(data, deliveryCount).then(
      (outcome) => {
        if (outcome && outcome.retryAfterMs !== undefined) {
          const timer = setTimeout(() => {
            timers.delete(timer);
            void attempt(data, deliveryCount + 1);
          }, outcome.retryAfterMs);
          timer.unref();
          timers.add(timer);
        }
      },
      (error: unknown) => logger.warn({ error }, "verification failed; the next periodic run will retry"),
    );
  const unsubscribes = VERIFIED_KINDS.map((kind) => bus.subscribe(`connect.${kind}`, (event) => attempt(event.data, 1)));
  return () => {
    for (const unsubscribe of unsubscribes) unsubscribe();
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  };
}
