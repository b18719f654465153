import { createServer, type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";

/** One span as an OTLP receiver got it, flattened with its service's name. */
export interface ReceivedSpan {
  /** `service.name` of the resource that sent it. */
  readonly service: string;
  readonly name: string;
  /** SpanKind number (1 internal, 2 server, 3 client, 4 producer, 5 consumer). */
  readonly kind: number;
  /** Hex, as in `traceparent`. */
  readonly traceId: string;
  readonly spanId: string;
  /** "" for a root span. */
  readonly parentSpanId: string;
  /** Attribute values as JavaScript values (strings, numbers, booleans). */
  readonly attributes: Readonly<Record<string, unknown>>;
  /** Status code (0 unset, 1 ok, 2 error). */
  readonly statusCode: number;
}

/** A running OTLP/HTTP traces receiver (JSON or gzipped JSON bodies). */
export interface OtlpReceiver {
  /** Base URL to put in `OTEL_EXPORTER_OTLP_ENDPOINT`; spans are posted to `<url>/v1/traces`. */
  readonly url: string;
  /** Every span received so far, in arrival order. */
  spans(): ReceivedSpan[];
  /** Raw request bodies received so far (for "never a secret" checks). */
  bodies(): string[];
  /** Headers of each accepted export request, in the order of {@link bodies}. */
  headers(): IncomingHttpHeaders[];
  /** Resolves with the spans once `predicate` holds for them, polling; rejects after `timeoutMs` (default 20 s). */
  waitFor(predicate: (spans: ReceivedSpan[]) => boolean, what: string, timeoutMs?: number): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

/**
 * startOtlpReceiver imitates an OpenTelemetry collector's OTLP/HTTP traces
 * endpoint (`POST /v1/traces`, `application/json`, the OTLP JSON encoding:
 * ids in hex, attributes as typed `AnyValue`s) and answers as the
 * specification says: 200 with an empty `ExportTraceServiceResponse`, 415 for
 * another content type, 404 for another path.
 */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const received: ReceivedSpan[] = [];
  const raw: string[] = [];
  const headers: IncomingHttpHeaders[] = [];
  const server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      if (request.method !== "POST" || request.url !== "/v1/traces") {
        response.writeHead(404).end();
        return;
      }
      if (!(request.headers["content-type"] ?? "").startsWith("application/json")) {
        response.writeHead(415).end();
        return;
      }
      const text = (request.headers["content-encoding"] === "gzip" ? gunzipSync(body) : body).toString("utf8");
      raw.push(text);
      headers.push(request.headers);
      received.push(...decode(JSON.parse(text) as ExportRequest));
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    })().catch(() => response.writeHead(400).end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    spans: () => [...received],
    bodies: () => [...raw],
    headers: () => [...headers],
    async waitFor(predicate, what, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (predicate(received)) return [...received];
        if (Date.now() > deadline)
          throw new Error(`OTLP receiver: timed out waiting for ${what}; got ${received.map((s) => `${s.service}:${s.name}`).join(", ")}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface AnyValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}
interface KeyValue {
  key: string;
  value: AnyValue;
}
interface ExportRequest {
  resourceSpans?: {
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: {
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind?: number;
        attributes?: KeyValue[];
        status?: { code?: number };
      }[];
    }[];
  }[];
}

function decode(request: ExportRequest): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of request.resourceSpans ?? []) {
    const name = attributesOf(resourceSpans.resource?.attributes)["service.name"];
    const service = typeof name === "string" ? name : "";
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        spans.push({
          service,
          name: span.name,
          kind: span.kind ?? 0,
          traceId: hexId(span.traceId),
          spanId: hexId(span.spanId),
          parentSpanId: hexId(span.parentSpanId ?? ""),
          attributes: attributesOf(span.attributes),
          statusCode: span.status?.code ?? 0,
        });
      }
    }
  }
  return spans;
}

function attributesOf(list: KeyValue[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of list ?? []) {
    out[key] = value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : undefined) ?? value.doubleValue ?? value.boolValue;
  }
  return out;
}

/** OTLP JSON ids are hex (the specification's deviation from proto3 JSON); base64 is accepted too. */
function hexId(id: string): string {
  return /^[0-9a-f]*$/i.test(id) ? id.toLowerCase() : Buffer.from(id, "base64").toString("hex");
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}
