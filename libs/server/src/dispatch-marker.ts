import { createContextKey, type Interceptor } from "@connectrpc/connect";

/** Set once a call has passed decoding and entered the interceptor chain. */
export const dispatchedKey = createContextKey<boolean>(false, { description: "the call reached the interceptors" });

/**
 * createDispatchMarker marks a call as dispatched (outermost interceptor). A
 * call that ends without the mark was refused before any interceptor ran
 * (undecodable body, strict JSON, bad timeout header): the logging
 * interceptor never saw it, so the listener logs it itself, at warn.
 */
export function createDispatchMarker(): Interceptor {
  return (next) => (request) => {
    request.contextValues.set(dispatchedKey, true);
    return next(request);
  };
}
