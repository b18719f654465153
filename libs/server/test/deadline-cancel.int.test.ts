import { describe, expect, it } from "vitest";
import { Code } from "@connectrpc/connect";
import { VaultService } from "@planton/proto/planton/connect/v1/vault_pb";
import { within } from "./support/fake-vault.js";
import { uniqueId, useServerAndCallers } from "./support/test-server.js";
import { CALLERS } from "./support/transports.js";

// Deadlines and cancellation reach the handler's `ctx.signal` on every
// transport and both listeners: a handler waiting on the signal must be
// released, never left running after its caller is gone.

const seal = VaultService.method.sealCredential;
const DEADLINE_MS = 200;

const env = useServerAndCallers();

/** Resolves with the server's log line of the call sent with `x-request-id: requestId`, once it is written. */
async function logLine(requestId: string): Promise<Record<string, unknown>> {
  for (;;) {
    const line = env.t.logs.records().find((r) => r["request_id"] === requestId);
    if (line !== undefined) return line;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(CALLERS.map((c) => [c.name] as const))("over %s", (name) => {
  const caller = () => env.callers.find((c) => c.name === name)!;

  it(`a ${DEADLINE_MS} ms client deadline is DEADLINE_EXCEEDED and aborts the handler's signal`, async () => {
    const connectionId = uniqueId("deadline");
    const headers = { ...(await env.t.auth()), "x-request-id": connectionId };
    const outcome = await caller().unary(seal, { orgId: "sleep", connectionId }, { headers, timeoutMs: DEADLINE_MS });
    expect(outcome.error?.code, outcome.error?.message).toBe(Code.DeadlineExceeded);

    const probe = await env.t.vault.started(connectionId);
    // The handler learned the deadline from the wire (grpc-timeout, connect-timeout-ms).
    expect(probe.timeoutMs).toBeTypeOf("number");
    expect(probe.timeoutMs).toBeGreaterThan(0);
    expect(probe.timeoutMs).toBeLessThanOrEqual(DEADLINE_MS);
    // Which side notices first (server deadline timer or the client's stream
    // reset) is a race, so only the abort itself is asserted, not its reason.
    await within(probe.aborted, 10_000, "the handler's signal to abort");
    await within(probe.finished, 10_000, "the handler to return");
    expect(probe.abortedAtEnd).toBe(true);
    // The server's log line says why the call ended, the same on both listeners.
    const line = await within(logLine(connectionId), 10_000, "the call's log line");
    expect(line.code).toBe("DeadlineExceeded");
  });

  it("a call without a deadline gives the handler no timeout", async () => {
    const connectionId = uniqueId("nodeadline");
    const outcome = await caller().unary(seal, { orgId: "echo", connectionId }, { headers: await env.t.auth() });
    expect(outcome.error).toBeUndefined();
    const probe = await env.t.vault.started(connectionId);
    expect(probe.timeoutMs).toBeUndefined();
    expect(probe.abortedAtEnd).toBe(false);
  });

  it("a client that aborts mid-call aborts the handler's signal", async () => {
    const connectionId = uniqueId("cancel");
    const controller = new AbortController();
    const headers = { ...(await env.t.auth()), "x-request-id": connectionId };
    const pending = caller().unary(seal, { orgId: "sleep", connectionId }, { headers, signal: controller.signal });
    const probe = await env.t.vault.started(connectionId);
    controller.abort();
    const outcome = await within(pending, 10_000, "the aborted call to settle");
    expect(outcome.error?.code).toBe(Code.Canceled);
    await within(probe.aborted, 10_000, "the handler's signal to abort after the client went away");
    await within(probe.finished, 10_000, "the handler to return");
    expect(probe.abortedAtEnd).toBe(true);
    const line = await within(logLine(connectionId), 10_000, "the call's log line");
    expect(line.code).toBe("Canceled");
  });
});
