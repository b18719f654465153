import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";

// runService is every service's main: how a start-up failure is reported and
// how SIGTERM stops a started service. Each case runs in a child process
// (it installs signal handlers and calls process.exit).

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `body` (an ES module body with runService, ConfigError and createLogger in scope); sends SIGTERM once stdout says "ready". */
function run(body: string): Promise<Run> {
  const script = `
    import { runService } from "@planton/server";
    import { ConfigError } from "@planton/config";
    import { createLogger } from "@planton/logging";
    ${body}
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { cwd: new URL("..", import.meta.url), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes("ready\n") && !stdout.includes("signalled")) {
        stdout += "signalled\n";
        child.kill("SIGTERM");
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("runService", () => {
  it("prints a configuration error as it is and exits 1", async () => {
    const result = await run(`runService("svc", async () => { throw new ConfigError("PORT", "must be a port number"); });`);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("PORT");
    expect(result.stderr).not.toContain("failed to start");
  });

  it("prints any other failure with the service's name, secrets scrubbed, and exits 1", async () => {
    const result = await run(`runService("svc", async () => { throw new Error("cannot reach postgres://app:hunter2@db:5432/app"); });`);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^svc failed to start: cannot reach /);
    expect(result.stderr).not.toContain("hunter2");
  });

  it("on SIGTERM logs shutting down, runs stop once and exits 0", async () => {
    const result = await run(`
      runService("svc", async () => {
        const logger = createLogger({ level: "info" });
        // "ready" once runService has the service (and its signal handlers).
        setTimeout(() => process.stdout.write("ready\\n"), 0);
        setInterval(() => undefined, 1000);
        return { logger, async stop() { process.stdout.write("stopped\\n"); } };
      });
    `);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/"signal":"SIGTERM".*shutting down/);
    expect(result.stdout.match(/stopped/g)).toHaveLength(1);
  });

  it("lets a one-shot command (start resolves with nothing) end by itself with 0", async () => {
    const result = await run(`runService("svc", async () => { process.stdout.write("migrated\\n"); });`);
    expect(result).toMatchObject({ code: 0, stdout: "migrated\n" });
  });
});
