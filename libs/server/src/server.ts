import { setMaxListeners } from "node:events";
import type { DescMethod } from "@bufbuild/protobuf";
import type { Interceptor } from "@connectrpc/connect";
import { createAuthInterceptor, type AccessRule, type TokenVerifier } from "@planton/auth";
import { DEFAULT_LISTENER_LIMITS, type ListenerLimits } from "@planton/config";
import type { Logger } from "@planton/logging";
import { createServerTraceInterceptor } from "@planton/tracing";
import { createCancellationInterceptor } from "./cancellation-interceptor.js";
import { createDispatchMarker } from "./dispatch-marker.js";
import { startConnectListener } from "./connect-listener.js";
import { createErrorInterceptor, type ErrorMapper } from "./error-interceptor.js";
import { startGrpcListener } from "./grpc-listener.js";
import { healthRoutes } from "./health-routes.js";
import { createHealthStatus, type HealthStatus } from "./health-service.js";
import type { HttpRoute } from "./http-route.js";
import type { Listener } from "./listener.js";
import { createLoggingInterceptor } from "./logging-interceptor.js";
import { startReadiness, type ReadinessOptions } from "./readiness.js";
import { createReflectionServices } from "./reflection-service.js";
import { createStrictInputInterceptor } from "./strict-input-interceptor.js";
import type { MetricsRegistry } from "./metrics-registry.js";
import { createRpcMetrics, rpcProtocolOf } from "./rpc-metrics.js";
import { createRpcMetricsInterceptor } from "./rpc-metrics-interceptor.js";
import type { ServiceRegistration } from "./service-registration.js";

/** Options of {@link startServer}. */
export interface ServerOptions {
  /** Interface to bind, e.g. `0.0.0.0` or `127.0.0.1`. */
  host: string;
  /** connect-node listener port (`PORT`); 0 picks a free one. */
  port: number;
  /** grpc-js listener port (`GRPC_PORT`); 0 picks a free one. */
  grpcPort: number;
  services: readonly ServiceRegistration[];
  verifier: TokenVerifier;
  /** Maps the services' domain errors to `ConnectError`s. */
  mapError: ErrorMapper;
  logger: Logger;
  corsOrigins?: readonly string[];
  httpRoutes?: readonly HttpRoute[];
  /** Serves what no service or route matched on `PORT` (the web console, see `createStaticFiles`). */
  staticFiles?: HttpRoute["handle"];
  /** Timeouts and connection cap of both listeners; the documented defaults when absent. */
  limits?: ListenerLimits;
  /** Dependency probes behind each service's readiness; none: every service is SERVING while the process runs. */
  readiness?: ReadinessOptions;
  /** The process's metrics registry: RPC metrics go into it (none: not measured). */
  metrics?: MetricsRegistry;
}

/** A running server with both listeners. */
export interface RunningServer {
  /** Base URL of the connect-node listener, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  readonly port: number;
  /** `host:port` of the grpc-js listener. */
  readonly grpcAddress: string;
  readonly grpcPort: number;
  readonly health: HealthStatus;
  /**
   * Graceful shutdown: health turns NOT_SERVING, both listeners stop
   * accepting, in-flight calls get up to `graceMs` to finish, then whatever
   * is left is cancelled and the connections closed.
   */
  shutdown(graceMs: number): Promise<void>;
}

/**
 * startServer mounts the given services, plus `grpc.health.v1.Health` and
 * server reflection, on two listeners with the same interceptor chain:
 * metrics (with `metrics`), tracing (a server span per call, continuing the
 * caller's W3C `traceparent`, active while the rest runs), logging (sees the final code), error mapping, authentication and
 * access rules, strict input (no NUL characters, undefined enum values or
 * unknown fields reach a handler), and cancellation of streams (innermost,
 * next to the handler). It resolves once both listeners are bound.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const health = createHealthStatus([
    ...options.services.map((s) => s.service.typeName),
    // Names without an RPC service of their own (the verifier's) get a status too.
    ...(options.readiness?.probes.flatMap((p) => p.services) ?? []),
  ]);
  const readiness = options.readiness ? await startReadiness(health, options.readiness, options.logger) : undefined;
  const reflection = createReflectionServices([...options.services.map((s) => s.service), health.registration.service]);
  const services = [...options.services, health.registration, ...reflection];
  // Measured right after the dispatch marker, so the metrics see the code the caller gets.
  const rpcMetrics = options.metrics
    ? createRpcMetrics(
        options.metrics,
        services.map((s) => s.service),
      )
    : undefined;
  const interceptors: Interceptor[] = [
    createDispatchMarker(),
    ...(rpcMetrics ? [createRpcMetricsInterceptor(rpcMetrics)] : []),
    // Outside logging: the call's log line is written with its trace active.
    createServerTraceInterceptor(),
    createLoggingInterceptor(options.logger),
    createErrorInterceptor(options.mapError),
    createAuthInterceptor({ verifier: options.verifier, policy: accessPolicy(services) }),
    createStrictInputInterceptor(),
    createCancellationInterceptor(),
  ];
  const shutdownController = new AbortController();
  // Every in-flight call links its context signal to this one; hundreds of
  // concurrent calls are normal, not a listener leak.
  setMaxListeners(0, shutdownController.signal);
  const limits = options.limits ?? DEFAULT_LISTENER_LIMITS;
  const common = { host: options.host, services, interceptors, shutdownSignal: shutdownController.signal, limits };

  let connect: Listener | undefined;
  let grpc: Listener | undefined;
  try {
    connect = await startConnectListener({
      ...common,
      port: options.port,
      httpRoutes: [...(options.httpRoutes ?? []), ...healthRoutes(health, () => readiness?.dependencies() ?? {})],
      corsOrigins: options.corsOrigins ?? [],
      staticFiles: options.staticFiles,
      logger: options.logger,
      ...(rpcMetrics ? { onRefused: (procedure: string, contentType: string | null) => rpcMetrics.refused(procedure, rpcProtocolOf(contentType)) } : {}),
    });
    grpc = await startGrpcListener({ ...common, port: options.grpcPort, logger: options.logger });
  } catch (error) {
    readiness?.stop();
    await connect?.close(0);
    throw error;
  }
  const displayHost = options.host === "0.0.0.0" || options.host === "::" ? "127.0.0.1" : options.host;
  const connectListener = connect;
  const grpcListener = grpc;
  return {
    url: `http://${displayHost}:${connectListener.port}`,
    port: connectListener.port,
    grpcAddress: `${displayHost}:${grpcListener.port}`,
    grpcPort: grpcListener.port,
    health,
    async shutdown(graceMs) {
      readiness?.stop();
      health.shutdown();
      const timer = setTimeout(() => shutdownController.abort(), graceMs);
      timer.unref();
      await Promise.all([connectListener.close(graceMs), grpcListener.close(graceMs)]);
      clearTimeout(timer);
      shutdownController.abort();
    },
  };
}

function accessPolicy(services: readonly ServiceRegistration[]): (method: DescMethod) => AccessRule | undefined {
  const byService = new Map(services.map((s) => [s.service.typeName, s.access]));
  return (method) => {
    const access = byService.get(method.parent.typeName);
    if (access === undefined) return undefined;
    return access.methods?.[method.name] ?? access.default;
  };
}
