import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";

/** formatTime shows a timestamp as ISO 8601 UTC to the second, or `-` when unset. */
export function formatTime(ts: Timestamp | undefined): string {
  if (ts === undefined) return "-";
  return timestampDate(ts)
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z");
}

/** formatBool shows a boolean as `yes` or `no`. */
export function formatBool(value: boolean): string {
  return value ? "yes" : "no";
}

/**
 * splitList reads a comma-separated flag value (`prod,staging`): entries
 * trimmed, empty ones dropped, duplicates kept once in first-seen order.
 */
export function splitList(value: string): string[] {
  return [
    ...new Set(
      value
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== ""),
    ),
  ];
}
