import { describe, expect, it } from "vitest";
import { EventEmitter } from "node:events";
import { createPromptInput, type PromptContext } from "./prompt-input.js";

/** A stand-in for process.stdin in a terminal. */
function fakeTerminal() {
  const emitter = new EventEmitter();
  const modes: boolean[] = [];
  return Object.assign(emitter, {
    isRaw: false,
    modes,
    setRawMode(mode: boolean) {
      modes.push(mode);
      this.isRaw = mode;
    },
    type(text: string) {
      emitter.emit("data", Buffer.from(text));
    },
  });
}

/** A prompt that takes lines until `accept` likes one, pausing its input when done as readline does. */
function linePrompt(accept: (line: string) => boolean = () => true) {
  const seen: string[] = [];
  const run = ({ input }: PromptContext) =>
    new Promise<string>((resolve) => {
      let buffer = "";
      const onData = (chunk: Buffer | string) => {
        buffer += chunk.toString();
        let end: number;
        while ((end = buffer.search(/[\r\n]/)) >= 0) {
          const line = buffer.slice(0, end);
          buffer = buffer.slice(end + 1);
          seen.push(line);
          if (accept(line)) {
            input.removeListener("data", onData);
            input.pause();
            resolve(line);
            return;
          }
        }
      };
      input.on("data", onData);
      input.resume();
    });
  return { run, seen };
}

describe("createPromptInput", () => {
  it("keeps lines typed ahead for the prompts that come later", async () => {
    const terminal = fakeTerminal();
    const prompts = createPromptInput(terminal);
    terminal.type("payments-prod-aws\r123456789012\r\r");
    expect(await prompts.ask(linePrompt().run)).toBe("payments-prod-aws");
    expect(await prompts.ask(linePrompt().run)).toBe("123456789012");
    expect(await prompts.ask(linePrompt().run)).toBe("");
  });

  it("gives a prompt that rejected its answer the next line", async () => {
    const terminal = fakeTerminal();
    const prompts = createPromptInput(terminal);
    terminal.type("12\r123456789012\rus-east-1\r");
    const account = linePrompt((line) => /^\d{12}$/.test(line));
    expect(await prompts.ask(account.run)).toBe("123456789012");
    expect(account.seen).toEqual(["12", "123456789012"]);
    expect(await prompts.ask(linePrompt().run)).toBe("us-east-1");
  });

  it("passes keys through as they are typed while a prompt is open, and raw mode to the terminal", async () => {
    const terminal = fakeTerminal();
    const prompts = createPromptInput(terminal);
    const answer = prompts.ask((context) => {
      (context.input as unknown as { setRawMode(mode: boolean): void }).setRawMode(true);
      return linePrompt().run(context);
    });
    terminal.type("eu-");
    terminal.type("west-1");
    terminal.type("\r");
    expect(await answer).toBe("eu-west-1");
    expect(terminal.modes).toEqual([true]);
  });
});
