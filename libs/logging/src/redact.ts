/**
 * Redaction applied by the logger to every record, so that no call site can
 * leak a secret by logging the wrong object. Three rules:
 * 1. a field whose name suggests a secret is replaced whatever its value;
 * 2. byte arrays are never printed (payloads, keys and ciphertext are bytes);
 * 3. strings are scrubbed of well-known secret shapes (bearer tokens, JWTs,
 *    PEM private keys, AWS secret keys) wherever they appear, messages included.
 */

/** The text that replaces a redacted value. */
export const REDACTED = "[REDACTED]";

const SECRET_FIELD =
  /(secret|passw(or)?d|token|authorization|cookie|private[_-]?key|payload|plaintext|credential|api[_-]?key|external[_-]?id|data[_-]?key|wrapped|ciphertext|signature)/i;

// Shapes of secrets that might end up inside free text (an error message from a
// library, a URL with a token). Each is replaced in full.
const SECRET_SHAPES: readonly RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  /\bBearer\s+[A-Za-z0-9._~+/=-]{16,}/gi,
  /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g,
  /(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g,
  /\b(cfut|cfat|cfk|dop_v1|ghp)_[A-Za-z0-9_]{16,}/g,
  /(postgres(ql)?|nats|https?):\/\/([^:@/\s]*):([^@/\s]+)@/gi,
];

/** Replaces every known secret shape inside `text`. */
export function scrubText(text: string): string {
  let out = text;
  for (const shape of SECRET_SHAPES) {
    out = out.replace(shape, (match, ...groups: unknown[]) => {
      // Connection URLs keep their scheme and user so the log stays useful.
      if (/^(postgres|nats|http)/i.test(match) && typeof groups[2] === "string") {
        return `${String(groups[0])}://${groups[2]}:${REDACTED}@`;
      }
      return REDACTED;
    });
  }
  return out;
}

/** Returns a redacted deep copy of `value` (depth-limited, cycle-safe). */
export function redactValue(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === "string") return scrubText(value);
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
  if (value instanceof Date) return value.toISOString();
  // `seen` holds the ancestors only: a cycle is cut, an object that merely
  // appears twice is copied twice.
  if (depth > 8 || seen.has(value)) return "[…]";
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1, seen));
    if (value instanceof Error) return redactError(value, depth, seen);
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      out[key] = SECRET_FIELD.test(key) ? REDACTED : redactValue(inner, depth + 1, seen);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

function redactError(error: Error, depth: number, seen: WeakSet<object>): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: error.name,
    message: scrubText(error.message),
  };
  if (error.stack !== undefined) out["stack"] = scrubText(error.stack);
  const code = (error as { code?: unknown }).code;
  if (code !== undefined) out["code"] = redactValue(code, depth + 1, seen);
  if (error.cause !== undefined) out["cause"] = redactValue(error.cause, depth + 1, seen);
  return out;
}
