import { Code, ConnectError } from "@connectrpc/connect";

// A client's clock starts before its request is on the wire, and Node timers
// count from the event loop's cached clock: a call that ends this close to
// the deadline the server computed ended because of the deadline.
const DEADLINE_TOLERANCE_MS = 50;

/**
 * reachedDeadline says whether a call that is ending now (the client went
 * away, or grpc-js ended it) ended because its deadline (epoch ms) passed, so
 * both listeners report DEADLINE_EXCEEDED for it rather than CANCELED.
 */
export function reachedDeadline(deadlineMs: number | undefined): boolean {
  return deadlineMs !== undefined && Number.isFinite(deadlineMs) && Date.now() >= deadlineMs - DEADLINE_TOLERANCE_MS;
}

/** The abort reason of a call whose deadline passed (connect-node's own words). */
export function deadlineExceeded(): ConnectError {
  return new ConnectError("the operation timed out", Code.DeadlineExceeded);
}
