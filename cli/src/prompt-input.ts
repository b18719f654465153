import { PassThrough } from "node:stream";
import { StringDecoder } from "node:string_decoder";

/** TerminalInput is the part of `process.stdin` (a TTY) the prompts need. */
export interface TerminalInput {
  readonly isRaw?: boolean;
  setRawMode(mode: boolean): unknown;
  on(event: "data", listener: (chunk: Buffer | string) => void): unknown;
  on(event: "end", listener: () => void): unknown;
}

/** PromptContext is what a prompt function receives: the stream to read keys from. */
export interface PromptContext {
  readonly input: NodeJS.ReadableStream;
}

/**
 * PromptInput hands terminal input to one prompt at a time, one line per
 * prompt: keys typed (or written by a test through a pseudo-terminal)
 * before a prompt is shown wait for it instead of being swallowed by the
 * prompt before.
 */
export interface PromptInput {
  /** Runs `prompt` with the next line of input released to it, and more lines while it stays open (a rejected answer). */
  ask<T>(prompt: (context: PromptContext) => Promise<T>): Promise<T>;
}

// How long after an Enter a prompt that is still open is taken to have
// rejected the answer (validation) and to need the next line. Prompts settle
// one event-loop turn after Enter, far less than this.
const RECHECK_MS = 50;

/**
 * createPromptInput wraps `source` (process.stdin). Inquirer reads keys
 * from a readline over its input: given process.stdin directly, one chunk
 * holding several answers ("name\r123456789012\r\r") is decoded entirely
 * into the first prompt, and the answers after the first are lost. Here the
 * prompts read a pass-through stream that looks like a TTY (raw mode goes to
 * the real one) and gets one line per prompt.
 */
export function createPromptInput(source: TerminalInput): PromptInput {
  const stream = Object.assign(new PassThrough(), {
    isTTY: true,
    setRawMode(mode: boolean) {
      source.setRawMode(mode);
      return stream;
    },
  });
  Object.defineProperty(stream, "isRaw", { get: () => source.isRaw === true });
  const decoder = new StringDecoder("utf8");
  let pending = "";
  let credits = 0;
  let open = false;
  let recheck: NodeJS.Timeout | undefined;

  const flush = () => {
    while (credits > 0 && pending !== "") {
      const end = /\r\n|\r|\n/.exec(pending);
      if (end === null) {
        // A line being typed: show it as it comes.
        stream.write(pending);
        pending = "";
        return;
      }
      const cut = end.index + end[0].length;
      stream.write(pending.slice(0, cut));
      pending = pending.slice(cut);
      credits--;
      clearTimeout(recheck);
      recheck = setTimeout(() => {
        if (open && credits === 0) {
          credits = 1;
          flush();
        }
      }, RECHECK_MS);
    }
  };
  source.on("data", (chunk) => {
    pending += typeof chunk === "string" ? chunk : decoder.write(chunk);
    flush();
  });
  source.on("end", () => {
    if (pending !== "") stream.write(pending);
    pending = "";
    stream.end();
  });

  return {
    async ask(prompt) {
      open = true;
      credits = 1;
      flush();
      try {
        return await prompt({ input: stream });
      } finally {
        open = false;
        credits = 0;
        clearTimeout(recheck);
      }
    },
  };
}
