/** SpinnerStream is the part of a stream the spinner needs (stderr). */
export interface SpinnerStream {
  readonly isTTY?: boolean | undefined;
  write(text: string): boolean;
}

/** Spinner shows that the CLI is waiting, with a line of text. */
export interface Spinner {
  /** Changes the text. */
  update(text: string): void;
  /** Stops and clears the line; safe to call twice. */
  stop(): void;
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const INTERVAL_MS = 80;

/**
 * startSpinner animates `text` on `stream` when it is a terminal. On
 * anything else (a log file, a CI job) there is no animation: each new text
 * is written once as a plain line, so the log still tells what happened.
 */
export function startSpinner(stream: SpinnerStream, text: string): Spinner {
  if (stream.isTTY !== true) {
    stream.write(`${text}\n`);
    let last = text;
    return {
      update(next) {
        if (next !== last) stream.write(`${next}\n`);
        last = next;
      },
      stop() {},
    };
  }
  let current = text;
  let frame = 0;
  let stopped = false;
  const draw = () => stream.write(`\r${FRAMES[frame++ % FRAMES.length]} ${current}\u001b[K`);
  draw();
  const timer = setInterval(draw, INTERVAL_MS);
  return {
    update(next) {
      current = next;
      if (!stopped) draw();
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      stream.write("\r\u001b[K");
    },
  };
}
