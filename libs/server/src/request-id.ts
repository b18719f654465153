import { randomUUID } from "node:crypto";
import { createContextKey, type HandlerContext } from "@connectrpc/connect";

/**
 * Context key under which the logging interceptor stores the request id of
 * the current RPC: the caller's `x-request-id`, or one the server generated
 * (and answered with). Handlers read it with {@link requestIdOf} to carry it
 * into audit records and events.
 */
export const requestIdKey = createContextKey<string>("", { description: "request id (x-request-id)" });

// What a request id the caller chose may look like: it ends up in logs,
// audit records and events, so it is bounded and printable.
const ACCEPTED = /^[A-Za-z0-9._:/+=@-]{1,128}$/;

/**
 * acceptRequestId returns the caller's `x-request-id` when it is 1-128
 * printable characters of letters, digits and `._:/+=@-`, else a new UUID:
 * an id that is too long or holds control characters is replaced, never
 * stored.
 */
export function acceptRequestId(header: string | null): string {
  return header !== null && ACCEPTED.test(header) ? header : randomUUID();
}

/** requestIdOf returns the request id of the current RPC ("" outside an RPC served by startServer). */
export function requestIdOf(context: Pick<HandlerContext, "values">): string {
  return context.values.get(requestIdKey);
}
