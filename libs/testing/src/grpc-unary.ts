import { create, fromBinary, toBinary, type DescMethodUnary, type MessageInitShape, type MessageShape, type DescMessage } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";

/** The outcome of {@link grpcUnary}: a response or the grpc-js error, never a rejection. */
export interface GrpcUnaryOutcome<O extends DescMessage> {
  readonly response?: MessageShape<O>;
  readonly error?: grpc.ServiceError;
}

/**
 * grpcUnary calls a unary method with a stock `@grpc/grpc-js` client (a gRPC
 * implementation this project did not write), serializing with protobuf-es,
 * so tests and benchmarks exercise the real wire protocol.
 */
export function grpcUnary<I extends DescMessage, O extends DescMessage>(
  client: grpc.Client,
  method: DescMethodUnary<I, O>,
  request: MessageInitShape<I>,
  metadata: grpc.Metadata = new grpc.Metadata(),
  options: grpc.CallOptions = {},
): Promise<GrpcUnaryOutcome<O>> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      `/${method.parent.typeName}/${method.name}`,
      (message: MessageInitShape<I>) => Buffer.from(toBinary(method.input, create(method.input, message))),
      (bytes: Buffer) => fromBinary(method.output, bytes),
      request,
      metadata,
      options,
      (error, response) => resolve(error ? { error } : { response: response as MessageShape<O> }),
    );
  });
}

/** grpc-js metadata carrying `Authorization: Bearer <token>` (none when undefined). */
export function bearerMetadata(token: string | undefined): grpc.Metadata {
  const metadata = new grpc.Metadata();
  if (token !== undefined) metadata.set("authorization", `Bearer ${token}`);
  return metadata;
}
