#!/usr/bin/env node
// Container health check with nothing but Node's standard library: calls
// grpc.health.v1.Health/Check on the native gRPC port (GRPC_PORT, default 9090)
// of this container and exits 0 only when the answer is SERVING.
//
//   node deploy/docker/grpc-health.mjs [service-name]
//
// The service name defaults to "" (the whole server), as Kubernetes' gRPC
// probes send it. Env: GRPC_PORT, HEALTH_HOST (127.0.0.1), HEALTH_TIMEOUT_MS (3000).
import http2 from "node:http2";

const host = process.env.HEALTH_HOST || "127.0.0.1";
const port = Number(process.env.GRPC_PORT || 9090);
const timeoutMs = Number(process.env.HEALTH_TIMEOUT_MS || 3000);
const service = process.argv[2] ?? "";
const STATUS = ["UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"];

function fail(message) {
  console.error(`grpc-health ${host}:${port} "${service}": ${message}`);
  process.exit(1);
}

function varint(n) {
  const out = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

// HealthCheckRequest { string service = 1; } in a gRPC length-prefixed frame.
const name = Buffer.from(service, "utf8");
const body = name.length ? Buffer.concat([Buffer.from([0x0a]), varint(name.length), name]) : Buffer.alloc(0);
const frame = Buffer.alloc(5 + body.length);
frame.writeUInt32BE(body.length, 1);
body.copy(frame, 5);

// HealthCheckResponse { ServingStatus status = 1; }: returns the status number.
function decodeStatus(msg) {
  let i = 0;
  let status = 0;
  const readVarint = () => {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (i >= msg.length) throw new Error("truncated varint");
      const b = msg[i++];
      result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return result;
      shift += 7;
    }
  };
  while (i < msg.length) {
    const key = readVarint();
    const wire = key & 7;
    if (key >>> 3 === 1 && wire === 0) status = readVarint();
    else if (wire === 0) readVarint();
    else if (wire === 2) i += readVarint();
    else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else throw new Error(`unexpected wire type ${wire}`);
  }
  return status;
}

const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
const client = http2.connect(`http://${host}:${port}`);
client.on("error", (err) => fail(err.message));

const req = client.request({
  ":method": "POST",
  ":path": "/grpc.health.v1.Health/Check",
  "content-type": "application/grpc",
  te: "trailers",
  "grpc-timeout": `${timeoutMs}m`,
});
const chunks = [];
let grpcStatus;
let grpcMessage = "";
req.on("response", (headers) => {
  if (headers[":status"] !== 200) fail(`HTTP status ${headers[":status"]}`);
  if (headers["grpc-status"] !== undefined) {
    grpcStatus = headers["grpc-status"];
    grpcMessage = headers["grpc-message"] ?? "";
  }
});
req.on("trailers", (trailers) => {
  grpcStatus = trailers["grpc-status"];
  grpcMessage = trailers["grpc-message"] ?? "";
});
req.on("data", (chunk) => chunks.push(chunk));
req.on("error", (err) => fail(err.message));
req.on("end", () => {
  clearTimeout(timer);
  client.close();
  if (grpcStatus !== "0") fail(`grpc-status ${grpcStatus ?? "missing"} ${decodeURIComponent(grpcMessage)}`);
  const data = Buffer.concat(chunks);
  if (data.length < 5) fail("empty response");
  if (data[0] !== 0) fail("compressed responses are not supported");
  let status;
  try {
    status = decodeStatus(data.subarray(5, 5 + data.readUInt32BE(1)));
  } catch (err) {
    fail(`bad response: ${err.message}`);
  }
  if (status !== 1) fail(`status ${STATUS[status] ?? status}`);
  process.exit(0);
});
req.end(frame);
