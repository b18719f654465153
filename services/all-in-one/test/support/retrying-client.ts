import { randomUUID } from "node:crypto";
import type { DescMessage, DescMethodUnary, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { grpcUnary } from "@planton/testing";

/** What a call through {@link RetryingClient} ended with. */
export interface CallOutcome<O extends DescMessage> {
  readonly response?: MessageShape<O>;
  /** The error of the last attempt when it was not UNAVAILABLE. */
  readonly error?: grpc.ServiceError;
  /** The x-request-id of the last attempt (the one that answered). */
  readonly requestId: string;
  /** An earlier attempt failed with UNAVAILABLE: it may have been applied before the answer was lost. */
  readonly ambiguous: boolean;
  readonly attempts: number;
}

/** Counts of what the clients saw, for the report. */
export interface ClientTally {
  calls: number;
  unavailableRetries: number;
}

/**
 * RetryingClient is how the test's callers behave: native gRPC (a stock
 * grpc-js client, as platform services call) to a balanced address, and on
 * UNAVAILABLE the same call again after a short pause, with a new request id,
 * until `giveUpMs`. Any other answer ends the call and is the caller's to
 * judge (a retry of something that already landed answers ALREADY_EXISTS or
 * ABORTED, see `ambiguous`).
 */
export class RetryingClient {
  private readonly client: grpc.Client;
  readonly tally: ClientTally = { calls: 0, unavailableRetries: 0 };

  constructor(
    port: number,
    private readonly token: string,
    private readonly giveUpMs = 30_000,
  ) {
    this.client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
      // Reconnect quickly: the balancer answers at once, and a replica restart takes a second or two.
      "grpc.initial_reconnect_backoff_ms": 100,
      "grpc.max_reconnect_backoff_ms": 1_000,
    });
  }

  async call<I extends DescMessage, O extends DescMessage>(method: DescMethodUnary<I, O>, request: MessageInitShape<I>): Promise<CallOutcome<O>> {
    this.tally.calls++;
    const deadline = Date.now() + this.giveUpMs;
    let ambiguous = false;
    for (let attempt = 1; ; attempt++) {
      const requestId = randomUUID();
      const metadata = new grpc.Metadata();
      metadata.set("authorization", `Bearer ${this.token}`);
      metadata.set("x-request-id", requestId);
      const outcome = await grpcUnary(this.client, method, request, metadata, { deadline: Date.now() + 10_000 });
      if (outcome.error?.code === grpc.status.UNAVAILABLE && Date.now() < deadline) {
        this.tally.unavailableRetries++;
        ambiguous = true;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 150));
        continue;
      }
      return {
        ...(outcome.response ? { response: outcome.response } : {}),
        ...(outcome.error ? { error: outcome.error } : {}),
        requestId,
        ambiguous,
        attempts: attempt,
      };
    }
  }

  close(): void {
    this.client.close();
  }
}

/** An answer the test did not expect, kept for the assertion message. */
export interface UnexpectedFailure {
  readonly what: string;
  readonly code: string;
  readonly message: string;
}

/** failureOf describes a failed outcome for the report. */
export function failureOf(what: string, outcome: { error?: grpc.ServiceError; attempts: number }): UnexpectedFailure {
  const code = outcome.error ? (grpc.status[outcome.error.code] ?? String(outcome.error.code)) : "NO_RESPONSE";
  return { what: `${what} (attempt ${outcome.attempts})`, code, message: outcome.error?.details ?? "" };
}
