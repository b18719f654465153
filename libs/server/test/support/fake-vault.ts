import { Code, ConnectError, decodeBinaryHeader, encodeBinaryHeader, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import { principalKey } from "@planton/auth";
import { VaultService } from "@planton/proto/planton/connect/v1/vault_pb";
import { badRequest, type ErrorMapper } from "@planton/server";

/**
 * A test double of `VaultService` whose behaviour is chosen by the request's
 * `org_id`, and which records what the handler observed (per `connection_id`,
 * which each test makes unique) so tests can look at the server side of a call.
 */

/** Marker planted in the message of the "boom" error: it must never reach a client. */
export const BOOM_MARKER = "BOOM-MARKER-7f3a9c1e-never-send-this";

/** Field violations thrown by the "fail-invalid" behaviour. */
export const INVALID_VIOLATIONS = [
  { field: "org_id", reason: "REQUIRED", description: "must be set" },
  { field: "payload", reason: "TOO_LARGE", description: "must be at most 64 KiB" },
] as const;

/** A domain error of the fake service, mapped to NOT_FOUND by {@link mapError}. */
class FakeNotFoundError extends Error {
  override readonly name = "FakeNotFoundError";
  constructor(readonly connectionId: string) {
    super(`connection ${connectionId} does not exist`);
  }
}

/** The error mapper given to startServer: knows only {@link FakeNotFoundError}. */
export const mapError: ErrorMapper = (error) =>
  error instanceof FakeNotFoundError ? new ConnectError(`connection ${error.connectionId} not found`, Code.NotFound) : undefined;

/** What one handler invocation saw. */
export interface CallProbe {
  readonly orgId: string;
  readonly connectionId: string;
  /** `ctx.timeoutMs()` when the handler started. */
  readonly timeoutMs: number | undefined;
  readonly protocolName: string;
  /** Resolves with the signal's reason once the handler's signal aborts. */
  readonly aborted: Promise<unknown>;
  /** Whether the handler's signal was aborted when the handler returned or threw. */
  abortedAtEnd: boolean | undefined;
  /** Resolves when the handler returns or throws. */
  readonly finished: Promise<void>;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Rejects after `ms` so a test waiting on something that never happens fails instead of hanging. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface FakeVault {
  readonly impl: ServiceImpl<typeof VaultService>;
  /** Resolves with the probe of the call with this connection id once its handler has started. */
  started(connectionId: string): Promise<CallProbe>;
  /** Number of handler invocations so far. */
  calls(): number;
}

/** How long a "slow" handler works before answering. */
const SLOW_MS = 300;

export function createFakeVault(): FakeVault {
  const probes = new Map<string, Deferred<CallProbe>>();
  let count = 0;
  const slot = (connectionId: string) => {
    let entry = probes.get(connectionId);
    if (entry === undefined) {
      entry = deferred<CallProbe>();
      probes.set(connectionId, entry);
    }
    return entry;
  };

  const begin = (orgId: string, connectionId: string, ctx: HandlerContext) => {
    count++;
    const aborted = deferred<unknown>();
    if (ctx.signal.aborted) aborted.resolve(ctx.signal.reason);
    else ctx.signal.addEventListener("abort", () => aborted.resolve(ctx.signal.reason), { once: true });
    const finished = deferred<void>();
    const probe: CallProbe = {
      orgId,
      connectionId,
      timeoutMs: ctx.timeoutMs(),
      protocolName: ctx.protocolName,
      aborted: aborted.promise,
      abortedAtEnd: undefined,
      finished: finished.promise,
    };
    slot(connectionId).resolve(probe);
    const end = () => {
      probe.abortedAtEnd = ctx.signal.aborted;
      finished.resolve();
    };
    return { probe, end };
  };

  const impl: ServiceImpl<typeof VaultService> = {
    async sealCredential(request, ctx) {
      const { end } = begin(request.orgId, request.connectionId, ctx);
      try {
        switch (request.orgId) {
          case "headers": {
            ctx.responseHeader.set("x-echo-back", `header:${ctx.requestHeader.get("x-echo") ?? "<missing>"}`);
            ctx.responseTrailer.set("x-echo-trailer", `trailer:${ctx.requestHeader.get("x-echo") ?? "<missing>"}`);
            const blob = ctx.requestHeader.get("x-blob-bin");
            if (blob !== null) {
              // Reverse the bytes so the client proves the server decoded them.
              ctx.responseTrailer.set("x-blob-back-bin", encodeBinaryHeader(decodeBinaryHeader(blob).reverse()));
            }
            return { version: 1, keyId: `echo:${ctx.requestHeader.get("x-echo") ?? ""}` };
          }
          case "headers-fail": {
            ctx.responseHeader.set("x-echo-back", "header-before-failure");
            ctx.responseTrailer.set("x-echo-trailer", "trailer-before-failure");
            throw new ConnectError("failed after setting metadata", Code.FailedPrecondition);
          }
          case "sleep": {
            // Waits until the call is cancelled (deadline, client abort, shutdown).
            await within(
              new Promise<void>((resolve) => {
                if (ctx.signal.aborted) resolve();
                else ctx.signal.addEventListener("abort", () => resolve(), { once: true });
              }),
              20_000,
              "the handler's signal to abort",
            ).catch(() => undefined);
            throw ctx.signal.aborted ? ConnectError.from(ctx.signal.reason) : new ConnectError("sleep was never cancelled", Code.Internal);
          }
          case "slow": {
            await new Promise((resolve) => setTimeout(resolve, SLOW_MS));
            return { version: 2, keyId: "slow-done" };
          }
          case "fail-metadata":
            throw new ConnectError("conflict with metadata", Code.Aborted, { "x-error-meta": "from-the-error" });
          case "fail-invalid":
            throw badRequest(INVALID_VIOLATIONS);
          case "domain":
            throw new FakeNotFoundError(request.connectionId);
          case "boom":
            throw new Error(`database exploded: ${BOOM_MARKER}`);
          default: {
            const principal = ctx.values.get(principalKey);
            return {
              version: request.payload.length,
              keyId: principal ? `caller:${principal.subject}@${principal.orgId}` : "caller:anonymous",
            };
          }
        }
      } finally {
        end();
      }
    },
    openCredential(request, ctx) {
      const { end } = begin(request.orgId, request.connectionId, ctx);
      end();
      return { payload: new Uint8Array([1, 2, 3]), version: request.version };
    },
    destroyCredential(request, ctx) {
      const { end } = begin(request.orgId, request.connectionId, ctx);
      end();
      return { destroyedVersions: [request.version] };
    },
    rewrapDataKeys() {
      return { rewrapped: 0, remaining: 0, targetKeyId: "" };
    },
  };

  return {
    impl,
    started: (connectionId) => within(slot(connectionId).promise, 10_000, `handler for ${connectionId} to start`),
    calls: () => count,
  };
}
