import { randomFillSync } from "node:crypto";

// Ids are cut from the hex text of a pool of random bytes, refilled in one
// call when used up: a span id per RPC costs a substring, not a system call
// or a hex conversion (bench/echo-throughput).
const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let hex = "";
let offset = POOL_BYTES * 2;

const ZEROS = { 16: "0".repeat(16), 32: "0".repeat(32) } as const;

function randomHex(digits: 16 | 32): string {
  if (offset + digits > hex.length) {
    randomFillSync(pool);
    hex = pool.toString("hex");
    offset = 0;
  }
  const id = hex.slice(offset, offset + digits);
  offset += digits;
  // All zeros is the invalid id of the W3C format (2^-64 at worst): draw again.
  return id === ZEROS[digits] ? randomHex(digits) : id;
}

/** A random W3C trace id: 32 lower-case hex digits, never all zeros. */
export function newTraceId(): string {
  return randomHex(32);
}

/** A random W3C span (parent) id: 16 lower-case hex digits, never all zeros. */
export function newSpanId(): string {
  return randomHex(16);
}
