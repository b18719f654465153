import { setImmediate as nextMacrotask } from "node:timers/promises";
import { ConnectError, type Interceptor } from "@connectrpc/connect";

/**
 * createCancellationInterceptor makes a client's cancellation visible to
 * streaming handlers. On both listeners a cancelled stream looks to the
 * handler like a client that simply stopped sending: its request iterable
 * ends normally, and the handler would finish with OK. This interceptor
 * checks, when the request stream ends, whether the call was aborted (the
 * abort arrives in the same turn or the next), and if so throws the abort
 * reason (CANCELED) into the handler instead.
 */
export function createCancellationInterceptor(): Interceptor {
  return (next) => async (request) => {
    if (!request.stream) return next(request);
    const signal = request.signal;
    const source = request.message;
    async function* watched() {
      yield* source;
      await nextMacrotask();
      if (signal.aborted) throw ConnectError.from(signal.reason);
    }
    return next({ ...request, message: watched() });
  };
}
