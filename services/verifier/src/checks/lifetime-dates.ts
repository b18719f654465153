/**
 * parseProviderDate reads an RFC 3339 timestamp a provider sent; undefined
 * for anything else, and for the "never" sentinels providers use in place of
 * no expiry (GCP reports 9999-12-31T23:59:59Z for keys that never expire).
 */
export function parseProviderDate(value: unknown): Date | undefined {
  if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() >= 9000) return undefined;
  return date;
}
