import { createHash } from "node:crypto";

/** Where a page ends: the last row's sort key. */
export interface PageCursor {
  readonly createdAt: Date;
  readonly id: string;
}

/** The page token does not belong to this listing (bad encoding or other filters). */
export class InvalidPageTokenError extends Error {
  override readonly name = "InvalidPageTokenError";
}

/**
 * encodePageToken makes an opaque token for keyset pagination: the last row's
 * (created_at, id) and a fingerprint of the filters, so a token cannot be
 * replayed against a different listing.
 */
export function encodePageToken(cursor: PageCursor, filters: unknown): string {
  return Buffer.from(JSON.stringify({ t: cursor.createdAt.toISOString(), i: cursor.id, f: fingerprint(filters) })).toString("base64url");
}

/** decodePageToken reverses {@link encodePageToken}; throws {@link InvalidPageTokenError}. */
export function decodePageToken(token: string, filters: unknown): PageCursor {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { t?: unknown; i?: unknown; f?: unknown };
    if (typeof parsed.t !== "string" || typeof parsed.i !== "string" || parsed.f !== fingerprint(filters)) throw new Error("mismatch");
    const createdAt = new Date(parsed.t);
    if (Number.isNaN(createdAt.getTime())) throw new Error("bad time");
    return { createdAt, id: parsed.i };
  } catch {
    throw new InvalidPageTokenError("page_token does not belong to this listing");
  }
}

function fingerprint(filters: unknown): string {
  return createHash("sha256").update(JSON.stringify(filters)).digest("base64url").slice(0, 12);
}
