import type { Violations } from "@planton/server";

/** Longest display name: it becomes a slug of at most 63 characters. */
const MAX_NAME_LENGTH = 63;
/** Page size when the request leaves it 0, and the most a page holds. */
const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 100;

/** Adds the display-name rules for `field`. */
export function checkName(v: Violations, field: string, name: string): Violations {
  if (name === "") return v.check(false, field, "REQUIRED", "is required");
  return (
    v
      .check(name.length <= MAX_NAME_LENGTH, field, "MAX_LENGTH", `must be at most ${MAX_NAME_LENGTH} characters`)
      .check(name.trim() === name, field, "PATTERN", "must not start or end with whitespace")
      // eslint-disable-next-line no-control-regex -- control characters are what this refuses
      .check(!/[\u0000-\u001f\u007f]/.test(name), field, "PATTERN", "must not contain control characters")
      .check(/[A-Za-z0-9]/.test(name), field, "PATTERN", "must contain at least one letter or digit (the slug is made of them)")
  );
}

/** pageSizeOf applies AIP-158: 0 means the default, larger than the maximum is lowered to it. */
export function pageSizeOf(requested: number): number {
  if (requested === 0) return DEFAULT_PAGE_SIZE;
  return Math.min(requested, MAX_PAGE_SIZE);
}

/** isUniqueViolation tells a PostgreSQL unique-constraint failure (23505). */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "23505";
}
