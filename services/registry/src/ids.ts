import { randomBytes } from "node:crypto";

const CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz";

/**
 * newId returns `<prefix><26 chars>`: 10 characters of millisecond time and
 * 16 of randomness (80 bits) in Crockford base32, lowercase. Ids sort by
 * creation time, which keeps the pagination index warm, and cannot be guessed.
 */
export function newId(prefix: string, now = Date.now()): string {
  let time = "";
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  const random = randomBytes(10);
  let bits = 0;
  let value = 0;
  let tail = "";
  for (const byte of random) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      tail += CROCKFORD[(value >>> (bits - 5)) & 31]!;
      bits -= 5;
    }
  }
  return `${prefix}${time}${tail}`;
}

// The slug rule lives in @planton/providers so the web console previews
// exactly what the registry stores.
export { slugify } from "@planton/providers";

/** newEtag returns a fresh opaque etag (64 random bits, hex). */
export function newEtag(): string {
  return randomBytes(8).toString("hex");
}
