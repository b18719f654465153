import { ConfigError } from "./config-error.js";
import type { EnvReader } from "./env-reader.js";

/** Trace export settings (README, Traces); trace context is propagated whatever they say. */
export interface TracingConfig {
  /**
   * Where spans are sent, OTLP over HTTP: `OTEL_EXPORTER_OTLP_ENDPOINT` with
   * `/v1/traces` appended (the OpenTelemetry exporter rule for the base
   * endpoint); undefined, the default: nothing is recorded or exported.
   */
  readonly otlpTracesUrl: string | undefined;
  /**
   * `OTEL_EXPORTER_OTLP_HEADERS` (`key=value,...`, values URL-encoded): sent
   * with every export, e.g. a collector's API key. A secret: never logged.
   */
  readonly otlpHeaders: Readonly<Record<string, string>>;
  /** `OTEL_SERVICE_NAME`; undefined: the process's own name. */
  readonly serviceName: string | undefined;
}

// RFC 7230 token: what an HTTP header name may be.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** readTracingConfig parses the OTEL_ settings; throws {@link ConfigError} naming the variable (never a header value). */
export function readTracingConfig(env: EnvReader): TracingConfig {
  const endpoint = env.url("OTEL_EXPORTER_OTLP_ENDPOINT", ["http:", "https:"]);
  return Object.freeze({
    otlpTracesUrl: endpoint === undefined ? undefined : `${endpoint.toString().replace(/\/+$/, "")}/v1/traces`,
    otlpHeaders: Object.freeze(parseHeaders(env.string("OTEL_EXPORTER_OTLP_HEADERS"))),
    serviceName: env.string("OTEL_SERVICE_NAME"),
  });
}

function parseHeaders(value: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (value === undefined) return headers;
  for (const item of value.split(",")) {
    if (item.trim() === "") continue;
    const equals = item.indexOf("=");
    const name = equals < 0 ? "" : item.slice(0, equals).trim();
    if (!HEADER_NAME.test(name)) throw new ConfigError("OTEL_EXPORTER_OTLP_HEADERS", "must be comma-separated key=value pairs with HTTP header names");
    let decoded: string;
    try {
      decoded = decodeURIComponent(item.slice(equals + 1).trim());
    } catch {
      throw new ConfigError("OTEL_EXPORTER_OTLP_HEADERS", `has a value that is not URL-encoded (header ${name})`);
    }
    // A header value cannot hold CR, LF or NUL.
    if (/[\r\n\0]/.test(decoded)) throw new ConfigError("OTEL_EXPORTER_OTLP_HEADERS", `has a control character in a value (header ${name})`);
    headers[name.toLowerCase()] = decoded;
  }
  return headers;
}
