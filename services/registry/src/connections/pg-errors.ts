/** foreign_key_violation: a referenced row (a runner, a reconnected connection) was deleted meanwhile. */
export function isForeignKeyViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "23503";
}

/** lock_not_available: SET LOCAL lock_timeout expired while waiting for the row. */
export function isLockTimeout(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "55P03";
}
