/**
 * Unary throughput of the two listeners side by side, measured as DESIGN.md
 * did: h2load, 8 connections x 16 concurrent streams, against the same
 * process. The RPC is grpc.health.v1.Health/Check (a near-empty unary echo
 * through the full interceptor chain: tracing, logging, error mapping, access
 * rules). Tracing is set up as every service sets it up without an OTLP
 * endpoint (trace ids made and propagated, nothing recorded);
 * BENCH_TRACING=off leaves it out, to read its cost off. h2load comes from
 * Debian's nghttp2-client package.
 *
 *   npm run build && node bench/dist/echo-throughput.js
 */
import { spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTokenVerifier } from "@planton/auth";
import { silentLogger } from "@planton/logging";
import { startServer } from "@planton/server";
import { startTracing } from "@planton/tracing";
import { startBareEcho } from "./speed/bare-echo.js";

const DURATION_S = Number(process.env["BENCH_DURATION_S"] ?? 10);
const CONNECTIONS = 8;
const STREAMS = 16;
const TRACING = process.env["BENCH_TRACING"] !== "off";
// A caller's trace context, as a service calling another sends it.
const TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00";

async function main(): Promise<void> {
  if (spawnSync("h2load", ["--version"]).status !== 0) {
    console.error("h2load not found: apt-get install nghttp2-client");
    process.exit(2);
  }
  const tracing = TRACING
    ? startTracing({ settings: { otlpTracesUrl: undefined, otlpHeaders: {}, serviceName: undefined }, serviceName: "bench", logger: silentLogger })
    : undefined;
  const server = await startServer({
    host: "127.0.0.1",
    port: 0,
    grpcPort: 0,
    services: [],
    verifier: createTokenVerifier({ kind: "hs256", secret: "bench-secret-0123456789-0123456789-abcdef" }),
    mapError: () => undefined,
    logger: silentLogger,
  });
  // A gRPC frame holding an empty HealthCheckRequest; for Connect the bare
  // message, with service = "" written out (h2load cannot send an empty file).
  const grpcBody = join(tmpdir(), "grpc-empty-frame.bin");
  writeFileSync(grpcBody, Buffer.from([0, 0, 0, 0, 0]));
  const connectBody = join(tmpdir(), "connect-health-request.bin");
  writeFileSync(connectBody, Buffer.from([0x0a, 0x00]));
  const path = "/grpc.health.v1.Health/Check";
  const bare = await startBareEcho(path);
  const grpcHeaders = ["-H", "content-type: application/grpc", "-H", "te: trailers"];
  const cases = [
    { label: "bare grpc-js (reference, no stack)", url: `http://127.0.0.1:${bare.port}${path}`, headers: grpcHeaders, body: grpcBody },
    { label: "grpc-js listener (GRPC_PORT), gRPC", url: `http://127.0.0.1:${server.grpcPort}${path}`, headers: grpcHeaders, body: grpcBody },
    ...(TRACING
      ? [
          {
            label: "grpc-js listener, gRPC, with traceparent",
            url: `http://127.0.0.1:${server.grpcPort}${path}`,
            headers: [...grpcHeaders, "-H", `traceparent: ${TRACEPARENT}`],
            body: grpcBody,
          },
        ]
      : []),
    { label: "connect-node listener (PORT), gRPC", url: `http://127.0.0.1:${server.port}${path}`, headers: grpcHeaders, body: grpcBody },
    {
      label: "connect-node listener (PORT), Connect",
      url: `http://127.0.0.1:${server.port}${path}`,
      headers: ["-H", "content-type: application/proto", "-H", "connect-protocol-version: 1"],
      body: connectBody,
    },
  ];
  console.log(`tracing ${TRACING ? "on (propagating, no export)" : "off"}`);
  console.log(`unary Health/Check, h2load ${CONNECTIONS} connections x ${STREAMS} streams, ${DURATION_S}s each after 2s warm-up`);
  // Run the whole set twice, interleaved, so a noisy moment hits both listeners alike.
  for (let round = 1; round <= 2; round++) {
    for (const c of cases) {
      // Asynchronous: the server under test runs in this process's event loop.
      const result = await run("h2load", [
        "-c",
        String(CONNECTIONS),
        "-m",
        String(STREAMS),
        "-D",
        String(DURATION_S),
        "--warm-up-time=2",
        ...c.headers,
        "-d",
        c.body,
        c.url,
      ]);
      const rps = /finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(result.stdout)?.[1];
      const ok = /status codes: (\d+) 2xx/.exec(result.stdout)?.[1];
      const failed = /requests: \d+ total, \d+ started, \d+ done, \d+ succeeded, (\d+) failed/.exec(result.stdout)?.[1];
      console.log(
        `round ${round}  ${c.label.padEnd(40)} ${Number(rps ?? 0)
          .toFixed(0)
          .padStart(7)} req/s  (2xx ${ok ?? "?"}, failed ${failed ?? "?"})`,
      );
    }
  }
  await server.shutdown(1000);
  bare.stop();
  await tracing?.shutdown();
}

function run(command: string, args: string[]): Promise<{ stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.on("error", reject);
    child.on("close", () => resolve({ stdout }));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
