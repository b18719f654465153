import { context, INVALID_TRACEID, trace } from "@opentelemetry/api";
import { pino, type DestinationStream } from "pino";
import { redactValue, scrubText } from "./redact.js";

/** Structured fields attached to a log record. */
export type LogFields = Record<string, unknown>;

/**
 * Logger is the narrow logging interface every library and service takes as a
 * dependency. Every record passes through the redaction in `redact.ts` before
 * it is written, whatever the call site hands in.
 */
export interface Logger {
  debug(fields: LogFields, message: string): void;
  info(fields: LogFields, message: string): void;
  warn(fields: LogFields, message: string): void;
  error(fields: LogFields, message: string): void;
  /** A logger whose records all carry `bindings`. */
  child(bindings: LogFields): Logger;
}

/** Log levels, lowest first. */
export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  level: LogLevel;
  /** Base fields on every record, e.g. `{ service: "vault" }`. */
  base?: LogFields;
  /** Where JSON lines go; standard output when absent (tests pass a capture stream). */
  destination?: DestinationStream;
}

/**
 * createLogger builds a pino logger that writes one JSON object per line and
 * redacts secrets in fields and messages (see `redact.ts`). A record written
 * while a trace is active (an RPC, an event being handled; see
 * `@planton/tracing`) carries its `trace_id` and `span_id`.
 */
export function createLogger(options: LoggerOptions): Logger {
  const instance = pino(
    {
      level: options.level,
      base: options.base ? (redactValue(options.base) as LogFields) : null,
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: traceFields,
      // pino's default merge writes into the mixin's object; the shared empty one stays empty.
      mixinMergeStrategy: (fields, trace) => (trace === NO_FIELDS ? fields : Object.assign(trace, fields)),
      // redactValue already turns errors into plain objects; pino's default
      // `err` serializer would then mislabel them.
      serializers: { err: (value: unknown) => value },
      formatters: {
        level: (label) => ({ level: label }),
        // Runs on every record's fields, child bindings excluded (those are
        // redacted once in child()).
        log: (object) => redactValue(object) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          // Messages are free text: scrub secret shapes from them too.
          const scrubbed = args.map((arg) => (typeof arg === "string" ? scrubText(arg) : arg));
          method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
    },
    options.destination,
  );
  return wrap(instance);
}

const NO_FIELDS = Object.freeze({});

/** The active trace's ids for the record (W3C hex), or nothing outside a trace. */
function traceFields(): Record<string, string> {
  const span = trace.getSpanContext(context.active());
  if (span === undefined || span.traceId === INVALID_TRACEID) return NO_FIELDS;
  return { trace_id: span.traceId, span_id: span.spanId };
}

function wrap(instance: pino.Logger): Logger {
  return {
    debug: (fields, message) => instance.debug(fields, message),
    info: (fields, message) => instance.info(fields, message),
    warn: (fields, message) => instance.warn(fields, message),
    error: (fields, message) => instance.error(fields, message),
    child: (bindings) => wrap(instance.child(redactValue(bindings) as LogFields)),
  };
}

/** A logger that drops everything; for tests that do not look at logs. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};
