import { create, type DescField, type DescMessage } from "@bufbuild/protobuf";
import { reflect, type ReflectMessage } from "@bufbuild/protobuf/reflect";

/**
 * FieldPath is a chain of fields from a root message down to one field,
 * resolved from proto field names (`inline_keys.access_key_id`). Every field
 * but the last is a singular message field.
 */
export type FieldPath = readonly DescField[];

/**
 * resolveFieldPath resolves proto field names against `root`. It returns the
 * fields, or the index of the first name that names no field (including a
 * name that follows a non-message field).
 */
export function resolveFieldPath(root: DescMessage, names: readonly string[]): { readonly fields: FieldPath } | { readonly unknownAt: number } {
  const fields: DescField[] = [];
  let message: DescMessage | undefined = root;
  for (const [index, name] of names.entries()) {
    const field: DescField | undefined = message?.fields.find((f) => f.name === name);
    if (field === undefined) return { unknownAt: index };
    fields.push(field);
    message = field.fieldKind === "message" ? field.message : undefined;
  }
  return { fields };
}

/**
 * readField returns the value at `path` below `root`: a scalar's value (its
 * zero value when unset), a `ReflectMessage` wrapping a set message field
 * (not a copy), or undefined when the last message field or any message on
 * the way is unset.
 */
export function readField(root: ReflectMessage, path: FieldPath): unknown {
  let message = root;
  for (const [index, field] of path.entries()) {
    const last = index === path.length - 1;
    if (field.fieldKind === "message") {
      if (!message.isSet(field)) return undefined;
      const next = message.get(field);
      if (last) return next;
      message = next;
    } else {
      return last ? message.get(field) : undefined;
    }
  }
  return undefined;
}

/**
 * writeField sets `value` (in `ReflectMessage.set` form) at `path` below
 * `root`, creating unset messages on the way. It refuses to pass through a
 * oneof member while a different member of that oneof is selected (writing
 * would silently discard the other member) and then returns false, writing
 * nothing. The last field may switch its own oneof: that is the caller's
 * explicit choice.
 */
export function writeField(root: ReflectMessage, path: FieldPath, value: unknown): boolean {
  const parent = parentOf(root, path, true);
  if (parent === "blocked") return false;
  parent?.message.set(parent.field, value);
  return true;
}

/**
 * clearField resets the field at `path` below `root`; nothing to do when a
 * message on the way is unset (nothing is created for it). Returns false,
 * clearing nothing, on the same oneof conflict as {@link writeField}.
 */
export function clearField(root: ReflectMessage, path: FieldPath): boolean {
  const parent = parentOf(root, path, false);
  if (parent === "blocked") return false;
  parent?.message.clear(parent.field);
  return true;
}

/**
 * readString returns the string at a path of a string field, "" when it or
 * a message on the way is unset.
 */
export function readString(root: ReflectMessage, path: FieldPath): string {
  const value = readField(root, path);
  return typeof value === "string" ? value : "";
}

function parentOf(
  root: ReflectMessage,
  path: FieldPath,
  createMissing: boolean,
): { readonly message: ReflectMessage; readonly field: DescField } | "blocked" | undefined {
  let message = root;
  const last = path[path.length - 1];
  if (last === undefined) return undefined;
  for (const field of path.slice(0, -1)) {
    if (field.fieldKind !== "message") return undefined;
    if (field.oneof !== undefined) {
      const selected = message.oneofCase(field.oneof);
      if (selected !== undefined && selected !== field) return "blocked";
    }
    if (!message.isSet(field)) {
      if (!createMissing) return undefined;
      message.set(field, reflect(field.message, create(field.message)));
    }
    message = message.get(field);
  }
  return { message, field: last };
}
