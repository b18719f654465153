import { randomFillSync } from "node:crypto";

// Ids come from a pool of random bytes refilled in one call when used up: a
// span id per RPC must not cost a system call (bench/echo-throughput).
const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let offset = POOL_BYTES;

function randomHex(bytes: number): string {
  if (offset + bytes > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString("hex", offset, offset + bytes);
  offset += bytes;
  // All zeros is the invalid id of the W3C format (2^-64 at worst): draw again.
  return hex === "0".repeat(bytes * 2) ? randomHex(bytes) : hex;
}

/** A random W3C trace id: 32 lower-case hex digits, never all zeros. */
export function newTraceId(): string {
  return randomHex(16);
}

/** A random W3C span (parent) id: 16 lower-case hex digits, never all zeros. */
export function newSpanId(): string {
  return randomHex(8);
}
