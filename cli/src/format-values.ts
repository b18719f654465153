import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";

/** formatTime shows a timestamp as ISO 8601 UTC to the second, or `-` when unset. */
export function formatTime(ts: Timestamp | undefined): string {
  if (ts === undefined) return "-";
  return timestampDate(ts)
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z");
}

/**
 * formatAge shows how long ago `since` was, in whole days (`0d` for less
 * than a day), or `-` when unset.
 */
export function formatAge(since: Timestamp | undefined, now: Date): string {
  if (since === undefined) return "-";
  return `${Math.max(0, Math.floor((now.getTime() - timestampDate(since).getTime()) / 86_400_000))}d`;
}

/** formatDay shows a timestamp's UTC date (YYYY-MM-DD), or `-` when unset. */
export function formatDay(ts: Timestamp | undefined): string {
  return ts === undefined ? "-" : timestampDate(ts).toISOString().slice(0, 10);
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
