import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import type { Connection, Warning } from "@planton/proto/planton/connect/v1/connection_pb";
import type { CliContext } from "./cli-context.js";
import { connectionFields } from "./connection-view.js";
import { jsonText, warningLines, type OutputFormat } from "./output.js";
import { renderKeyValues } from "./table.js";

/**
 * printConnectionResponse prints a response that carries one connection
 * (Create, Get, Update): its warnings to stderr, then either the whole
 * response as JSON or the connection in the `get` KEY VALUE layout.
 */
export function printConnectionResponse<Desc extends DescMessage>(
  ctx: CliContext,
  output: OutputFormat,
  schema: Desc,
  response: MessageShape<Desc> & { connection?: Connection | undefined; warnings?: Warning[] },
): void {
  for (const line of warningLines(response.warnings ?? [])) ctx.err(line);
  if (output === "json") ctx.out(jsonText(schema, response));
  else if (response.connection !== undefined) ctx.out(renderKeyValues(connectionFields(response.connection, ctx.styles)));
}
