import type { DescField, DescMessage } from "@bufbuild/protobuf";
import type { FieldViolation } from "./bad-request.js";

/**
 * jsonInputViolations names every key of a JSON request that its message does
 * not define and every enum name the enum does not define, with proto field
 * paths (`spec.cloudflare.surprise`, `capabilities[1]`). The JSON parser of
 * protobuf-es refuses both too (we turn `ignoreUnknownFields` off), but its
 * message names the enum type or the key, not where it sits; callers need the
 * field. Values of the wrong JSON type are left to that parser, whose
 * messages name the field. Well-known types (their own JSON forms) are not
 * entered, except that a FieldMask with snake_case paths is named too.
 */
export function jsonInputViolations(schema: DescMessage, json: unknown): FieldViolation[] {
  const out: FieldViolation[] = [];
  walkMessage(schema, json, "", out);
  return out;
}

function walkMessage(schema: DescMessage, json: unknown, prefix: string, out: FieldViolation[]): void {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return;
  if (schema.typeName.startsWith("google.protobuf.")) return;
  for (const [key, value] of Object.entries(json)) {
    const field = schema.fields.find((f) => f.jsonName === key || f.name === key);
    if (field === undefined) {
      out.push({ field: join(prefix, printable(key)), reason: "UNKNOWN_FIELD", description: `is not a field of ${schema.typeName}` });
      continue;
    }
    if (value === null) continue;
    walkField(field, value, join(prefix, field.name), out);
  }
}

function walkField(field: DescField, value: unknown, path: string, out: FieldViolation[]): void {
  switch (field.fieldKind) {
    case "enum":
      checkEnumName(field, value, path, out);
      return;
    case "message":
      if (field.message.typeName === "google.protobuf.FieldMask") checkFieldMask(value, path, out);
      else walkMessage(field.message, value, path, out);
      return;
    case "list":
      if (!Array.isArray(value)) return;
      value.forEach((item, index) => {
        if (field.listKind === "enum") checkEnumName(field, item, `${path}[${index}]`, out);
        else if (field.listKind === "message") walkMessage(field.message, item, `${path}[${index}]`, out);
      });
      return;
    case "map":
      if (typeof value !== "object" || Array.isArray(value)) return;
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
        const itemPath = `${path}[${JSON.stringify(printable(key))}]`;
        if (field.mapKind === "enum") checkEnumName(field, item, itemPath, out);
        else if (field.mapKind === "message") walkMessage(field.message, item, itemPath, out);
      }
      return;
    case "scalar":
      return;
  }
}

function checkEnumName(field: DescField, value: unknown, path: string, out: FieldViolation[]): void {
  // Numbers are checked on the decoded message (strict-input.ts), for every protocol.
  const desc = field.enum;
  if (typeof value !== "string" || desc === undefined || desc.typeName === "google.protobuf.NullValue") return;
  if (desc.values.some((v) => v.name === value)) return;
  out.push({ field: path, reason: "ENUM", description: `is not a value of ${desc.typeName}` });
}

/**
 * A FieldMask in JSON is one string of comma-separated lowerCamelCase paths;
 * protobuf-es refuses a path with an underscore (a proto field name) with a
 * message that does not say which field. The binary encoding takes proto
 * field names, so the mistake is common.
 */
function checkFieldMask(value: unknown, path: string, out: FieldViolation[]): void {
  if (typeof value !== "string" || !value.split(",").some((p) => p.includes("_"))) return;
  out.push({ field: path, reason: "FIELD_MASK", description: 'takes lowerCamelCase paths in JSON (e.g. "spec.aws.inlineKeys"), not proto field names' });
}

function join(prefix: string, name: string): string {
  return prefix === "" ? name : `${prefix}.${name}`;
}

// Keys are the caller's text: echo at most 64 characters, control characters escaped.
function printable(key: string): string {
  const short = key.length > 64 ? `${key.slice(0, 64)}...` : key;
  // eslint-disable-next-line no-control-regex -- control characters are what this escapes
  return short.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
