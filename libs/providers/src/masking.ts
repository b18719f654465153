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

// An AWS access key id: AKIA (long-term) or ASIA (temporary) and 16 of
// [A-Z0-9], not inside a longer run of such characters.
const AWS_ACCESS_KEY_ID_IN_TEXT = /(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])/g;

/**
 * maskAccessKeyIdsIn replaces every AWS access key id (AKIA/ASIA followed by
 * 16 upper-case letters or digits) in free text with its
 * {@link maskIdentifier} hint, `AKIAIOSFODNN7EXAMPLE` becoming
 * `AKIA************MPLE`. For text a user will read that may quote a key id
 * (e.g. a verification message): the API treats key ids as secret and shows
 * only the hint.
 */
export function maskAccessKeyIdsIn(text: string): string {
  return text.replace(AWS_ACCESS_KEY_ID_IN_TEXT, (id) => maskIdentifier(id));
}
