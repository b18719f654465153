import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile, chmod } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { NO_TOKEN_MESSAGE, resolveApiSettings, resolveApiUrl, parseProtocol } from "./api-settings.js";
import { readConfigFile, writeConfigFile } from "./config-file.js";
import { readEnvironment } from "./environment.js";
import { CliError, UsageError } from "./failures.js";

let xdg: string;
beforeEach(async () => {
  xdg = await mkdtemp(join(tmpdir(), "planton-cli-"));
});
afterEach(async () => {
  await rm(xdg, { recursive: true, force: true });
});

describe("the config file", () => {
  it("lives under $XDG_CONFIG_HOME/planton, else ~/.config/planton", () => {
    expect(readEnvironment({ XDG_CONFIG_HOME: xdg }, "/home/u").configPath).toBe(join(xdg, "planton", "config.json"));
    expect(readEnvironment({ HOME: "/home/me" }, "/home/u").configPath).toBe("/home/me/.config/planton/config.json");
    // The XDG spec: a relative value is ignored.
    expect(readEnvironment({ XDG_CONFIG_HOME: "rel", HOME: "/home/me" }, "/x").configPath).toBe("/home/me/.config/planton/config.json");
    expect(readEnvironment({}, "/home/u").configPath).toBe("/home/u/.config/planton/config.json");
  });

  it("is written with mode 0600 in a folder with mode 0700, even under a permissive umask", async () => {
    const path = readEnvironment({ XDG_CONFIG_HOME: xdg }, "/none").configPath;
    const old = process.umask(0);
    try {
      await writeConfigFile(path, { token: "t0k3n", apiUrl: "https://connect.example.com" });
    } finally {
      process.umask(old);
    }
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(dirname(path))).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual({ token: "t0k3n", apiUrl: "https://connect.example.com" });
    expect(await readConfigFile(path)).toEqual({ token: "t0k3n", apiUrl: "https://connect.example.com" });
  });

  it("narrows an existing folder and replaces an existing file", async () => {
    const path = join(xdg, "planton", "config.json");
    await mkdir(dirname(path), { mode: 0o755 });
    await chmod(dirname(path), 0o755);
    await writeFile(path, '{"token":"old"}', { mode: 0o644 });
    await writeConfigFile(path, { token: "new" });
    expect((await stat(dirname(path))).mode & 0o777).toBe(0o700);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readConfigFile(path)).toEqual({ token: "new" });
  });

  it("reads as absent when missing, and refuses bad JSON without quoting it", async () => {
    const path = join(xdg, "planton", "config.json");
    expect(await readConfigFile(path)).toBeUndefined();
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, "{ token: secret-value");
    const error = await readConfigFile(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).not.toContain("secret-value");
  });
});

describe("API settings", () => {
  const env = (values: Record<string, string>) => readEnvironment({ XDG_CONFIG_HOME: "/cfg", ...values }, "/home");

  it("take the environment over the config file, and the file over the defaults", () => {
    const file = { token: "file-token", apiUrl: "https://file.example.com" };
    expect(resolveApiSettings(env({}), file)).toEqual({ apiUrl: "https://file.example.com", token: "file-token", protocol: "connect" });
    expect(resolveApiSettings(env({ PLANTON_TOKEN: "env-token", PLANTON_API_URL: "http://env:1/", PLANTON_PROTOCOL: "grpc" }), file)).toEqual({
      apiUrl: "http://env:1",
      token: "env-token",
      protocol: "grpc",
    });
    expect(resolveApiUrl(env({}), undefined)).toBe("http://127.0.0.1:8080");
    expect(resolveApiUrl(env({ PLANTON_API_URL: "http://env:1" }), file, "https://flag.example.com")).toBe("https://flag.example.com");
  });

  it("say how to get a token when there is none", () => {
    expect(() => resolveApiSettings(env({}), undefined)).toThrow(new CliError(NO_TOKEN_MESSAGE));
    expect(() => resolveApiSettings(env({}), {})).toThrow(NO_TOKEN_MESSAGE);
  });

  it("refuse a URL that is not http(s) and an unknown protocol", () => {
    expect(() => resolveApiUrl(env({ PLANTON_API_URL: "127.0.0.1:8080" }), undefined)).toThrow(UsageError);
    expect(() => resolveApiUrl(env({}), undefined, "ftp://x")).toThrow(/--api-url/);
    expect(() => parseProtocol("grpc-web")).toThrow(/PLANTON_PROTOCOL/);
    expect(parseProtocol("GRPC")).toBe("grpc");
  });
});
