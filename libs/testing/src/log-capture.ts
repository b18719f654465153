import { Writable } from "node:stream";
import { createLogger, type Logger } from "@planton/logging";

/** A real logger (with its redaction) whose lines are kept for assertions. */
export interface LogCapture {
  readonly logger: Logger;
  /** Every line written so far. */
  text(): string;
  /** Lines parsed as JSON. */
  records(): Record<string, unknown>[];
}

/** Creates a {@link LogCapture} at debug level, so nothing is filtered out. */
export function captureLogs(): LogCapture {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString("utf8"));
      callback();
    },
  });
  const logger = createLogger({ level: "debug", destination });
  return {
    logger,
    text: () => chunks.join(""),
    records: () =>
      chunks
        .join("")
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
