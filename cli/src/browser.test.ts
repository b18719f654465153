import { describe, expect, it } from "vitest";
import { browserCommand } from "./browser.js";

const URL = "https://console.aws.amazon.com/cloudformation/home?region=us-west-2#/stacks/quickcreate?a=1&b=2";

describe("browserCommand", () => {
  it("runs BROWSER with the URL as its last argument, split on spaces", () => {
    expect(browserCommand(URL, "/usr/bin/record", "linux")).toEqual(["/usr/bin/record", [URL]]);
    expect(browserCommand(URL, "firefox  --new-window", "linux")).toEqual(["firefox", ["--new-window", URL]]);
  });

  it("falls back to the platform's opener", () => {
    expect(browserCommand(URL, undefined, "linux")).toEqual(["xdg-open", [URL]]);
    expect(browserCommand(URL, " ", "linux")).toEqual(["xdg-open", [URL]]);
    expect(browserCommand(URL, undefined, "darwin")).toEqual(["open", [URL]]);
    // cmd would read & as a command separator.
    expect(browserCommand(URL, undefined, "win32")).toEqual(["cmd", ["/c", "start", '""', URL.replaceAll("&", "^&")]]);
  });
});
