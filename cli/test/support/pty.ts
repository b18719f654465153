import { spawn } from "node:child_process";

/** A program running in a pseudo-terminal, driven like a person at the keyboard. */
export interface PtySession {
  /** Waits until the screen output (ANSI codes stripped) matches `pattern` after the last expect; returns the text up to the match. */
  expect(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Types `text` (e.g. "my-aws-prod\r"; "\r" is Enter, " " toggles a checkbox). */
  type(text: string): void;
  /** Everything written so far, ANSI codes stripped. */
  screen(): string;
  /** Resolves with the exit code. */
  exited: Promise<number>;
}

// Colours, cursor moves, erases: what prompt libraries draw with.
// eslint-disable-next-line no-control-regex -- matching escape sequences is the point
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b[()][A-Za-z0-9]|\u001b[=>]/g;

/**
 * runInPty runs `argv` under util-linux `script`, which gives it a
 * pseudo-terminal (stdin and stdout are TTYs), so the program behaves as in a
 * terminal: interactive prompts, spinners. Keys typed here reach it as typed.
 */
export function runInPty(argv: readonly string[], env: Record<string, string>): PtySession {
  const command = argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
  const child = spawn("script", ["-qfec", command, "/dev/null"], {
    env: { ...env, TERM: "xterm-256color", COLUMNS: "120", LINES: "40" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let raw = "";
  let consumed = 0;
  const waiters = new Set<() => void>();
  const onData = (c: Buffer) => {
    raw += c.toString("utf8");
    for (const w of [...waiters]) w();
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const screen = () => raw.replace(ANSI, "").replace(/\r/g, "");
  const exited = new Promise<number>((resolve) => child.once("close", (code) => resolve(code ?? -1)));
  return {
    expect(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const text = screen().slice(consumed);
          const match = pattern.exec(text);
          if (match) {
            waiters.delete(check);
            clearTimeout(timer);
            consumed += match.index + match[0].length;
            resolve(text.slice(0, match.index + match[0].length));
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${pattern}; screen so far:\n${screen()}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    type(text) {
      child.stdin.write(text);
    },
    screen,
    exited,
  };
}
