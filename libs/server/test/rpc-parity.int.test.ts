import { describe, expect, it } from "vitest";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { Code, decodeBinaryHeader } from "@connectrpc/connect";
import { BadRequestSchema } from "@planton/proto/google/rpc/error_details_pb";
import { VaultService } from "@planton/proto/planton/connect/v1/vault_pb";
import { BOOM_MARKER, INVALID_VIOLATIONS } from "./support/fake-vault.js";
import { postConnectUnary, postGrpcWebUnary } from "./support/raw-calls.js";
import { uniqueId, useServerAndCallers } from "./support/test-server.js";
import { CALLERS, onEveryCaller, rawGrpcUnary, expectSame, type CallOptions, type UnaryOutcome } from "./support/transports.js";

// One implementation behind two listeners (DESIGN.md, Services): every
// scenario runs on every transport and the normalized results must agree.

const seal = VaultService.method.sealCredential;

const env = useServerAndCallers();

/** What a caller can observe of a failed call, independent of the transport. */
function normalizeError(outcome: UnaryOutcome<unknown>) {
  const error = outcome.error;
  if (error === undefined) return { code: "OK" };
  return {
    code: Code[error.code],
    message: error.rawMessage,
    violations: error
      .findDetails(BadRequestSchema)
      .flatMap((d) => d.fieldViolations.map((v) => ({ field: v.field, reason: v.reason, description: v.description }))),
  };
}

/** Every header and trailer value the client saw for `name` (errors carry theirs on the error). */
function seen(outcome: UnaryOutcome<unknown>, name: string): string[] {
  return [outcome.headers.get(name), outcome.trailers.get(name), outcome.error?.metadata.get(name) ?? null].filter((v): v is string => v !== null);
}

describe.each(CALLERS.map((c) => [c.name, c] as const))("round trip over %s", (name) => {
  const caller = () => env.callers.find((c) => c.name === name)!;

  it("reaches the handler with the verified caller and returns its message", async () => {
    const outcome = await caller().unary(
      seal,
      { orgId: "echo", connectionId: uniqueId("rt"), payload: new Uint8Array(5) },
      { headers: await env.t.auth(["internal"], "svc-roundtrip", "org-roundtrip") },
    );
    expect(outcome.error).toBeUndefined();
    expect(outcome.message?.version).toBe(5);
    expect(outcome.message?.keyId).toBe("caller:svc-roundtrip@org-roundtrip");
  });

  it("passes request headers to the handler and its response header and trailer back", async () => {
    const blob = new Uint8Array([0, 1, 2, 250, 255]);
    const outcome = await caller().unary(
      seal,
      { orgId: "headers", connectionId: uniqueId("hdr") },
      { headers: { ...(await env.t.auth()), "x-echo": "hello-metadata", "x-blob-bin": blob } },
    );
    expect(outcome.error).toBeUndefined();
    expect(outcome.message?.keyId).toBe("echo:hello-metadata");
    expect(outcome.headers.get("x-echo-back")).toBe("header:hello-metadata");
    expect(outcome.trailers.get("x-echo-trailer")).toBe("trailer:hello-metadata");
    // Binary metadata survives both directions (base64 under connect, raw bytes under grpc-js).
    const back = outcome.trailers.get("x-blob-back-bin");
    expect(back).not.toBeNull();
    expect([...decodeBinaryHeader(back!)]).toEqual([...blob].reverse());
  });

  it("echoes the caller's x-request-id in the response header", async () => {
    const requestId = uniqueId("req");
    const outcome = await caller().unary(
      seal,
      { orgId: "echo", connectionId: uniqueId("rid") },
      { headers: { ...(await env.t.auth()), "x-request-id": requestId } },
    );
    expect(outcome.error).toBeUndefined();
    expect(outcome.headers.get("x-request-id")).toBe(requestId);
  });

  it("keeps response metadata the handler set before failing", async () => {
    const outcome = await caller().unary(seal, { orgId: "headers-fail", connectionId: uniqueId("hf") }, { headers: await env.t.auth() });
    expect(outcome.error?.code).toBe(Code.FailedPrecondition);
    expect(outcome.error?.rawMessage).toBe("failed after setting metadata");
    expect(seen(outcome, "x-echo-back")).toContain("header-before-failure");
    expect(seen(outcome, "x-echo-trailer")).toContain("trailer-before-failure");
  });
});

describe("error parity across every transport", () => {
  const run = async (input: MessageInitShape<typeof seal.input>, headers: () => Promise<CallOptions["headers"]>) =>
    onEveryCaller(env.callers, async (caller) => normalizeError(await caller.unary(seal, input, { headers: await headers() })));

  it("badRequest() is INVALID_ARGUMENT with google.rpc.BadRequest field violations every client decodes", async () => {
    const results = await run({ orgId: "fail-invalid", connectionId: "c-invalid" }, () => env.t.auth());
    expectSame(results, {
      code: "InvalidArgument",
      message: "invalid request: org_id: must be set; payload: must be at most 64 KiB",
      violations: INVALID_VIOLATIONS.map((v) => ({ field: v.field, reason: v.reason, description: v.description })),
    });
  });

  it("a domain error known to mapError gets the mapped code and message", async () => {
    const results = await run({ orgId: "domain", connectionId: "c-domain" }, () => env.t.auth());
    expectSame(results, { code: "NotFound", message: "connection c-domain not found", violations: [] });
  });

  it('an unexpected error is INTERNAL "internal error" and its message never reaches the client', async () => {
    const outcomes = await onEveryCaller(env.callers, async (caller) =>
      caller.unary(seal, { orgId: "boom", connectionId: "c-boom" }, { headers: await env.t.auth() }),
    );
    expectSame(Object.fromEntries(Object.entries(outcomes).map(([n, o]) => [n, normalizeError(o)])), {
      code: "Internal",
      message: "internal error",
      violations: [],
    });
    for (const [name, outcome] of Object.entries(outcomes)) {
      const everything = [
        outcome.error?.message,
        JSON.stringify(outcome.error?.details ?? []),
        ...[outcome.headers, outcome.trailers, outcome.error?.metadata ?? new Headers()].flatMap((h) => [...h.entries()].flat()),
      ].join("\n");
      expect(everything, name).not.toContain(BOOM_MARKER);
      expect(everything, name).not.toContain("database exploded");
    }
  });

  it("no token is UNAUTHENTICATED", async () => {
    const results = await run({ orgId: "echo", connectionId: "c-anon" }, async () => ({}));
    expectSame(results, { code: "Unauthenticated", message: "missing bearer token (Authorization header)", violations: [] });
  });

  it("a token signed with another secret is UNAUTHENTICATED", async () => {
    const results = await run({ orgId: "echo", connectionId: "c-forged" }, async () => {
      const token = await env.t.token();
      const [header, payload] = token.split(".");
      return { authorization: `Bearer ${header}.${payload}.${"A".repeat(43)}` };
    });
    expectSame(results, { code: "Unauthenticated", message: "bearer token rejected (ERR_JWS_SIGNATURE_VERIFICATION_FAILED)", violations: [] });
  });

  it("a token without the `internal` scope is PERMISSION_DENIED and the handler never runs", async () => {
    const before = env.t.vault.calls();
    const results = await run({ orgId: "echo", connectionId: "c-scope" }, () => env.t.auth(["connections:read"]));
    expectSame(results, { code: "PermissionDenied", message: 'missing scope "internal" for SealCredential', violations: [] });
    expect(env.t.vault.calls()).toBe(before);
  });

  it("metadata attached to a thrown ConnectError reaches every client", async () => {
    const results = await onEveryCaller(env.callers, async (caller) => {
      const outcome = await caller.unary(seal, { orgId: "fail-metadata", connectionId: "c-meta" }, { headers: await env.t.auth() });
      return { ...normalizeError(outcome), meta: seen(outcome, "x-error-meta")[0] ?? null };
    });
    expectSame(results, { code: "Aborted", message: "conflict with metadata", violations: [], meta: "from-the-error" });
  });

  it("a failed call echoes the caller's x-request-id too, so the failure can be found in the log", async () => {
    const results = await onEveryCaller(env.callers, async (caller) => {
      const requestId = uniqueId("req-fail");
      const outcome = await caller.unary(seal, { orgId: "domain", connectionId: "c-rid" }, { headers: { ...(await env.t.auth()), "x-request-id": requestId } });
      return { code: normalizeError(outcome).code, echoed: seen(outcome, "x-request-id").includes(requestId) };
    });
    expectSame(results, { code: "NotFound", echoed: true });
  });

  it("a request bigger than the 1 MiB limit is RESOURCE_EXHAUSTED on both listeners", async () => {
    const payload = new Uint8Array(1024 * 1024 + 1024);
    const results = await onEveryCaller(env.callers, async (caller) => {
      const outcome = await caller.unary(seal, { orgId: "echo", connectionId: "c-big", payload }, { headers: await env.t.auth() });
      return outcome.error ? Code[outcome.error.code] : "OK";
    });
    expectSame(results, "ResourceExhausted");
  });
});

describe("a request body that is not protobuf", () => {
  const path = `/${VaultService.typeName}/${seal.name}`;
  // The example (a varint that never ends) and plain garbage.
  const bodies = { "unterminated varint": Buffer.from("CoCAgICAgICAgIAB", "base64"), garbage: Buffer.from([0xff, 0xff, 0xff]) };

  // A body that does not decode is the caller's mistake: INVALID_ARGUMENT on
  // every protocol of both listeners (connect-es needs our patch for this,
  // patches/README.md), and the handler never runs.
  it.each(Object.entries(bodies))("(%s) is INVALID_ARGUMENT on every protocol and both listeners, never reaching the handler", async (_name, body) => {
    const before = env.t.vault.calls();
    const auth = await env.t.auth();
    const [grpcJs, connectNodeGrpc, connectNodeConnect, connectNodeGrpcWeb] = await Promise.all([
      rawGrpcUnary(env.t.server.grpcAddress, path, body, auth),
      rawGrpcUnary(`127.0.0.1:${env.t.server.port}`, path, body, auth),
      postConnectUnary(`${env.t.server.url}${path}`, body, auth).then((outcome) => outcome.code),
      postGrpcWebUnary(`${env.t.server.url}${path}`, body, auth),
    ]);
    const results = {
      "grpc-js listener, gRPC": Code[grpcJs.code as number],
      "connect-node listener, gRPC": Code[connectNodeGrpc.code as number],
      "connect-node listener, Connect": connectNodeConnect,
      "connect-node listener, gRPC-Web": connectNodeGrpcWeb,
    };
    expect(results).toEqual({
      "grpc-js listener, gRPC": "InvalidArgument",
      "connect-node listener, gRPC": "InvalidArgument",
      "connect-node listener, Connect": "InvalidArgument",
      "connect-node listener, gRPC-Web": "InvalidArgument",
    });
    expect(env.t.vault.calls()).toBe(before);
  });
});
