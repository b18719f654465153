import { describe, expect, it } from "vitest";
import { Code } from "@connectrpc/connect";
import { Health } from "@planton/proto/grpc/health/v1/health_pb";
import { ServerReflection } from "@planton/proto/grpc/reflection/v1/reflection_pb";
import { VaultService } from "@planton/proto/planton/connect/v1/vault_pb";
import { within } from "./support/fake-vault.js";
import { uniqueId, useServerAndCallers } from "./support/test-server.js";
import { BIDI_CALLERS, CALLERS, onEveryCaller, expectSame, type Caller } from "./support/transports.js";

// The logging interceptor writes exactly one record per RPC, on both
// listeners, with message-free metadata only.

const seal = VaultService.method.sealCredential;
const PAYLOAD_MARKER = "PAYLOAD-MARKER-c0ffee-4b1d-secret-bytes";

const env = useServerAndCallers();

function recordsFor(requestId: string): Record<string, unknown>[] {
  return env.t.logs.records().filter((r) => r["request_id"] === requestId);
}

/**
 * The records of one call once its record is written: streams log when they
 * end on the server, which can come a moment after the client saw the end.
 * Waits a little longer so a duplicate would be seen too.
 */
async function settledRecordsFor(requestId: string): Promise<Record<string, unknown>[]> {
  await within(
    (async () => {
      while (recordsFor(requestId).length === 0) await new Promise((r) => setTimeout(r, 10));
    })(),
    5_000,
    `a log record with request_id ${requestId}`,
  );
  await new Promise((r) => setTimeout(r, 100));
  return recordsFor(requestId);
}

function protocolOf(caller: Caller): string {
  if (caller.name.includes("Connect/")) return "connect";
  if (caller.name.includes("gRPC-Web")) return "grpc-web";
  return "grpc";
}

describe.each(CALLERS.map((c) => [c.name] as const))("log records over %s", (name) => {
  const caller = () => env.callers.find((c) => c.name === name)!;

  it("a successful call writes exactly one record with procedure, code, duration, caller and request id", async () => {
    const requestId = uniqueId("log-ok");
    const outcome = await caller().unary(
      seal,
      { orgId: "echo", connectionId: uniqueId("c"), payload: new TextEncoder().encode(PAYLOAD_MARKER) },
      { headers: { ...(await env.t.auth(["internal"], "svc-logger", "org-logger")), "x-request-id": requestId } },
    );
    expect(outcome.error).toBeUndefined();
    const records = recordsFor(requestId);
    expect(records).toHaveLength(1);
    const [record] = records;
    expect(record).toMatchObject({
      level: "info",
      msg: "rpc",
      procedure: "/planton.connect.v1.VaultService/SealCredential",
      protocol: protocolOf(caller()),
      code: "OK",
      caller: { sub: "svc-logger", org: "org-logger" },
      request_id: requestId,
    });
    expect(record?.["duration_ms"]).toBeTypeOf("number");
    expect(record?.["duration_ms"]).toBeGreaterThanOrEqual(0);
    expect(record).not.toHaveProperty("error");
  });

  it("a call without a request id gets a generated one, logged and echoed in the response header", async () => {
    const connectionId = uniqueId("c-genid");
    const before = env.t.logs.records().length;
    const outcome = await caller().unary(seal, { orgId: "echo", connectionId }, { headers: await env.t.auth() });
    expect(outcome.error).toBeUndefined();
    const echoed = outcome.headers.get("x-request-id");
    expect(echoed).toMatch(/^[0-9a-f-]{36}$/);
    expect(recordsFor(echoed!)).toHaveLength(1);
    expect(env.t.logs.records().length).toBe(before + 1);
  });

  it("an unauthenticated call writes one record with the code and no caller", async () => {
    const requestId = uniqueId("log-anon");
    const outcome = await caller().unary(seal, { orgId: "echo", connectionId: uniqueId("c") }, { headers: { "x-request-id": requestId } });
    expect(outcome.error?.code).toBe(Code.Unauthenticated);
    const records = recordsFor(requestId);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ level: "info", code: "Unauthenticated", request_id: requestId });
    expect(records[0]).not.toHaveProperty("caller");
  });

  it("a server fault is logged once at error level with its cause; a caller mistake at info", async () => {
    const faultId = uniqueId("log-boom");
    const mistakeId = uniqueId("log-invalid");
    const auth = await env.t.auth();
    const [fault, mistake] = await Promise.all([
      caller().unary(seal, { orgId: "boom", connectionId: uniqueId("c") }, { headers: { ...auth, "x-request-id": faultId } }),
      caller().unary(seal, { orgId: "fail-invalid", connectionId: uniqueId("c") }, { headers: { ...auth, "x-request-id": mistakeId } }),
    ]);
    expect(fault.error?.code).toBe(Code.Internal);
    expect(mistake.error?.code).toBe(Code.InvalidArgument);
    const faults = recordsFor(faultId);
    expect(faults).toHaveLength(1);
    expect(faults[0]).toMatchObject({
      level: "error",
      msg: "rpc failed",
      code: "Internal",
      error: "internal error",
      caller: { sub: "svc-test", org: "org-test" },
    });
    // The original error rides along for operators (and only for them).
    expect(JSON.stringify(faults[0]?.["cause"])).toContain("database exploded");
    const mistakes = recordsFor(mistakeId);
    expect(mistakes).toHaveLength(1);
    expect(mistakes[0]).toMatchObject({ level: "info", code: "InvalidArgument" });
  });
});

describe("streams cancelled by the client, on every transport", () => {
  it("a server stream (Health/Watch) writes exactly one record, with code Canceled", async () => {
    const results = await onEveryCaller(env.callers, async (caller) => {
      const requestId = uniqueId("log-watch");
      const controller = new AbortController();
      const outcome = await within(
        caller.serverStream(
          Health.method.watch,
          { service: "" },
          {
            headers: { "x-request-id": requestId },
            signal: controller.signal,
            onMessage: () => controller.abort(),
          },
        ),
        10_000,
        "the first Watch message",
      );
      const records = await settledRecordsFor(requestId);
      return { client: outcome.error ? Code[outcome.error.code] : "OK", records: records.map((r) => `${String(r["procedure"])} ${String(r["code"])}`) };
    });
    expectSame(results, { client: "Canceled", records: ["/grpc.health.v1.Health/Watch Canceled"] });
  });

  // Only grpc-js env.callers here: connect-es sends an array of requests and
  // half-closes at once, so the server legitimately finishes with OK before
  // the client stops reading; grpc-js keeps the request side open and cancels.
  it("a bidi stream (reflection) cancelled with its request side open writes exactly one record, with code Canceled", async () => {
    const bidiCallers = env.callers.filter((c) => BIDI_CALLERS.some((b) => b.name === c.name) && c.name.startsWith("grpc-js"));
    expect(bidiCallers.length).toBe(2);
    const results = await onEveryCaller(bidiCallers, async (caller) => {
      const requestId = uniqueId("log-reflect");
      const outcome = await within(
        caller.bidi(ServerReflection.method.serverReflectionInfo, [{ messageRequest: { case: "listServices", value: "*" } }], {
          headers: { "x-request-id": requestId },
          finish: "cancel-after-answers",
        }),
        10_000,
        "the reflection answer",
      );
      const records = await settledRecordsFor(requestId);
      return { answers: outcome.messages.length, records: records.map((r) => `${String(r["procedure"])} ${String(r["code"])}`) };
    });
    expectSame(results, { answers: 1, records: ["/grpc.reflection.v1.ServerReflection/ServerReflectionInfo Canceled"] });
  });
});

describe("what never reaches the log", () => {
  it("no request payload, in any encoding, and no bearer token, on any transport", async () => {
    const marker = new TextEncoder().encode(PAYLOAD_MARKER);
    const auth = await env.t.auth();
    await Promise.all(
      env.callers.map(async (caller) => {
        const ok = await caller.unary(seal, { orgId: "echo", connectionId: uniqueId("c"), payload: marker }, { headers: auth });
        expect(ok.error, caller.name).toBeUndefined();
        const failed = await caller.unary(seal, { orgId: "fail-invalid", connectionId: uniqueId("c"), payload: marker }, { headers: auth });
        expect(failed.error?.code, caller.name).toBe(Code.InvalidArgument);
      }),
    );
    const text = env.t.logs.text();
    expect(text).toContain("/planton.connect.v1.VaultService/SealCredential");
    for (const form of [
      PAYLOAD_MARKER,
      Buffer.from(marker).toString("base64"),
      Buffer.from(marker).toString("base64url"),
      Buffer.from(marker).toString("hex"),
    ]) {
      expect(text).not.toContain(form);
    }
    const token = auth["authorization"]!.slice("Bearer ".length);
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.split(".")[2]!);
  });
});
