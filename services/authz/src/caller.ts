/** Who is acting: organization and subject from the verified token, and the request id of the RPC. */
export interface Caller {
  readonly orgId: string;
  readonly subject: string;
  /** For the audit log; absent outside an RPC. */
  readonly requestId?: string;
}
