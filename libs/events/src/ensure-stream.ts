import { nanos, type JetStreamManager, type StreamInfo } from "nats";
import type { Logger } from "@planton/logging";
import { subjectMatches } from "./subject-pattern.js";

/** What {@link ensureStream} makes sure of. */
export interface StreamSpec {
  readonly name: string;
  readonly subjects: readonly string[];
  readonly duplicateWindowMs: number;
}

// JetStream API error codes (nats-server errors.json).
const STREAM_NOT_FOUND = 10059;
const STREAM_NAME_IN_USE = 10058;

/**
 * ensureStream creates the stream `spec.name` if it is missing, and if it
 * exists without some of `spec.subjects` adds them (keeping the subjects it
 * has: another producer may rely on them). Safe to run from several replicas
 * at once: losing a creation or update race is detected and retried. Does not
 * change an existing stream's duplicate window (it belongs to whoever made the
 * stream) but warns when it is shorter than asked for. Throws the JetStream
 * API error otherwise (e.g. subjects overlapping another stream; JetStream
 * disabled), which is worth retrying only after an operator acts.
 */
export async function ensureStream(jsm: JetStreamManager, spec: StreamSpec, logger: Logger): Promise<void> {
  for (let round = 1; ; round++) {
    const info = await streamInfo(jsm, spec.name);
    if (info === undefined) {
      try {
        await jsm.streams.add({
          name: spec.name,
          subjects: [...spec.subjects],
          duplicate_window: nanos(spec.duplicateWindowMs),
        });
        logger.info({ stream: spec.name, subjects: spec.subjects }, "JetStream stream created");
        return;
      } catch (error) {
        // Another replica created it between our info and add: look again.
        if (apiErrorCode(error) === STREAM_NAME_IN_USE && round < 5) continue;
        throw error;
      }
    }
    const existing = info.config.subjects ?? [];
    const missing = spec.subjects.filter((subject) => !existing.some((have) => subjectMatches(have, subject)));
    if (missing.length === 0) {
      if (info.config.duplicate_window < nanos(spec.duplicateWindowMs)) {
        logger.warn(
          { stream: spec.name, duplicate_window_ms: info.config.duplicate_window / 1e6, wanted_ms: spec.duplicateWindowMs },
          "JetStream stream has a shorter duplicate window than configured; republished events may be stored twice",
        );
      }
      return;
    }
    if (round >= 5) throw new Error(`stream ${spec.name} still lacks subjects ${missing.join(", ")} after ${round} updates`);
    // Concurrent updates are last-writer-wins; the next round re-reads the
    // stream and adds again whatever a racing replica dropped.
    await jsm.streams.update(spec.name, { ...info.config, subjects: [...existing, ...missing] });
    logger.info({ stream: spec.name, added_subjects: missing }, "JetStream stream subjects added");
  }
}

async function streamInfo(jsm: JetStreamManager, name: string): Promise<StreamInfo | undefined> {
  try {
    return await jsm.streams.info(name);
  } catch (error) {
    if (apiErrorCode(error) === STREAM_NOT_FOUND) return undefined;
    throw error;
  }
}

function apiErrorCode(error: unknown): number | undefined {
  return (error as { api_error?: { err_code?: number } } | undefined)?.api_error?.err_code;
}
