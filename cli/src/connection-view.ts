import type { DescField, DescMessage } from "@bufbuild/protobuf";
import { ConnectionDetailsSchema, RotationDueReasonSchema, type Connection } from "@planton/proto/planton/connect/v1/connection_pb";
import { AuthModeSchema, ConnectionStatus, ConnectionStatusSchema, ProviderSchema } from "@planton/proto/planton/connect/v1/provider_pb";
import { enumLabel } from "./enum-labels.js";
import { formatAge, formatBool, formatDay, formatTime } from "./format-values.js";
import { createStyles, type Styles } from "./terminal.js";
import { verificationFindingFields } from "./verification-findings-view.js";

/** CONNECTION_COLUMNS are the headers of `planton connection list`. */
export const CONNECTION_COLUMNS = ["NAME", "PROVIDER", "AUTH", "STATUS", "VERSION", "AGE", "EXPIRES", "ROTATE", "ID"] as const;

const plain = createStyles(false);

/**
 * connectionRow is one line of `planton connection list`: slug, provider,
 * auth mode, status, credential version, the credential's age in days (from
 * the provider's creation time, else the seal time), its expiry date, why
 * its rotation is due (`-` when not), id.
 */
export function connectionRow(connection: Connection, styles: Styles = plain, now: Date = new Date()): string[] {
  return [
    connection.slug,
    enumLabel(ProviderSchema, connection.provider),
    enumLabel(AuthModeSchema, connection.authMode),
    statusLabel(connection.status, styles),
    String(connection.credentialVersion),
    formatAge(connection.credentialCreateTime ?? connection.credentialSealTime, now),
    formatDay(connection.credentialExpireTime),
    rotationLabel(connection, styles),
    connection.id,
  ];
}

/** rotationLabel names the thresholds the current credential passed (`age`, `expiry`), yellow, or `-`. */
function rotationLabel(connection: Connection, styles: Styles = plain): string {
  if (connection.rotationDueReasons.length === 0) return "-";
  return styles.yellow(connection.rotationDueReasons.map((r) => enumLabel(RotationDueReasonSchema, r)).join(","));
}

/**
 * connectionFields is the KEY VALUE layout of `planton connection get`: the
 * identity and state of the connection, every set field of its provider's
 * details (hints only: responses never hold secrets), and its last
 * verification with its capability checks, warnings and trust policy
 * review (see {@link verificationFindingFields}).
 */
export function connectionFields(connection: Connection, styles: Styles = plain): [string, string][] {
  const pairs: [string, string][] = [
    ["NAME", connection.name],
    ["SLUG", connection.slug],
    ["ID", connection.id],
    ["PROVIDER", enumLabel(ProviderSchema, connection.provider)],
    ["AUTH", enumLabel(AuthModeSchema, connection.authMode)],
    ["STATUS", statusLabel(connection.status, styles)],
    ["CREDENTIAL VERSION", String(connection.credentialVersion)],
    ["CREDENTIAL SEALED", formatTime(connection.credentialSealTime)],
    ["CREDENTIAL CREATED", formatTime(connection.credentialCreateTime)],
    ["CREDENTIAL EXPIRES", formatTime(connection.credentialExpireTime)],
    ["ROTATION DUE", rotationLabel(connection, styles)],
  ];
  pairs.push(...detailFields(connection));
  const v = connection.lastVerification;
  if (v === undefined) {
    pairs.push(["LAST VERIFICATION", "none yet"]);
  } else {
    pairs.push(
      ["LAST VERIFICATION", formatTime(v.verifyTime)],
      ["VERIFIED VERSION", String(v.credentialVersion)],
      ["VERIFIED OK", v.ok ? styles.green("yes") : styles.red("no")],
    );
    if (v.identity !== "") pairs.push(["IDENTITY", v.identity]);
    if (v.reason !== "") pairs.push(["REASON", v.reason]);
    if (v.message !== "") pairs.push(["MESSAGE", v.message]);
    pairs.push(...verificationFindingFields(v, styles));
  }
  pairs.push(["CREATED", formatTime(connection.createTime)], ["UPDATED", formatTime(connection.updateTime)]);
  return pairs;
}

/** statusLabel shows a connection status in lower case, green when verified, red when failed, yellow while waiting. */
export function statusLabel(status: ConnectionStatus, styles: Styles = plain): string {
  const label = enumLabel(ConnectionStatusSchema, status);
  switch (status) {
    case ConnectionStatus.VERIFIED:
    case ConnectionStatus.VERIFIED_BY_RUNNER:
      return styles.green(label);
    case ConnectionStatus.VERIFICATION_FAILED:
      return styles.red(label);
    case ConnectionStatus.PENDING_VERIFICATION:
    case ConnectionStatus.AWAITING_TRUST_SETUP:
      return styles.yellow(label);
    default:
      return label;
  }
}

// Walks the provider's details message generically, so a field added to the
// proto shows up here without a CLI change.
function detailFields(connection: Connection): [string, string][] {
  const selected = connection.details?.provider;
  if (selected?.case === undefined) return [];
  const schema = ConnectionDetailsSchema.field[selected.case]?.message;
  if (schema === undefined) return [];
  return messageFields(schema, selected.value);
}

function messageFields(schema: DescMessage, value: Record<string, unknown>): [string, string][] {
  const pairs: [string, string][] = [];
  for (const field of schema.fields) {
    const shown = fieldText(field, value[field.localName]);
    // A field that does not apply to this auth mode is empty; leave it out.
    if (shown !== undefined) pairs.push([fieldKey(field), shown]);
  }
  return pairs;
}

function fieldKey(field: DescField): string {
  // The values of *_hint fields are masked already; the suffix adds nothing for a reader.
  return field.name
    .replace(/_hint$/, "")
    .replaceAll("_", " ")
    .toUpperCase();
}

function fieldText(field: DescField, value: unknown): string | undefined {
  switch (field.fieldKind) {
    case "scalar":
      if (typeof value === "boolean") return formatBool(value);
      if (value === "" || value === undefined) return undefined;
      // A scalar field holds a string, number, bigint or bytes.
      return (value as string | number | bigint | Uint8Array).toString();
    case "enum":
      return value === 0 ? undefined : enumLabel(field.enum, value as number);
    case "list": {
      const items = value as unknown[];
      if (items.length === 0) return undefined;
      return field.listKind === "enum" ? items.map((v) => enumLabel(field.enum, v as number)).join(", ") : items.map(String).join(", ");
    }
    default:
      return undefined;
  }
}
