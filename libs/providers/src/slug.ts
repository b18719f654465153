/** Slugs are at most this long: they appear in URLs and CLI arguments. */
export const MAX_SLUG_LENGTH = 63;

/**
 * slugify derives a connection's slug from its name: lowercase ASCII letters
 * and digits, every other run of characters one dash, no dash at either end,
 * at most 63 characters. May return "" (a name with no letter or digit).
 * The registry stores it and the console previews it: one rule, one place.
 */
export function slugify(name: string): string {
  return (
    name
      .normalize("NFKD")
      // NFKD splits "É" into "E" and a combining accent; drop the accents so
      // "Équipe" becomes "equipe", not "e-quipe".
      .replace(/\p{M}+/gu, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, MAX_SLUG_LENGTH)
      .replace(/-+$/g, "")
  );
}
