import { createClient, type Client, type Interceptor, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { EnvironmentAuthorizationService } from "@planton/proto/planton/connect/v1/authz_service_pb";
import { AwsTrustService } from "@planton/proto/planton/connect/v1/aws_trust_service_pb";
import { ConnectionService } from "@planton/proto/planton/connect/v1/connection_service_pb";
import { RunnerService } from "@planton/proto/planton/connect/v1/runner_service_pb";
import type { ApiSettings } from "./api-settings.js";

/** CALL_TIMEOUT_MS bounds every unary call; WatchSetup opts out with `{ timeoutMs: 0 }`. */
const CALL_TIMEOUT_MS = 30_000;

/** ApiClients are the services the CLI calls, all over one transport. */
export interface ApiClients {
  readonly connections: Client<typeof ConnectionService>;
  readonly runners: Client<typeof RunnerService>;
  readonly authz: Client<typeof EnvironmentAuthorizationService>;
  readonly trust: Client<typeof AwsTrustService>;
}

/**
 * createApiClients connects to `settings.apiUrl`: the Connect protocol over
 * HTTP/1.1, or gRPC over HTTP/2 (cleartext h2c for http:// URLs); the API's
 * PORT serves both. Every call carries `authorization: Bearer <token>` and
 * the {@link CALL_TIMEOUT_MS} timeout unless it sets its own.
 */
export function createApiClients(settings: ApiSettings): ApiClients {
  const transport = createTransport(settings);
  return {
    connections: createClient(ConnectionService, transport),
    runners: createClient(RunnerService, transport),
    authz: createClient(EnvironmentAuthorizationService, transport),
    trust: createClient(AwsTrustService, transport),
  };
}

function createTransport({ apiUrl, token, protocol }: ApiSettings): Transport {
  const bearer: Interceptor = (next) => (request) => {
    request.header.set("authorization", `Bearer ${token}`);
    return next(request);
  };
  const common = { baseUrl: apiUrl, defaultTimeoutMs: CALL_TIMEOUT_MS, interceptors: [bearer] };
  return protocol === "grpc" ? createGrpcTransport(common) : createConnectTransport({ ...common, httpVersion: "1.1" });
}
