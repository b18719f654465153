import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** Failures a fake can inject before answering normally. */
export type FailKind = "429" | "500" | "timeout" | "malformed";

/** What every provider fake exposes besides its own state setters. */
export interface FakeControls {
  /** Base URL, e.g. http://127.0.0.1:PORT (no trailing slash). */
  readonly url: string;
  /**
   * The next `n` (default 1) requests (matching `route` when given) fail with
   * `kind`: "429"/"500" answer with the provider's documented error body,
   * "timeout" never answers, "malformed" answers 200 with truncated JSON.
   * `retryAfterSeconds` adds a Retry-After header to "429".
   */
  failNext(kind: FailKind, n?: number, retryAfterSeconds?: number, route?: string): void;
  /** Paths of every request received, in order. */
  readonly requests: readonly string[];
  /** Stops the server, dropping hung connections. */
  close(): Promise<void>;
}

/** Provider-specific pieces the kit needs. */
export interface FakeBehaviour {
  handle(req: IncomingMessage, body: string, res: ServerResponse): void;
  /** The provider's body for an injected 429 / 500. */
  failureBody(status: 429 | 500): unknown;
  /** Headers sent on every response (e.g. rate-limit headers). */
  commonHeaders?(): Record<string, string>;
}

/** Writes a JSON answer with the provider's common headers. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Starts a fake on 127.0.0.1 with failure injection in front of `behaviour`. */
export async function startFakeServer(behaviour: FakeBehaviour): Promise<FakeControls> {
  const queue: { kind: FailKind; left: number; retryAfterSeconds: number | undefined; route: string | undefined }[] = [];
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      requests.push(path);
      for (const [k, v] of Object.entries(behaviour.commonHeaders?.() ?? {})) res.setHeader(k, v);
      const failure = queue.find((f) => f.left > 0 && (f.route === undefined || path.includes(f.route)));
      if (failure) {
        failure.left -= 1;
        switch (failure.kind) {
          case "timeout":
            return; // hang: never answer
          case "malformed":
            res.writeHead(200, { "content-type": "application/json" });
            res.end('{"truncated": ');
            return;
          case "429":
            sendJson(res, 429, behaviour.failureBody(429), failure.retryAfterSeconds !== undefined ? { "retry-after": String(failure.retryAfterSeconds) } : {});
            return;
          case "500":
            sendJson(res, 500, behaviour.failureBody(500));
            return;
        }
      }
      behaviour.handle(req, Buffer.concat(chunks).toString("utf8"), res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext(kind, n = 1, retryAfterSeconds, route) {
      queue.push({ kind, left: n, retryAfterSeconds, route });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The Bearer token of a request (scheme matched case-insensitively), or undefined. */
export function bearer(req: IncomingMessage): string | undefined {
  const m = /^bearer\s+(.+)$/i.exec(req.headers.authorization ?? "");
  return m?.[1];
}
