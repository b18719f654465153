import { afterAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

// The package as users install it: `npm pack` of cli/, then a global install
// of that tarball into an empty prefix, with no registry access needed.
const run = promisify(execFile);
const cliDir = resolve(import.meta.dirname, "..");
let scratch: string | undefined;
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe("the packed CLI", () => {
  it("installs globally from its tarball with no dependencies and runs", async () => {
    scratch = await mkdtemp(join(tmpdir(), "planton-pack-"));
    const { stdout } = await run("npm", ["pack", cliDir, "--json", "--pack-destination", scratch], { cwd: scratch });
    const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
    expect(packed!.files.map((f) => f.path).sort()).toEqual(["README.md", "bin/planton.mjs", "dist/planton.mjs", "package.json"]);
    const prefix = join(scratch, "global");
    await run("npm", ["install", "--global", "--offline", "--no-audit", "--no-fund", "--prefix", prefix, join(scratch, packed!.filename)], { cwd: scratch });
    const installed = JSON.parse(await readFile(join(prefix, "lib", "node_modules", "@planton", "cli", "package.json"), "utf8")) as Record<string, unknown>;
    expect(installed["dependencies"]).toBeUndefined();
    const version = await run(join(prefix, "bin", "planton"), ["--version"]);
    expect(version.stdout.trim()).toBe("0.1.0");
    const help = await run(join(prefix, "bin", "planton"), ["connect", "aws", "--help"]);
    expect(help.stdout).toContain("--account-id");
  }, 60_000);
});
