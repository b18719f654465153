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

const VETTED = Symbol("planton.log.vetted");

/**
 * Marks `fields` as needing no redaction pass: every value is a number, a
 * fixed word or an identifier known not to hold a secret (a procedure name,
 * a verified token's subject, a generated id). For the per-RPC access line,
 * where the pass costs more than the line; anything else goes through it.
 */
export function vettedFields<T extends LogFields>(fields: T): T {
  (fields as Record<symbol, unknown>)[VETTED] = true;
  return fields;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  level: LogLevel;
  /** Base fields on every record, e.g. `{ service: "vault" }`. */
  base?: LogFields;
  /**
   * Where JSON lines go (tests pass a capture stream). When absent, standard
   * output, buffered: lines are written in blocks of 8 KiB or more at least
   * every {@link STDOUT_FLUSH_MS} ms, at once after a warn or error line, and
   * before the process exits.
   */
  destination?: DestinationStream;
}

/** How long a buffered standard-output line may wait before it is written. */
export const STDOUT_FLUSH_MS = 100;

/**
 * createLogger builds a pino logger that writes one JSON object per line and
 * redacts secrets in fields and messages (see `redact.ts`). A record written
 * while a trace is active (an RPC, an event being handled; see
 * `@planton/tracing`) carries its `trace_id` and `span_id`.
 */
export function createLogger(options: LoggerOptions): Logger {
  const stdout = options.destination === undefined ? bufferedStdout() : undefined;
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
        log: (object) => ((object as Record<symbol, unknown>)[VETTED] === true ? object : (redactValue(object) as Record<string, unknown>)),
      },
      hooks: {
        logMethod(args, method) {
          // Messages are free text: scrub secret shapes from them too.
          const scrubbed = args.map((arg) => (typeof arg === "string" ? scrubText(arg) : arg));
          method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
    },
    options.destination ?? stdout,
  );
  return wrap(instance, stdout);
}

// One buffered writer per process for standard output, however many loggers.
type StdoutWriter = ReturnType<typeof pino.destination>;
let sharedStdout: StdoutWriter | undefined;

function bufferedStdout(): StdoutWriter {
  if (sharedStdout !== undefined) return sharedStdout;
  const destination = pino.destination({ dest: 1, sync: true, minLength: 8_192 });
  setInterval(() => destination.flush(), STDOUT_FLUSH_MS).unref();
  process.on("exit", () => destination.flushSync());
  sharedStdout = destination;
  return destination;
}

const NO_FIELDS = Object.freeze({});

/** The active trace's ids for the record (W3C hex), or nothing outside a trace. */
function traceFields(): Record<string, string> {
  const span = trace.getSpanContext(context.active());
  if (span === undefined || span.traceId === INVALID_TRACEID) return NO_FIELDS;
  return { trace_id: span.traceId, span_id: span.spanId };
}

function wrap(instance: pino.Logger, stdout: StdoutWriter | undefined): Logger {
  return {
    debug: (fields, message) => instance.debug(fields, message),
    info: (fields, message) => instance.info(fields, message),
    warn: (fields, message) => {
      instance.warn(fields, message);
      stdout?.flush();
    },
    error: (fields, message) => {
      instance.error(fields, message);
      stdout?.flush();
    },
    child: (bindings) => wrap(instance.child(redactValue(bindings) as LogFields), stdout),
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
