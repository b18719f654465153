/**
 * Child process: a closed-loop gRPC load generator for requests whose body
 * must differ per call (h2load sends one body): first resolves (a new
 * deployment each) and creates (a new name each). `connections` HTTP/2
 * connections x `streams` calls in flight each, for `durationS` after
 * `warmUpS`; every answer's grpc-status trailer is counted. Prints one JSON
 * line: req/s, p50/p99 (ms) and the count of each grpc-status.
 *
 * Input: the JSON of {@link LoadSpec} as argv[2].
 */
import { connect, constants, type ClientHttp2Session } from "node:http2";
import { create, toBinary } from "@bufbuild/protobuf";
import { ResolveCredentialsRequestSchema } from "@planton/proto/planton/connect/v1/authz_service_pb";
import { CreateConnectionRequestSchema } from "@planton/proto/planton/connect/v1/connection_service_pb";
import { Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import { grpcFrame } from "./grpc-frame.js";

/** What to send, where. */
export interface LoadSpec {
  readonly address: string;
  readonly token: string;
  readonly kind: "first-resolve" | "pinned-resolve" | "create";
  /** Resolve: the connection slug; a unique prefix for ids and names. */
  readonly connection: string;
  readonly prefix: string;
  readonly connections: number;
  readonly streams: number;
  readonly durationS: number;
  readonly warmUpS: number;
}

/** What {@link LoadSpec} measured. */
export interface LoadResult {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly statuses: Record<string, number>;
}

const PATHS = {
  "first-resolve": "/planton.connect.v1.EnvironmentAuthorizationService/ResolveCredentials",
  "pinned-resolve": "/planton.connect.v1.EnvironmentAuthorizationService/ResolveCredentials",
  create: "/planton.connect.v1.ConnectionService/CreateConnection",
} as const;

function body(spec: LoadSpec, i: number): Buffer {
  if (spec.kind === "create") {
    // A valid access key id and secret shape, unique per call (no secret: a benchmark value).
    const n = String(i).padStart(16, "0").slice(-16);
    return grpcFrame(
      toBinary(
        CreateConnectionRequestSchema,
        create(CreateConnectionRequestSchema, {
          name: `${spec.prefix}-${i}`,
          spec: {
            provider: {
              case: "aws",
              value: {
                accountId: "123456789012",
                region: "us-east-1",
                auth: { case: "inlineKeys", value: { accessKeyId: `AKIA${n}`, secretAccessKey: `benchSecret${n}`.padEnd(40, "x") } },
              },
            },
          },
        }),
      ),
    );
  }
  const deploymentId = spec.kind === "first-resolve" ? `${spec.prefix}-${i}` : `${spec.prefix}-pinned`;
  return grpcFrame(
    toBinary(
      ResolveCredentialsRequestSchema,
      create(ResolveCredentialsRequestSchema, { deploymentId, environment: "prod", provider: Provider.CIVO, connection: spec.connection }),
    ),
  );
}

async function run(spec: LoadSpec): Promise<LoadResult> {
  const sessions: ClientHttp2Session[] = [];
  for (let c = 0; c < spec.connections; c++) {
    const session = connect(`http://${spec.address}`);
    await new Promise<void>((resolve, reject) => session.once("connect", () => resolve()).once("error", reject));
    sessions.push(session);
  }
  const headers = {
    [constants.HTTP2_HEADER_METHOD]: "POST",
    [constants.HTTP2_HEADER_PATH]: PATHS[spec.kind],
    "content-type": "application/grpc",
    te: "trailers",
    authorization: `Bearer ${spec.token}`,
  };
  let next = 0;
  let measuring = false;
  let stopping = false;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const call = (session: ClientHttp2Session) =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      const stream = session.request(headers);
      let status = "no-status";
      stream.on("response", (h: Record<string, string | string[] | undefined>) => {
        if (h["grpc-status"] !== undefined) status = String(h["grpc-status"]); // trailers-only answer
      });
      stream.on("trailers", (t: Record<string, string | string[] | undefined>) => (status = String(t["grpc-status"] ?? status)));
      stream.on("data", () => undefined);
      stream.on("error", () => (status = "stream-error"));
      stream.on("close", () => {
        if (measuring) {
          latencies.push(performance.now() - started);
          statuses[status] = (statuses[status] ?? 0) + 1;
        }
        resolve();
      });
      stream.end(body(spec, next++));
    });
  const loops = sessions.flatMap((session) =>
    Array.from({ length: spec.streams }, async () => {
      while (!stopping) await call(session);
    }),
  );
  await new Promise((r) => setTimeout(r, spec.warmUpS * 1000));
  measuring = true;
  const started = performance.now();
  await new Promise((r) => setTimeout(r, spec.durationS * 1000));
  measuring = false;
  const elapsed = (performance.now() - started) / 1000;
  stopping = true;
  await Promise.all(loops);
  for (const session of sessions) session.close();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return { rps: latencies.length / elapsed, p50: at(0.5), p99: at(0.99), statuses };
}

if (process.argv[2] !== undefined) {
  run(JSON.parse(process.argv[2]) as LoadSpec).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
