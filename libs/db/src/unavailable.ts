/**
 * isDatabaseUnavailable tells whether an error means PostgreSQL could not be
 * reached or is not accepting work right now (refused or lost connection,
 * timeout, shutdown, too many connections, recovery) or did not finish a
 * statement in time (`statement_timeout`, the client's `query_timeout`,
 * `idle_in_transaction_session_timeout`): the caller should answer
 * `UNAVAILABLE`, and a retry may succeed. Constraint violations and bugs are
 * not in this class.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") {
    // SQLSTATE class 08 (connection exception), 57P01-03 (shutdown), 53300 (too many connections).
    if (code.startsWith("08") || code === "57P01" || code === "57P02" || code === "57P03" || code === "53300") return true;
    // 57014 query_canceled: statement_timeout (nothing here cancels queries
    // otherwise); 25P03: the session was ended for idling in a transaction.
    if (code === "57014" || code === "25P03") return true;
    if (["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH"].includes(code)) return true;
  }
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Query read timeout/i.test(error.message);
}
