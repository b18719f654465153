/** Options of {@link createBatcher}. */
export interface BatcherOptions<T, R> {
  /**
   * Runs one batch: resolves with one result per item, in the items' order,
   * or rejects, which fails every item of the batch.
   */
  readonly run: (items: readonly T[]) => Promise<readonly R[]>;
  /** Most items in one batch. */
  readonly maxBatch: number;
  /** Most batches running at once; further items wait for one to finish. */
  readonly maxInFlight: number;
  /**
   * Under load (the last batch held at least four items), how
   * long a batch waits for more items before it runs, in ms (it runs at
   * once when it reaches `maxBatch`); 0 (the default) never waits. Bounds the latency it adds; an idle process never waits.
   */
  readonly lingerMs?: number;
}

/** A batch lingers only after one of at least this many items: the sign of load. */
const LINGER_FROM = 4;

/** A queue whose items are run together (see {@link createBatcher}). */
export interface Batcher<T, R> {
  /** Queues `item`; settles when the batch that holds it has run, with its result or the batch's error. */
  add(item: T): Promise<R>;
  /** Items queued and not yet in a running batch. */
  readonly queued: number;
}

interface Pending<T, R> {
  readonly item: T;
  readonly resolve: (value: R) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * createBatcher is group commit for any statement that can take many rows at
 * once: the first item after an idle moment runs at the next turn of the
 * event loop (with whatever arrived in the same turn), and while
 * `maxInFlight` batches run, new items queue and go together as soon as one
 * finishes. So an idle process adds no wait, and a busy one sends one
 * statement per batch instead of one per call. A batch never holds more than
 * `maxBatch` items.
 */
export function createBatcher<T, R>(options: BatcherOptions<T, R>): Batcher<T, R> {
  const queue: Pending<T, R>[] = [];
  let inFlight = 0;
  let scheduled = false;
  // The pending linger timer, so a batch that fills up runs at once.
  let lingering: ReturnType<typeof setTimeout> | undefined;
  let lastSize = 0;
  const linger = options.lingerMs ?? 0;

  const flush = () => {
    scheduled = false;
    if (lingering !== undefined) clearTimeout(lingering);
    lingering = undefined;
    while (inFlight < options.maxInFlight && queue.length > 0) {
      const batch = queue.splice(0, options.maxBatch);
      lastSize = batch.length;
      inFlight++;
      void runBatch(batch).finally(() => {
        inFlight--;
        if (queue.length > 0) schedule();
      });
    }
  };

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    if (linger > 0 && lastSize >= LINGER_FROM && queue.length < options.maxBatch) lingering = setTimeout(flush, linger);
    else setImmediate(flush);
  };

  const runBatch = async (batch: Pending<T, R>[]) => {
    try {
      const results = await options.run(batch.map((p) => p.item));
      if (results.length !== batch.length) throw new Error(`batch of ${batch.length} items returned ${results.length} results`);
      batch.forEach((p, i) => p.resolve(results[i] as R));
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  };

  return {
    add(item) {
      return new Promise<R>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (inFlight >= options.maxInFlight) return;
        // A lingering batch that is now full has nothing left to wait for.
        if (lingering !== undefined && queue.length >= options.maxBatch) {
          clearTimeout(lingering);
          lingering = undefined;
          scheduled = false;
        }
        schedule();
      });
    },
    get queued() {
      return queue.length;
    },
  };
}
