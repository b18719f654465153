import { spawn } from "node:child_process";

/**
 * browserCommand says how to open `url`: the BROWSER command when set (split
 * on spaces for arguments such as `firefox --new-window`, the URL appended
 * as the last argument), else the platform's opener: `open` on macOS,
 * `cmd /c start` on Windows, `xdg-open` elsewhere.
 */
export function browserCommand(url: string, browser: string | undefined, platform: NodeJS.Platform): [string, string[]] {
  const words = browser?.split(" ").filter((w) => w !== "") ?? [];
  const [command, ...args] = words;
  if (command !== undefined) return [command, [...args, url]];
  if (platform === "darwin") return ["open", [url]];
  // `start` takes its first quoted argument as a window title, and cmd reads
  // `&` as a command separator: hence the empty title and the escaping.
  if (platform === "win32") return ["cmd", ["/c", "start", '""', url.replaceAll("&", "^&")]];
  return ["xdg-open", [url]];
}

/**
 * openBrowser starts the command of {@link browserCommand} without a shell,
 * detached, and ignores every failure: the link is printed anyway, so a
 * machine without a browser loses nothing.
 */
export function openBrowser(url: string, browser: string | undefined): void {
  const [command, args] = browserCommand(url, browser, process.platform);
  try {
    const child = spawn(command, args, {
      stdio: "ignore",
      detached: true,
      windowsVerbatimArguments: process.platform === "win32" && browser === undefined,
    });
    child.on("error", () => {});
    child.unref();
  } catch {
    // No browser here: the printed link is enough.
  }
}
