import { visibleWidth } from "./terminal.js";

const GAP = "   ";

/**
 * renderTable aligns `rows` under `headers` (given in capitals by the
 * caller), columns separated by three spaces, trailing spaces trimmed. Cells
 * may carry ANSI colors: widths count what the terminal shows. Returns the
 * lines joined with newlines, without a trailing one.
 */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, i) => Math.max(visibleWidth(header), ...rows.map((row) => visibleWidth(row[i] ?? ""))));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : pad(cell, widths[i] ?? 0)))
      .join(GAP)
      .trimEnd();
  return [line(headers), ...rows.map((row) => line(headers.map((_, i) => row[i] ?? "")))].join("\n");
}

/**
 * renderKeyValues renders `pairs` as a two-column KEY VALUE list, keys
 * aligned, the layout `get` commands use. A value with several lines has its
 * continuation lines indented under the first.
 */
export function renderKeyValues(pairs: readonly (readonly [string, string])[]): string {
  const width = Math.max(0, ...pairs.map(([key]) => visibleWidth(key)));
  const indent = " ".repeat(width + GAP.length);
  return pairs.map(([key, value]) => `${pad(key, width)}${GAP}${value.split("\n").join(`\n${indent}`)}`.trimEnd()).join("\n");
}

function pad(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - visibleWidth(text)));
}
