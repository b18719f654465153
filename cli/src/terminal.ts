/**
 * Styles colors text for the terminal, or returns it unchanged when colors
 * are off (NO_COLOR, or output that is not a terminal).
 */
export interface Styles {
  readonly enabled: boolean;
  bold: (text: string) => string;
  dim: (text: string) => string;
  green: (text: string) => string;
  yellow: (text: string) => string;
  red: (text: string) => string;
}

/** createStyles returns ANSI {@link Styles}, or identity ones when `enabled` is false. */
export function createStyles(enabled: boolean): Styles {
  const wrap = (open: number, close: number) => (text: string) => (enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text);
  return { enabled, bold: wrap(1, 22), dim: wrap(2, 22), green: wrap(32, 39), yellow: wrap(33, 39), red: wrap(31, 39) };
}

// Control sequences the styles above emit; stripped to measure what a cell shows.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/** visibleWidth is the number of characters `text` shows on a terminal (ANSI colors do not count). */
export function visibleWidth(text: string): number {
  return [...text.replace(ANSI, "")].length;
}
