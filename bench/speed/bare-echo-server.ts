/**
 * Child process: a bare grpc-js server answering one unary path with a
 * constant (no adapter, interceptors or protobuf-es), the reference the
 * stack's throughput is read against. Prints its port on stdout.
 *
 *   node bench/dist/speed/bare-echo-server.js /grpc.health.v1.Health/Check
 */
import * as grpc from "@grpc/grpc-js";

// HealthCheckResponse { status: SERVING }
const SERVING = Buffer.from([0x08, 0x01]);

const path = process.argv[2] ?? "/grpc.health.v1.Health/Check";
const server = new grpc.Server();
const passThrough = (b: Buffer) => b;
server.addService(
  {
    check: {
      path,
      requestStream: false,
      responseStream: false,
      requestSerialize: passThrough,
      requestDeserialize: passThrough,
      responseSerialize: passThrough,
      responseDeserialize: passThrough,
    },
  },
  { check: (_call: unknown, callback: (error: null, value: Buffer) => void) => callback(null, SERVING) },
);
server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) throw error;
  process.stdout.write(`${port}\n`);
});
process.on("SIGTERM", () => server.forceShutdown());
