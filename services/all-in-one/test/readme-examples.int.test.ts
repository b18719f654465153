import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createTestDatabase, type TestDatabase, cleanUpAllInOne, startAllInOne, type AllInOne } from "@planton/testing";

// The README's "Calling it" examples, run as a reader runs them: `npm start`
// (here on a test database), then each curl command pasted into a shell with
// TOKEN set to the printed token and `<etag>` replaced by the etag the
// previous answer showed. Every answer must be a success, so an example that
// sends a placeholder or reuses a taken name fails here, not for a reader.
// The grpcurl block is not run (grpcurl is not a dependency of the
// repository); its calls are the same RPCs over the native port.

const README = resolve(import.meta.dirname, "../../../README.md");
const run = promisify(execFile);

/** The ```sh blocks of the README section `heading` (up to the next `## ` heading). */
function shellBlocks(readme: string, heading: string): string[] {
  const start = readme.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README.md has no "${heading}" section`);
  const next = readme.indexOf("\n## ", start + heading.length + 2);
  const section = readme.slice(start, next < 0 ? undefined : next);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/**
 * The commands of a block: a command starts at a line beginning with `curl`
 * and runs until a blank line, a comment or the next command (its lines are
 * joined by `\` continuations or by newlines inside a quoted body).
 */
function curlCommands(block: string): string[] {
  const commands: string[] = [];
  let current: string[] | undefined;
  for (const line of block.split("\n")) {
    if (line.startsWith("curl ")) {
      if (current !== undefined) commands.push(current.join("\n"));
      current = [line];
    } else if (line.trim() === "" || line.startsWith("#")) {
      if (current !== undefined) commands.push(current.join("\n"));
      current = undefined;
    } else if (current !== undefined) {
      current.push(line);
    }
  }
  if (current !== undefined) commands.push(current.join("\n"));
  return commands;
}

// Provider APIs point at a closed local port: the verifier's checks fail
// fast and offline; nothing here depends on their outcome.
const CLOSED = "http://127.0.0.1:9";

let db: TestDatabase;
let started: AllInOne;

beforeAll(async () => {
  db = await createTestDatabase(inject("databaseUrl"), "readme");
  started = await startAllInOne({
    DATABASE_URL: db.url,
    AUTH_JWT_SECRET: "readme-examples-secret-0123456789abcdef",
    // StartSetup needs a real-looking runner principal and an AWS identity of the platform's own.
    AWS_TRUST_PRINCIPAL_ARN: "arn:aws:iam::999999999999:role/planton-runner",
    AWS_ACCESS_KEY_ID: "AKIAPLATFORMEXAMPLE1",
    AWS_SECRET_ACCESS_KEY: "platformSecretExample000000000000000000000",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials",
    AWS_CONFIG_FILE: "/nonexistent/config",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_STS_URL: CLOSED,
    AZURE_LOGIN_URL: CLOSED,
    AZURE_MANAGEMENT_URL: CLOSED,
    DIGITALOCEAN_API_URL: CLOSED,
    CIVO_API_URL: CLOSED,
    CLOUDFLARE_API_URL: CLOSED,
    GCP_TOKEN_URI: CLOSED,
  });
}, 90_000);

afterAll(async () => {
  await started?.stop();
  await cleanUpAllInOne();
  await db?.drop().catch(() => undefined);
});

describe("README: Calling it", () => {
  it("every curl example succeeds, in order, against a started stack", async () => {
    const readme = await readFile(README, "utf8");
    const commands = shellBlocks(readme, "## Calling it").flatMap(curlCommands);
    // Create, rotate, authorize, resolve, start a trust setup.
    expect(commands.length).toBeGreaterThanOrEqual(5);
    let etag: string | undefined;
    const answers = new Map<string, Record<string, unknown>>();
    for (const command of commands) {
      expect(command, "the examples talk to the port npm start prints").toContain("http://127.0.0.1:8080/");
      let line = command.replaceAll("http://127.0.0.1:8080/", `http://${started.httpAddress}/`);
      if (line.includes("<etag>")) {
        expect(etag, `an earlier answer shows the etag for:\n${command}`).toBeDefined();
        line = line.replaceAll("<etag>", etag!);
      }
      const { stdout } = await run("bash", ["-c", line], { env: { PATH: process.env["PATH"], TOKEN: started.token }, timeout: 20_000 });
      let answer: Record<string, unknown>;
      try {
        answer = JSON.parse(stdout) as Record<string, unknown>;
      } catch {
        throw new Error(`not a JSON answer for:\n${command}\n${stdout}`);
      }
      expect(answer, `error answer for:\n${command}\n${stdout}`).not.toHaveProperty("code");
      const connection = answer["connection"] as { etag?: string } | undefined;
      if (connection?.etag !== undefined) etag = connection.etag;
      answers.set(/planton\.connect\.v1\.\w+\/(\w+)/.exec(command)![1]!, answer);
    }
    expect([...answers.keys()]).toEqual(
      expect.arrayContaining(["ListConnections", "CreateConnection", "UpdateConnection", "AuthorizeConnection", "ResolveCredentials", "StartSetup"]),
    );
    // What the comments under the examples promise.
    expect(answers.get("UpdateConnection")).toMatchObject({ rotated: true });
    expect(answers.get("ResolveCredentials")).toMatchObject({ credentialVersion: 2, inline: { aws: { inlineKeys: { accessKeyId: "AKIAI44QH8DHBEXAMPLE" } } } });
    expect(answers.get("StartSetup")).toMatchObject({ connection: { status: "CONNECTION_STATUS_AWAITING_TRUST_SETUP" } });
  });
});
