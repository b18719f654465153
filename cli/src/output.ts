import { toJson, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { Option } from "commander";
import type { Warning } from "@planton/proto/planton/connect/v1/connection_pb";

/** OutputFormat is the `-o, --output` choice every command takes. */
export type OutputFormat = "table" | "json";

/** outputOption is `-o, --output table|json`, default table. */
export function outputOption(): Option {
  return new Option("-o, --output <format>", "output format").choices(["table", "json"]).default("table");
}

/**
 * jsonText renders a response message as one JSON document with protobuf-es
 * `toJson`: proto JSON field names, enum value names, RFC 3339 timestamps.
 */
export function jsonText<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): string {
  return JSON.stringify(toJson(schema, message), null, 2);
}

/** warningLines renders response warnings as `warning: <message>` lines, for stderr. */
export function warningLines(warnings: readonly Warning[]): string[] {
  return warnings.map((w) => `warning: ${w.message}`);
}
