import { Code, ConnectError } from "@connectrpc/connect";
import { SpanStatusCode, type Span } from "@opentelemetry/api";
import type { DescMethod } from "@bufbuild/protobuf";

// OpenTelemetry semantic conventions for RPC spans (rpc.*), as literals: the
// incubating entry point of @opentelemetry/semantic-conventions is not meant
// to be imported by libraries at a pinned version.
const RPC_SYSTEM = "rpc.system";
const RPC_SERVICE = "rpc.service";
const RPC_METHOD = "rpc.method";
const RPC_GRPC_STATUS_CODE = "rpc.grpc.status_code";

const names = new WeakMap<DescMethod, string>();

/** rpcSpanName is `package.Service/Method` (OpenTelemetry RPC span name), built once per method. */
export function rpcSpanName(method: DescMethod): string {
  let name = names.get(method);
  if (name === undefined) {
    name = `${method.parent.typeName}/${method.name}`;
    names.set(method, name);
  }
  return name;
}

/**
 * describeRpcSpan sets the RPC attributes on a recording span: system,
 * service and method only (never a message, header or caller field, so no
 * secret can reach an exporter).
 */
export function describeRpcSpan(span: Span, method: DescMethod, system: string): void {
  if (!span.isRecording()) return;
  span.setAttribute(RPC_SYSTEM, system);
  span.setAttribute(RPC_SERVICE, method.parent.typeName);
  span.setAttribute(RPC_METHOD, method.name);
}

/**
 * endRpcSpan records the call's gRPC status code (and an error status for a
 * failure) and ends `span`. The error's message is not recorded: it may
 * name things the caller sent.
 */
export function endRpcSpan(span: Span, error: unknown, serverFaultsOnly: boolean): void {
  if (span.isRecording()) {
    // 0 is gRPC OK, which connect-es has no Code member for.
    const code: number = error === undefined ? 0 : ConnectError.from(error).code;
    span.setAttribute(RPC_GRPC_STATUS_CODE, code);
    // A server span fails on server faults only (OpenTelemetry RPC conventions); a client span on any error.
    if (code !== 0 && (!serverFaultsOnly || isServerFault(code))) span.setStatus({ code: SpanStatusCode.ERROR, message: Code[code as Code] });
  }
  span.end();
}

function isServerFault(code: number): boolean {
  return (
    code === Code.Internal ||
    code === Code.Unknown ||
    code === Code.DataLoss ||
    code === Code.Unavailable ||
    code === Code.DeadlineExceeded ||
    code === Code.Unimplemented
  );
}
