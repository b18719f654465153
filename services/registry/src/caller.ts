/** Who is acting: the organization and subject from the verified token. */
export interface Caller {
  readonly orgId: string;
  readonly subject: string;
  /**
   * The request id of the RPC that acts (see `requestIdOf` in
   * `@planton/server`), carried into the events a change emits so the audit
   * log can name it; absent when no RPC is involved.
   */
  readonly requestId?: string;
}
