import { Code, ConnectError } from "@connectrpc/connect";

// How early, at most, a client's deadline may pass by the server's clock.
const MAX_TOLERANCE_MS = 1_000;

/**
 * A call's deadline as the server knows it: its arrival plus the timeout the
 * client sent. The client's clock started earlier (before it connected and
 * sent the request), so a client that gives up at its deadline goes away
 * a little before this one; {@link Deadline.reached} allows for that.
 */
export interface Deadline {
  /** Whether a call ending now ended because of its deadline, not a cancellation. */
  reached(): boolean;
}

/**
 * deadlineOf returns the {@link Deadline} of a call that arrived now with
 * `timeoutMs`, or undefined without one. A call that ends within the last
 * half of its timeout (at most the last second) before the deadline counts
 * as ended by it, so both listeners report DEADLINE_EXCEEDED for a client
 * that gave up at its deadline rather than CANCELED (HTTP/2 and HTTP/1.1
 * clients just reset the stream or close the connection, as for a cancel).
 */
export function deadlineOf(timeoutMs: number | undefined): Deadline | undefined {
  if (timeoutMs === undefined || !Number.isFinite(timeoutMs)) return undefined;
  const deadlineMs = Date.now() + timeoutMs;
  const tolerance = Math.min(Math.max(timeoutMs, 0) / 2, MAX_TOLERANCE_MS);
  return { reached: () => Date.now() >= deadlineMs - tolerance };
}

/** The abort reason of a call whose deadline passed (connect-node's own words). */
export function deadlineExceeded(): ConnectError {
  return new ConnectError("the operation timed out", Code.DeadlineExceeded);
}
