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

/** Slugs are at most this long: they appear in URLs and CLI arguments. */
const MAX_SLUG_LENGTH = 63;

/**
 * slugify derives a connection's slug from its name: lowercase ASCII letters
 * and digits, every other run of characters one dash, no dash at either end,
 * at most 63 characters. May return "" (a name with no letter or digit).
 */
export function slugify(name: string): string {
  return name
    .normalize("NFKD")
    // NFKD splits "É" into "E" and a combining accent; drop the accents so
    // "Équipe" becomes "equipe", not "e-quipe".
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, MAX_SLUG_LENGTH)
    .replace(/-+$/g, "");
}

/** newEtag returns a fresh opaque etag (64 random bits, hex). */
export function newEtag(): string {
  return randomBytes(8).toString("hex");
}
