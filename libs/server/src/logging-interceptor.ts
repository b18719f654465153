import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { principalKey } from "@planton/auth";
import { scrubText, vettedFields, type Logger } from "@planton/logging";
import { acceptRequestId, requestIdKey } from "./request-id.js";
import { observeStream } from "./observe-stream.js";

/**
 * createLoggingInterceptor writes one line per RPC when it ends: procedure,
 * protocol, code, duration, caller (subject and org from the verified token)
 * and request id (`x-request-id` or a generated one, echoed in the response
 * header, and stored under {@link requestIdKey} for handlers). Only
 * message-free metadata is logged: request and response messages never are.
 * Server faults log their cause at error level; caller mistakes at info,
 * through the logger's redaction. A call that succeeded logs only vetted
 * fields (procedure, protocol, code, duration, the verified token's subject
 * and org, the request id, scrubbed when the client chose it), so its line
 * skips the redaction pass; health checks that succeed log at debug (probes
 * would otherwise fill the log).
 */
export function createLoggingInterceptor(logger: Logger): Interceptor {
  return (next) => async (request) => {
    const started = performance.now();
    const offered = request.header.get("x-request-id");
    const requestId = acceptRequestId(offered);
    request.contextValues.set(requestIdKey, requestId);
    const procedure = `/${request.service.typeName}/${request.method.name}`;
    const protocol = protocolOf(request.header.get("content-type"));
    const done = (error: unknown) => {
      // A stream the client cancelled ends without an error from the handler.
      if (error === undefined && request.signal.aborted) error = request.signal.reason;
      const principal = request.contextValues.get(principalKey);
      if (error === undefined) {
        const fields = vettedFields({
          procedure,
          protocol,
          code: "OK",
          duration_ms: Math.round((performance.now() - started) * 100) / 100,
          caller: principal ? { sub: principal.subject, org: principal.orgId } : undefined,
          request_id: requestId === offered ? scrubText(requestId) : requestId,
        });
        if (request.service.typeName === HEALTH_SERVICE) logger.debug(fields, "rpc");
        else logger.info(fields, "rpc");
        return;
      }
      const connectError = error === undefined ? undefined : ConnectError.from(error);
      const fields = {
        procedure,
        protocol,
        code: connectError ? Code[connectError.code] : "OK",
        duration_ms: Math.round((performance.now() - started) * 100) / 100,
        caller: principal ? { sub: principal.subject, org: principal.orgId } : undefined,
        request_id: requestId,
        ...(connectError ? { error: connectError.rawMessage } : {}),
        ...(connectError?.cause !== undefined ? { cause: connectError.cause } : {}),
      };
      if (connectError && isServerFault(connectError.code)) logger.error(fields, "rpc failed");
      else logger.info(fields, "rpc");
    };
    try {
      const response = await next(request);
      response.header.set("x-request-id", requestId);
      if (!response.stream) {
        done(undefined);
        return response;
      }
      return { ...response, message: observeStream(response.message, done) };
    } catch (error) {
      done(error);
      throw withRequestId(error, requestId);
    }
  };
}

/**
 * A copy of the error with `x-request-id` in its metadata, so a failed call
 * can be matched to its log line too. A copy, because error objects may be
 * shared (abort reasons are).
 */
function withRequestId(error: unknown, requestId: string): ConnectError {
  const original = ConnectError.from(error);
  const metadata = new Headers(original.metadata);
  metadata.set("x-request-id", requestId);
  const copy = new ConnectError(original.rawMessage, original.code, metadata, undefined, original.cause);
  copy.details.push(...original.details);
  return copy;
}

const HEALTH_SERVICE = "grpc.health.v1.Health";

function isServerFault(code: Code): boolean {
  return code === Code.Internal || code === Code.Unknown || code === Code.DataLoss || code === Code.Unavailable;
}

function protocolOf(contentType: string | null): string {
  if (contentType === null) return "connect";
  if (contentType.startsWith("application/grpc-web")) return "grpc-web";
  if (contentType.startsWith("application/grpc")) return "grpc";
  return "connect";
}
