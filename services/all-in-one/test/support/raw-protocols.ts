import * as grpc from "@grpc/grpc-js";
import { Code } from "@connectrpc/connect";
import { codeFromString } from "@connectrpc/connect/protocol-connect";

/** The four ways a request reaches the services (issue 11's fuzz test). */
export type Protocol = "connect-json" | "connect-binary" | "grpc-web" | "grpc";

/** What a call ended with: a code name ("OK" on success), or "NO_ANSWER" when the connection broke. */
export type Answer = string;

const TIMEOUT_MS = 3_000;

function envelope(flags: number, body: Uint8Array): Buffer {
  const frame = Buffer.alloc(5 + body.length);
  frame[0] = flags;
  frame.writeUInt32BE(body.length, 1);
  frame.set(body, 5);
  return frame;
}

function frames(bytes: Buffer): { flags: number; data: Buffer }[] {
  const out: { flags: number; data: Buffer }[] = [];
  for (let offset = 0; offset + 5 <= bytes.length;) {
    const length = bytes.readUInt32BE(offset + 1);
    out.push({ flags: bytes[offset]!, data: bytes.subarray(offset + 5, offset + 5 + length) });
    offset += 5 + length;
  }
  return out;
}

function codeName(code: Code | undefined): string {
  return code === undefined ? "OK" : (Code[code] ?? `code ${String(code)}`);
}

/**
 * callOverHttp sends one request as it is, with no client library in between,
 * on the Connect (unary or server-streaming), or gRPC-Web protocol, and reads
 * the code the server answered with.
 */
export async function callOverHttp(
  baseUrl: string,
  path: string,
  protocol: Exclude<Protocol, "grpc">,
  streaming: boolean,
  body: Uint8Array | string,
  headers: Record<string, string>,
): Promise<Answer> {
  const signal = AbortSignal.timeout(TIMEOUT_MS + 2_000);
  try {
    if (protocol === "grpc-web") {
      const response = await fetch(`${baseUrl}${path}`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/grpc-web+proto", "grpc-timeout": `${TIMEOUT_MS}m` },
        body: envelope(0, body as Uint8Array),
        signal,
      });
      const bytes = Buffer.from(await response.arrayBuffer());
      let status = response.headers.get("grpc-status");
      for (const frame of frames(bytes)) {
        if ((frame.flags & 0x80) !== 0) status = /grpc-status:\s*(\d+)/i.exec(frame.data.toString())?.[1] ?? status;
      }
      if (status === null) return response.ok ? "NO_STATUS" : `HTTP ${response.status}`;
      return Number(status) === 0 ? "OK" : codeName(Number(status));
    }
    const json = protocol === "connect-json";
    if (!streaming) {
      const response = await fetch(`${baseUrl}${path}`, {
        method: "POST",
        headers: {
          ...headers,
          "content-type": json ? "application/json" : "application/proto",
          "connect-protocol-version": "1",
          "connect-timeout-ms": String(TIMEOUT_MS),
        },
        body: typeof body === "string" ? body : Buffer.from(body),
        signal,
      });
      if (response.ok) {
        await response.arrayBuffer();
        return "OK";
      }
      const text = await response.text();
      try {
        return codeName(codeFromString((JSON.parse(text) as { code?: string }).code ?? "") ?? Code.Unknown);
      } catch {
        return `HTTP ${response.status}`;
      }
    }
    const response = await fetch(`${baseUrl}${path}`, {
      method: "POST",
      headers: {
        ...headers,
        "content-type": json ? "application/connect+json" : "application/connect+proto",
        "connect-protocol-version": "1",
        "connect-timeout-ms": String(TIMEOUT_MS),
      },
      body: envelope(0, typeof body === "string" ? Buffer.from(body) : body),
      signal,
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    if (!response.ok) return `HTTP ${response.status}`;
    const end = frames(bytes).find((frame) => (frame.flags & 0x02) !== 0);
    if (end === undefined) return "NO_END_STREAM";
    const error = (JSON.parse(end.data.toString()) as { error?: { code?: string } }).error;
    return error === undefined ? "OK" : codeName(codeFromString(error.code ?? "") ?? Code.Unknown);
  } catch (error) {
    return signal.aborted ? "CLIENT_TIMEOUT" : `NO_ANSWER (${error instanceof Error ? error.message : String(error)})`;
  }
}

/** callOverGrpc sends raw request bytes with a stock grpc-js client (unary, server-streaming or bidi). */
export function callOverGrpc(
  client: grpc.Client,
  path: string,
  kind: "unary" | "server_streaming" | "bidi_streaming",
  bytes: Uint8Array,
  metadata: grpc.Metadata,
): Promise<Answer> {
  const pass = (b: Buffer) => b;
  const deadline = Date.now() + TIMEOUT_MS;
  const answer = (status: { code: number }) => (status.code === 0 ? "OK" : codeName(status.code));
  return new Promise((resolve) => {
    if (kind === "unary") {
      client.makeUnaryRequest(path, pass, pass, Buffer.from(bytes), metadata, { deadline }, (error) => resolve(error ? answer(error) : "OK"));
      return;
    }
    const call =
      kind === "server_streaming"
        ? client.makeServerStreamRequest(path, pass, pass, Buffer.from(bytes), metadata, { deadline })
        : client.makeBidiStreamRequest(path, pass, pass, metadata, { deadline });
    if (kind === "bidi_streaming") {
      const duplex = call as grpc.ClientDuplexStream<Buffer, Buffer>;
      duplex.write(Buffer.from(bytes));
      duplex.end();
    }
    call.on("data", () => undefined);
    call.on("error", () => undefined);
    call.on("status", (status: grpc.StatusObject) => resolve(answer(status)));
  });
}
