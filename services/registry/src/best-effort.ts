import type { Logger } from "@planton/logging";

/**
 * bestEffort runs a clean-up whose failure must not fail the request that
 * triggered it (e.g. shredding a sealed version nothing points at): the
 * failure is logged as a warning and swallowed.
 */
export async function bestEffort(logger: Logger, what: string, action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
  } catch (error) {
    logger.warn({ error }, `could not ${what}`);
  }
}
