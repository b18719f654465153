/**
 * Masked hints let a user recognise a credential without the response
 * carrying it. Below 12 characters any partial hint would give away too
 * large a share of the value, so those are masked completely.
 */
const MIN_HINTED_LENGTH = 12;
const FULL_MASK = "****";

/**
 * maskIdentifier hides the middle of a key identifier: first 4 + one `*` per
 * hidden character + last 4 (`AKIAIOSFODNN7EXAMPLE` gives
 * `AKIA************MPLE`). Values under 12 characters give `****`; empty
 * gives "" (nothing to hint at).
 */
export function maskIdentifier(value: string): string {
  const chars = Array.from(value);
  if (chars.length === 0) return "";
  if (chars.length < MIN_HINTED_LENGTH) return FULL_MASK;
  return chars.slice(0, 4).join("") + "*".repeat(chars.length - 8) + chars.slice(-4).join("");
}

/**
 * maskSecret shows only the last 4 characters of a secret behind `****`
 * (`****abcd`), and hides its length. Values under 12 characters give
 * `****`; empty gives "" (nothing to hint at).
 */
export function maskSecret(value: string): string {
  const chars = Array.from(value);
  if (chars.length === 0) return "";
  if (chars.length < MIN_HINTED_LENGTH) return FULL_MASK;
  return FULL_MASK + chars.slice(-4).join("");
}
