import { create, ScalarType, toBinary, toJson, type DescField, type DescMessage, type Message } from "@bufbuild/protobuf";

/** A seeded pseudo-random source (mulberry32): the same seed gives the same requests. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(max: number): number {
    return Math.floor(this.next() * max);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

const INTERESTING_STRINGS = [
  "",
  " ",
  "dev-org",
  "prod",
  "awsconn_01m8esv42zpvymnyat4s1v3v0b",
  "runner_01j9x7k2m4",
  "payments-prod-aws",
  "123456789012",
  "us-west-2",
  "AKIAIOSFODNN7EXAMPLE",
  "' OR 1=1 --",
  "../../etc/passwd",
  "%00%ff",
  "\u0000",
  "a\u0000b",
  "\u0001\u001f\u007f",
  "\ud83d\ude80\u202e\u200b",
  "\ud800",
  "\\",
  "${jndi:ldap://x}",
  "arn:aws:iam::123456789012:role/planton-x",
];

function randomString(rng: Rng): string {
  switch (rng.int(5)) {
    case 0:
    case 1:
      return rng.pick(INTERESTING_STRINGS);
    case 2: {
      const length = rng.int(40);
      let s = "";
      for (let i = 0; i < length; i++) s += String.fromCharCode(32 + rng.int(95));
      return s;
    }
    case 3:
      return rng.pick(["a", "é", "\u0000", "-", "0"]).repeat(rng.pick([63, 64, 65, 128, 129, 256, 1025, 5000]));
    default: {
      const length = rng.int(12);
      let s = "";
      for (let i = 0; i < length; i++) s += String.fromCharCode(rng.int(0x3000));
      return s;
    }
  }
}

function randomScalar(rng: Rng, type: ScalarType): unknown {
  switch (type) {
    case ScalarType.STRING:
      return randomString(rng);
    case ScalarType.BOOL:
      return rng.chance(0.5);
    case ScalarType.BYTES: {
      const bytes = new Uint8Array(rng.pick([0, 1, 16, 32, 64, 2048]));
      for (let i = 0; i < bytes.length; i++) bytes[i] = rng.int(256);
      return bytes;
    }
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return rng.pick([0, -1.5, 1e300, Number.NaN, Number.POSITIVE_INFINITY]);
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return rng.pick([0n, 1n, -1n, 9223372036854775807n, -9223372036854775808n]);
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return rng.pick([0n, 1n, 18446744073709551615n]);
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return rng.pick([0, 1, 5, 50, 100, 101, 4294967295]);
    default:
      return rng.pick([0, 1, -1, 2147483647, -2147483648]);
  }
}

function randomEnum(rng: Rng, field: DescField): number {
  const values = field.enum?.values.map((v) => v.number) ?? [0];
  return rng.chance(0.8) ? rng.pick(values) : rng.pick([-1, 99, 2147483647]);
}

/**
 * randomMessage fills a message of `schema` at random: each field set or not,
 * one member of each oneof, lists and maps of a few items, nested messages a
 * few levels deep, values drawn from edge cases (empty, huge, NUL, control
 * characters, undefined enum numbers, extreme integers).
 */
export function randomMessage(rng: Rng, schema: DescMessage, depth = 0): Message {
  const init: Record<string, unknown> = {};
  for (const member of schema.members) {
    if (member.kind === "oneof") {
      if (rng.chance(0.7)) {
        const field = rng.pick(member.fields);
        init[member.localName] = { case: field.localName, value: randomValue(rng, field, depth) };
      }
      continue;
    }
    if (rng.chance(0.35)) continue;
    init[member.localName] = randomValue(rng, member, depth);
  }
  return create(schema, init as never);
}

function randomValue(rng: Rng, field: DescField, depth: number): unknown {
  switch (field.fieldKind) {
    case "scalar":
      return randomScalar(rng, field.scalar);
    case "enum":
      return randomEnum(rng, field);
    case "message":
      return depth > 4 ? create(field.message) : randomMessage(rng, field.message, depth + 1);
    case "list": {
      const n = rng.pick([0, 1, 2, 3, 11]);
      const items: unknown[] = [];
      for (let i = 0; i < n; i++) {
        if (field.listKind === "scalar") items.push(randomScalar(rng, field.scalar));
        else if (field.listKind === "enum") items.push(randomEnum(rng, field));
        else items.push(depth > 4 ? create(field.message) : randomMessage(rng, field.message, depth + 1));
      }
      return items;
    }
    case "map": {
      const record: Record<string, unknown> = {};
      for (let i = 0; i < rng.int(3); i++) {
        const key = String(randomScalar(rng, field.mapKey));
        if (field.mapKind === "scalar") record[key] = randomScalar(rng, field.scalar);
        else if (field.mapKind === "enum") record[key] = randomEnum(rng, field);
        else record[key] = depth > 4 ? create(field.message) : randomMessage(rng, field.message, depth + 1);
      }
      return record;
    }
  }
}

/** The binary encoding of `message`, sometimes corrupted (flipped, cut, extended, or random bytes). */
export function mutatedBinary(rng: Rng, schema: DescMessage, message: Message): Uint8Array {
  const bytes = toBinary(schema, message);
  if (rng.chance(0.6)) return bytes;
  const out = Buffer.from(bytes);
  switch (rng.int(5)) {
    case 0:
      if (out.length > 0) out[rng.int(out.length)] ^= 1 << rng.int(8);
      return out;
    case 1:
      return out.subarray(0, rng.int(out.length + 1));
    case 2:
      return Buffer.concat([out, Buffer.from([rng.int(256), rng.int(256), rng.int(256)])]);
    case 3:
      // An unterminated varint, then a field number the schema does not define.
      return Buffer.concat([out, rng.chance(0.5) ? Buffer.from("CoCAgICAgICAgIAB", "base64") : Buffer.from([0xf8, 0x07, 0x01])]);
    default: {
      const random = Buffer.alloc(rng.int(64));
      for (let i = 0; i < random.length; i++) random[i] = rng.int(256);
      return random;
    }
  }
}

/** The JSON encoding of `message` as text, sometimes made invalid (unknown keys and enum names, wrong types, cut text). */
export function mutatedJson(rng: Rng, schema: DescMessage, message: Message): string {
  let json: unknown;
  try {
    json = toJson(schema, message);
  } catch {
    // Values JSON cannot express (e.g. undefined enum numbers are fine, but NaN in some fields is not).
    json = {};
  }
  if (rng.chance(0.5)) return JSON.stringify(json);
  const text = JSON.stringify(json);
  switch (rng.int(6)) {
    case 0:
      return text.slice(0, rng.int(text.length + 1));
    case 1:
      return JSON.stringify(addKey(rng, json, rng.pick(["surprise", "orgId", "org_id", "__proto__", "constructor"]), rng.pick([1, "x", null, {}, []])));
    case 2:
      return text.replace(/"([A-Z]+_[A-Z_]+)"/, '"$1_TYPO"');
    case 3:
      return text.replace(/"[^"]*"/, rng.pick(["123", "[]", "{}", "true", '"\\u0000"']));
    case 4:
      return rng.pick(["null", "[]", "1", '"x"', "[".repeat(5000), '{"a":'.repeat(2000)]);
    default:
      return JSON.stringify({ ...(typeof json === "object" && json !== null ? json : {}), [`k${rng.int(100)}`]: "v" });
  }
}

function addKey(rng: Rng, json: unknown, key: string, value: unknown): unknown {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return json;
  const entries = Object.entries(json);
  const nested = entries.filter(([, v]) => typeof v === "object" && v !== null && !Array.isArray(v));
  if (nested.length > 0 && rng.chance(0.5)) {
    const [k, v] = rng.pick(nested);
    return { ...json, [k]: addKey(rng, v, key, value) };
  }
  return Object.defineProperty({ ...json }, key, { value, enumerable: true, configurable: true, writable: true });
}
