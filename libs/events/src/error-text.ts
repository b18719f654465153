import { scrubText } from "@planton/logging";

const MAX_LENGTH = 500;

/**
 * errorText describes `error` for storage (the outbox's `last_error`): type,
 * code and message, scrubbed of secret shapes and cut to 500 characters. Only
 * the error goes in, never the event, so no payload can end up in the row.
 */
export function errorText(error: unknown): string {
  if (!(error instanceof Error)) return scrubText(String(error)).slice(0, MAX_LENGTH);
  const code = (error as { code?: unknown }).code;
  const codePart = typeof code === "string" || typeof code === "number" ? ` [${code}]` : "";
  return scrubText(`${error.name}${codePart}: ${error.message}`).slice(0, MAX_LENGTH);
}
