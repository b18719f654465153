import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** An object the fake S3 holds. */
export interface FakeS3Object {
  readonly body: Buffer;
  readonly contentType: string | undefined;
  readonly metadata: Record<string, string>;
  readonly versionId: string;
}

/** A running fake S3; see {@link startFakeS3}. */
export interface FakeS3 {
  /** Endpoint for path-style requests: http://127.0.0.1:PORT. */
  readonly url: string;
  object(bucket: string, key: string): FakeS3Object | undefined;
  /** Stores an object as if someone else had uploaded it. */
  put(bucket: string, key: string, body: string, metadata?: Record<string, string>): void;
  /** Makes the next PUT find the key taken by a concurrent writer (412), storing `body` first. */
  raceNextPut(body: string, metadata?: Record<string, string>): void;
  close(): Promise<void>;
}

/**
 * startFakeS3 answers path-style HeadObject and PutObject as S3 does for a
 * versioned bucket: HEAD 404 without a body for a missing key, x-amz-meta-*
 * headers for user metadata, x-amz-version-id, and `If-None-Match: *`
 * conditional writes refused with 412 PreconditionFailed (XML error body).
 */
export async function startFakeS3(): Promise<FakeS3> {
  const objects = new Map<string, FakeS3Object>();
  let race: { body: string; metadata: Record<string, string> } | undefined;
  const store = (path: string, body: Buffer, contentType: string | undefined, metadata: Record<string, string>) => {
    const object = { body, contentType, metadata, versionId: randomUUID().replace(/-/g, "") };
    objects.set(path, object);
    return object;
  };
  const etag = (body: Buffer) => `"${createHash("md5").update(body).digest("hex")}"`;
  const error = (res: ServerResponse, status: number, code: string, message: string) => {
    res.writeHead(status, { "content-type": "application/xml", "x-amz-request-id": randomUUID() });
    res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>1</RequestId></Error>`);
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
      if (req.method === "HEAD") {
        const object = objects.get(path);
        if (object === undefined) {
          res.writeHead(404, { "x-amz-request-id": randomUUID() });
          res.end();
          return;
        }
        const headers: Record<string, string> = { etag: etag(object.body), "content-length": String(object.body.length), "x-amz-version-id": object.versionId };
        for (const [k, v] of Object.entries(object.metadata)) headers[`x-amz-meta-${k}`] = v;
        res.writeHead(200, headers);
        res.end();
        return;
      }
      if (req.method === "PUT") {
        if (race !== undefined) {
          store(path, Buffer.from(race.body), "application/json", race.metadata);
          race = undefined;
        }
        if (req.headers["if-none-match"] === "*" && objects.has(path)) {
          error(res, 412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
          return;
        }
        const metadata: Record<string, string> = {};
        for (const [name, value] of Object.entries(req.headers)) {
          if (name.startsWith("x-amz-meta-") && typeof value === "string") metadata[name.slice("x-amz-meta-".length)] = value;
        }
        const body = Buffer.concat(chunks);
        const object = store(path, body, req.headers["content-type"], metadata);
        res.writeHead(200, { etag: etag(body), "x-amz-version-id": object.versionId, "x-amz-request-id": randomUUID() });
        res.end();
        return;
      }
      error(res, 405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    object: (bucket, key) => objects.get(`/${bucket}/${key}`),
    put: (bucket, key, body, metadata = {}) => void store(`/${bucket}/${key}`, Buffer.from(body), "application/json", metadata),
    raceNextPut(body, metadata = {}) {
      race = { body, metadata };
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
