import { ScalarType, type DescField, type DescMessage, type Message } from "@bufbuild/protobuf";
import { reflect, type ReflectMessage } from "@bufbuild/protobuf/reflect";
import type { FieldViolation } from "./bad-request.js";

// A request never needs more; a deeper one is refused rather than walked.
const MAX_DEPTH = 32;

/**
 * strictInputViolations lists what no handler may ever see in a decoded
 * request, whatever the protocol it arrived on:
 *
 * - a NUL character (U+0000) in any string, map key included: PostgreSQL
 *   cannot store it, and ids, slugs and names never contain it;
 * - an enum value the schema does not define: proto3 enums are open, so the
 *   binary format (and JSON numbers) decode unknown numbers silently, and a
 *   handler treating "not one I know" as "unset" would widen the request;
 * - fields the schema does not define (binary unknown fields): a newer
 *   client's field must not be dropped silently, for the same reason.
 *
 * Paths use proto field names (`spec.aws.region`, `environments[2]`,
 * `labels["k"]`), as every other field violation does. The descriptions never
 * contain the offending value.
 */
export function strictInputViolations(schema: DescMessage, message: Message): FieldViolation[] {
  const violations: FieldViolation[] = [];
  walk(reflect(schema, message), "", violations, 0);
  return violations;
}

function walk(message: ReflectMessage, prefix: string, out: FieldViolation[], depth: number): void {
  if (depth > MAX_DEPTH) {
    out.push({ field: prefix || "(request)", reason: "DEPTH", description: `nests more than ${MAX_DEPTH} messages deep` });
    return;
  }
  const unknown = message.getUnknown();
  if (unknown !== undefined && unknown.length > 0) {
    const numbers = [...new Set(unknown.map((field) => field.no))].join(", ");
    out.push({
      field: prefix || "(request)",
      reason: "UNKNOWN_FIELD",
      description: `has field number(s) ${numbers} that ${message.desc.typeName} does not define`,
    });
  }
  for (const field of message.fields) {
    if (!message.isSet(field)) continue;
    const path = prefix === "" ? field.name : `${prefix}.${field.name}`;
    checkField(message, field, path, out, depth);
  }
}

function checkField(message: ReflectMessage, field: DescField, path: string, out: FieldViolation[], depth: number): void {
  switch (field.fieldKind) {
    case "scalar":
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- get() of a DescField is a union; fieldKind and scalar narrow it
      if (field.scalar === ScalarType.STRING) checkString(message.get(field) as string, path, out);
      return;
    case "enum":
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- as above, for an enum field
      checkEnum(field, message.get(field) as number, path, out);
      return;
    case "message":
      walk(message.get(field), path, out, depth + 1);
      return;
    case "list": {
      let index = 0;
      for (const item of message.get(field)) {
        const itemPath = `${path}[${index++}]`;
        if (field.listKind === "scalar" && field.scalar === ScalarType.STRING) checkString(item as string, itemPath, out);
        else if (field.listKind === "enum") checkEnum(field, item as number, itemPath, out);
        else if (field.listKind === "message") walk(item as ReflectMessage, itemPath, out, depth + 1);
      }
      return;
    }
    case "map":
      for (const [key, value] of message.get(field)) {
        if (typeof key === "string") checkString(key, `${path} (key)`, out);
        const valuePath = `${path}[${JSON.stringify(typeof key === "string" ? key.replaceAll("\u0000", "\\u0000") : String(key))}]`;
        if (field.mapKind === "scalar" && field.scalar === ScalarType.STRING) checkString(value as string, valuePath, out);
        else if (field.mapKind === "enum") checkEnum(field, value as number, valuePath, out);
        else if (field.mapKind === "message") walk(value as ReflectMessage, valuePath, out, depth + 1);
      }
      return;
  }
}

function checkString(value: string, path: string, out: FieldViolation[]): void {
  if (value.includes("\u0000")) out.push({ field: path, reason: "NUL_CHARACTER", description: "must not contain the NUL character (U+0000)" });
}

function checkEnum(field: DescField, value: number, path: string, out: FieldViolation[]): void {
  const desc = field.enum;
  if (desc === undefined || desc.value[value] !== undefined) return;
  out.push({ field: path, reason: "ENUM", description: `${value} is not a value of ${desc.typeName}` });
}
