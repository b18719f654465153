import { Writable } from "node:stream";
import { context, INVALID_SPAN_CONTEXT, ROOT_CONTEXT, trace, TraceFlags } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger, silentLogger, type LoggerOptions } from "./logger.js";
import { REDACTED } from "./redact.js";

const MARKER = "MARKER-zq7x-do-not-log";
const BEARER_TOKEN = "zq7xBearerTokenValue0123456789";
const JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ6cTd4LXVzZXIifQ.zq7xSignaturePartAbCdEf0123";
const AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq7xKEY012";
const CF_TOKEN = "cfut_zq7xCloudflareToken0123456789";
const PEM = "-----BEGIN PRIVATE KEY-----\nzq7xMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----";
const DB_URL = "postgres://app:zq7xDbPassw0rd@db.internal:5432/vault";

/** A logger writing into memory. */
function capture(options: Partial<LoggerOptions> = {}) {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString("utf8"));
      callback();
    },
  });
  const logger = createLogger({ level: "debug", ...options, destination });
  const text = () => chunks.join("");
  const records = () =>
    text()
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, text, records };
}

describe("createLogger", () => {
  it("writes one JSON object per line with level label, time, message and fields", () => {
    const { logger, text, records } = capture();
    logger.info({ procedure: "/x/Y", duration_ms: 1.5 }, "rpc");
    logger.warn({ code: "NOT_FOUND" }, "second");
    expect(text().endsWith("\n")).toBe(true);
    const [first, second] = records();
    expect(records()).toHaveLength(2);
    expect(first).toMatchObject({ level: "info", msg: "rpc", procedure: "/x/Y", duration_ms: 1.5 });
    expect(typeof first?.["time"]).toBe("string");
    expect(Number.isNaN(Date.parse(String(first?.["time"])))).toBe(false);
    expect(second).toMatchObject({ level: "warn", msg: "second", code: "NOT_FOUND" });
  });

  it("has no pid/hostname base unless given, and includes a given base on every record", () => {
    const bare = capture();
    bare.logger.info({}, "x");
    expect(bare.records()[0]).not.toHaveProperty("pid");
    expect(bare.records()[0]).not.toHaveProperty("hostname");

    const based = capture({ base: { service: "vault" } });
    based.logger.info({}, "a");
    based.logger.error({}, "b");
    expect(based.records().map((r) => r["service"])).toEqual(["vault", "vault"]);
  });

  it("filters by level", () => {
    const { logger, records } = capture({ level: "warn" });
    logger.debug({}, "d");
    logger.info({}, "i");
    logger.warn({}, "w");
    logger.error({}, "e");
    expect(records().map((r) => [r["level"], r["msg"]])).toEqual([
      ["warn", "w"],
      ["error", "e"],
    ]);
  });

  it("writes nothing at level silent", () => {
    const { logger, text } = capture({ level: "silent" });
    logger.error({ x: 1 }, "e");
    logger.child({ a: 1 }).error({}, "e");
    expect(text()).toBe("");
  });

  it("logs debug records at level debug", () => {
    const { logger, records } = capture({ level: "debug" });
    logger.debug({ step: 1 }, "d");
    expect(records()[0]).toMatchObject({ level: "debug", msg: "d", step: 1 });
  });

  it("keeps innocent fields", () => {
    const { logger, records } = capture();
    const fields = {
      procedure: "/planton.connect.v1.VaultService/OpenCredential",
      code: "OK",
      duration_ms: 4.2,
      org_id: "org_1",
      connection_id: "conn_2",
      key_id: "local-master",
      version: 3,
    };
    logger.info(fields, "rpc");
    expect(records()[0]).toMatchObject(fields);
  });

  it.each([
    "secret",
    "password",
    "token",
    "authorization",
    "privateKey",
    "private_key",
    "payload",
    "plaintext",
    "credential",
    "apiKey",
    "api_key",
    "externalId",
    "dataKey",
    "wrappedKey",
    "ciphertext",
  ])("redacts the field %s at top level, nested and in arrays", (name) => {
    const { logger, text, records } = capture();
    logger.info({ [name]: MARKER, outer: { inner: { [name]: MARKER } }, list: [{ [name]: MARKER }] }, "m");
    expect(text()).not.toContain(MARKER);
    const record = records()[0];
    expect(record?.[name]).toBe(REDACTED);
    expect(record?.["outer"]).toEqual({ inner: { [name]: REDACTED } });
    expect(record?.["list"]).toEqual([{ [name]: REDACTED }]);
  });

  it("redacts secret fields in base fields", () => {
    const { logger, text, records } = capture({ base: { service: "vault", token: MARKER } });
    logger.info({}, "m");
    expect(text()).not.toContain(MARKER);
    expect(records()[0]).toMatchObject({ service: "vault", token: REDACTED });
  });

  it("redacts secret fields and shapes in child bindings, nested children included", () => {
    const { logger, text, records } = capture();
    const child = logger.child({ request_id: "r1", authorization: `Bearer ${MARKER}`, nested: { password: MARKER } });
    const grandchild = child.child({ apiKey: MARKER, note: `got ${JWT}` });
    child.info({ step: 1 }, "child");
    grandchild.warn({ step: 2 }, "grandchild");
    expect(text()).not.toContain(MARKER);
    expect(text()).not.toContain("zq7x");
    const [first, second] = records();
    expect(first).toMatchObject({ request_id: "r1", authorization: REDACTED, nested: { password: REDACTED }, step: 1, msg: "child" });
    expect(second).toMatchObject({
      request_id: "r1",
      authorization: REDACTED,
      apiKey: REDACTED,
      note: `got ${REDACTED}`,
      step: 2,
      msg: "grandchild",
    });
  });

  it("never prints Uint8Array or Buffer contents", () => {
    const { logger, text, records } = capture();
    const bytes = new TextEncoder().encode(MARKER);
    const buffer = Buffer.from(MARKER);
    logger.info({ blob: bytes, nested: { raw: buffer } }, "bytes");
    const out = text();
    expect(out).not.toContain(MARKER);
    expect(out).not.toContain(buffer.toString("base64"));
    expect(out).not.toContain(buffer.toString("hex"));
    expect(records()[0]).toMatchObject({ blob: `[${bytes.byteLength} bytes]`, nested: { raw: `[${buffer.byteLength} bytes]` } });
  });

  it.each([
    ["PEM private key", PEM],
    ["bearer token", `Bearer ${BEARER_TOKEN}`],
    ["JWT", JWT],
    ["AWS secret key", AWS_SECRET],
    ["cfut token", CF_TOKEN],
  ])("scrubs a %s from the message and from string fields", (_label, secret) => {
    const { logger, text, records } = capture();
    logger.error({ detail: `upstream: ${secret}` }, `call failed: ${secret}`);
    expect(text()).not.toContain("zq7x");
    expect(records()[0]).toMatchObject({ msg: `call failed: ${REDACTED}`, detail: `upstream: ${REDACTED}` });
  });

  it("scrubs the password of a postgres URL but keeps the rest", () => {
    const { logger, text, records } = capture();
    logger.warn({ url: DB_URL }, `cannot reach ${DB_URL}`);
    expect(text()).not.toContain("zq7xDbPassw0rd");
    const expected = `postgres://app:${REDACTED}@db.internal:5432/vault`;
    expect(records()[0]).toMatchObject({ url: expected, msg: `cannot reach ${expected}` });
  });

  it("logs an Error field with its type and message, scrubbing message, stack and cause", () => {
    const { logger, text, records } = capture();
    class UpstreamError extends Error {
      override readonly name = "UpstreamError";
    }
    const cause = new Error(`inner Bearer ${BEARER_TOKEN}`);
    const error = new UpstreamError(`connect ${DB_URL} failed (${JWT})`, { cause });
    logger.error({ error }, "failed");
    expect(text()).not.toContain("zq7x");
    const record = records()[0] as Record<string, Record<string, unknown>>;
    expect(record["error"]).toMatchObject({
      type: "UpstreamError",
      message: `connect postgres://app:${REDACTED}@db.internal:5432/vault failed (${REDACTED})`,
      cause: { type: "Error", message: `inner ${REDACTED}` },
    });
    expect(typeof record["error"]?.["stack"]).toBe("string");
  });

  // `err` is the conventional pino key for errors: it must get the same
  // treatment as any other field (type and message, secrets scrubbed).
  it("logs an Error under the err key with its type and message", () => {
    const { logger, text, records } = capture();
    logger.error({ err: new TypeError(`bad ${CF_TOKEN}`) }, "failed");
    expect(text()).not.toContain("zq7x");
    expect(records()[0]?.["err"]).toMatchObject({ type: "TypeError", message: `bad ${REDACTED}` });
  });

  it("does not crash on cyclic fields", () => {
    const { logger, records } = capture();
    const a: Record<string, unknown> = { name: "a" };
    a["self"] = a;
    expect(() => logger.info({ a }, "cycle")).not.toThrow();
    expect(records()[0]).toMatchObject({ msg: "cycle", a: { name: "a", self: "[…]" } });
  });

  it("does not modify the fields it is given", () => {
    const { logger } = capture();
    const fields = { token: MARKER, nested: { text: `Bearer ${BEARER_TOKEN}` } };
    const before = structuredClone(fields);
    logger.info(fields, "m");
    expect(fields).toEqual(before);
  });

  it("lets a planted secret appear nowhere in the output", () => {
    const { logger, text } = capture({ base: { service: "vault" } });
    const child = logger.child({ credential: { secretAccessKey: MARKER }, org_id: "org_1" });
    child.info(
      {
        procedure: "/planton.connect.v1.VaultService/SealCredential",
        payload: new TextEncoder().encode(MARKER),
        request: { headers: { authorization: `Bearer ${MARKER}` }, body: { plaintext: MARKER } },
        keys: [{ dataKey: MARKER, wrappedKey: MARKER, key_id: "k1" }],
        error: new Error("failed", { cause: { privateKey: MARKER, externalId: MARKER } }),
      },
      "sealed",
    );
    child.error({ secret: MARKER, list: [[{ password: MARKER }]] }, "done");
    const out = text();
    expect(out).not.toContain(MARKER);
    expect(out).toContain("SealCredential");
    expect(out).toContain("org_1");
    expect(out).toContain('"key_id":"k1"');
  });
});

describe("silentLogger", () => {
  it("accepts every call and returns itself as child", () => {
    expect(() => {
      silentLogger.debug({ a: 1 }, "d");
      silentLogger.info({ a: 1 }, "i");
      silentLogger.warn({ a: 1 }, "w");
      silentLogger.error({ a: 1 }, "e");
    }).not.toThrow();
    expect(silentLogger.child({ a: 1 })).toBe(silentLogger);
  });
});

describe("trace ids in records", () => {
  const TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
  const SPAN_ID = "b7ad6b7169203331";
  const manager = new AsyncLocalStorageContextManager();
  beforeAll(() => {
    context.setGlobalContextManager(manager.enable());
  });
  afterAll(() => {
    context.disable();
  });

  it("adds trace_id and span_id while a trace is active, across awaits, and nothing outside one", async () => {
    const { logger, records } = capture();
    const active = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED });
    logger.info({ step: 0 }, "before");
    await context.with(active, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      logger.child({ request_id: "r1" }).info({ step: 1 }, "inside");
    });
    logger.info({ step: 2 }, "after");
    logger.info({ trace_id: "given" }, "a field of the call wins");
    const [before, inside, after, given] = records();
    expect(before).not.toHaveProperty("trace_id");
    expect(inside).toMatchObject({ trace_id: TRACE_ID, span_id: SPAN_ID, request_id: "r1", step: 1 });
    // The shared empty mixin object was never written into.
    expect(after).not.toHaveProperty("trace_id");
    expect(after).not.toHaveProperty("step", 1);
    expect(given).toMatchObject({ trace_id: "given" });
  });

  it("adds nothing for the invalid span context of a non-recording default", () => {
    const { logger, records } = capture();
    context.with(trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext(INVALID_SPAN_CONTEXT)), () => logger.info({}, "m"));
    expect(records()[0]).not.toHaveProperty("trace_id");
  });
});
