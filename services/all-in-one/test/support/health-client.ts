import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { HealthCheckRequestSchema, HealthCheckResponse_ServingStatus, HealthCheckResponseSchema } from "@planton/proto/grpc/health/v1/health_pb";

// grpc.health.v1.Health over native gRPC, as Kubernetes probes and the
// image's health check ask it, for the tests of the all-in-one process.

const healthCheckMethod = (service: string) => ({
  path: "/grpc.health.v1.Health/Check",
  serialize: (m: ReturnType<typeof create<typeof HealthCheckRequestSchema>>) => Buffer.from(toBinary(HealthCheckRequestSchema, m)),
  deserialize: (b: Buffer) => fromBinary(HealthCheckResponseSchema, b),
  request: create(HealthCheckRequestSchema, { service }),
});

/** grpc.health.v1.Health/Check over native gRPC (either port speaks it). */
export function healthCheck(address: string, service = ""): Promise<HealthCheckResponse_ServingStatus> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const m = healthCheckMethod(service);
  return new Promise((resolveStatus, reject) => {
    client.makeUnaryRequest(m.path, m.serialize, m.deserialize, m.request, { deadline: Date.now() + 5000 }, (error, response) => {
      client.close();
      if (error) reject(error);
      else resolveStatus(response!.status);
    });
  });
}

/**
 * grpc.health.v1.Health/Watch over native gRPC: calls `onStatus` with each
 * status (and the time it arrived) until the returned cancel is called.
 */
export function healthWatch(address: string, service: string, onStatus: (status: HealthCheckResponse_ServingStatus, at: number) => void): () => void {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const call = client.makeServerStreamRequest(
    "/grpc.health.v1.Health/Watch",
    (m: ReturnType<typeof create<typeof HealthCheckRequestSchema>>) => Buffer.from(toBinary(HealthCheckRequestSchema, m)),
    (b: Buffer) => fromBinary(HealthCheckResponseSchema, b),
    create(HealthCheckRequestSchema, { service }),
  );
  call.on("data", (response: { status: HealthCheckResponse_ServingStatus }) => onStatus(response.status, Date.now()));
  call.on("error", () => undefined);
  return () => {
    call.cancel();
    client.close();
  };
}
