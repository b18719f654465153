/** Who is acting: the organization and subject from the verified token. */
export interface Caller {
  readonly orgId: string;
  readonly subject: string;
}
