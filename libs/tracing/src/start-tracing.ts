import { hostname } from "node:os";
import { context, diag, DiagLogLevel, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { AlwaysOnSampler, BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler } from "@opentelemetry/sdk-trace-base";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import type { TracingConfig } from "@planton/config";
import type { Logger } from "@planton/logging";
import { propagatingTracerProvider } from "./propagating-tracer.js";
import { SCOPE, useTracer } from "./tracer.js";

/** How long {@link Tracing.shutdown} waits for the last spans to be exported. */
const SHUTDOWN_EXPORT_MS = 3_000;

/** Options of {@link startTracing}. */
export interface TracingOptions {
  /**
   * The parsed OTEL_ settings: where spans are exported (OTLP over HTTP,
   * JSON encoding) with which headers, and the service name. No endpoint:
   * nothing is recorded or exported; trace context is still propagated.
   */
  settings: TracingConfig;
  /** `service.name` of the spans when `OTEL_SERVICE_NAME` is unset: the process's name. */
  serviceName: string;
  /** Export failures are logged here, at warn. */
  logger: Logger;
}

/** The process's tracing, as {@link startTracing} set it up. */
export interface Tracing {
  /** True when spans are recorded and exported. */
  readonly exporting: boolean;
  /** Exports the spans still buffered (waiting at most 3 s) and unregisters everything; idempotent. */
  shutdown(): Promise<void>;
}

/**
 * startTracing registers the process's trace context handling with the
 * OpenTelemetry API, once, from the composition root: the active context
 * follows async calls (AsyncLocalStorage), W3C Trace Context is the
 * propagation format, and spans go to an OTLP/HTTP exporter in batches when
 * an endpoint is set (parent-based sampling: a caller's unsampled trace stays
 * unsampled, everything else is recorded). Without one the tracer records
 * nothing and only makes ids (see `propagatingTracer`).
 *
 * The API's registry is global by OpenTelemetry's design (libraries call
 * `trace.getTracer()`); {@link Tracing.shutdown} clears it, so a test can
 * start tracing again. Throws nothing; export failures are logged and the
 * spans dropped (tracing never fails a call).
 */
export function startTracing(options: TracingOptions): Tracing {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const log = options.logger.child({ component: "tracing" });
  diag.setLogger(
    {
      error: (message) => log.warn({}, `OpenTelemetry: ${message}`),
      warn: (message) => log.warn({}, `OpenTelemetry: ${message}`),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  let provider: BasicTracerProvider | undefined;
  const { otlpTracesUrl, otlpHeaders } = options.settings;
  if (otlpTracesUrl !== undefined) {
    provider = new BasicTracerProvider({
      resource: resourceFromAttributes({
        [ATTR_SERVICE_NAME]: options.settings.serviceName ?? options.serviceName,
        "service.instance.id": `${hostname()}:${process.pid}`,
      }),
      sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: otlpTracesUrl, headers: { ...otlpHeaders } }))],
    });
    trace.setGlobalTracerProvider(provider);
  } else {
    trace.setGlobalTracerProvider(propagatingTracerProvider);
  }
  useTracer(trace.getTracer(SCOPE));
  let stopped: Promise<void> | undefined;
  return {
    exporting: provider !== undefined,
    shutdown() {
      stopped ??= (async () => {
        if (provider !== undefined) {
          const flushed = provider.shutdown().catch((error: unknown) => log.warn({ error }, "spans not exported at shutdown"));
          // An unreachable collector is retried for up to the exporter's
          // timeout (10 s); a stopping process waits only this long for it.
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([flushed, new Promise((resolve) => (timer = setTimeout(resolve, SHUTDOWN_EXPORT_MS).unref()))]);
          clearTimeout(timer);
        }
        useTracer(undefined);
        trace.disable();
        propagation.disable();
        context.disable();
        diag.disable();
      })();
      return stopped;
    },
  };
}
