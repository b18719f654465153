import { spawn, type ChildProcess } from "node:child_process";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { inject } from "vitest";
import { createTestDatabase, type TestDatabase } from "@planton/testing";
import { startFakeSts, type FakeSts } from "../../../services/verifier/test/support/fake-sts.js";

/** The `planton` binary as users get it: the package's `bin`, which runs the bundle. */
export const CLI = resolve(import.meta.dirname, "../../bin/planton.mjs");
const ALL_IN_ONE = resolve(import.meta.dirname, "../../../services/all-in-one/dist/src/main.js");

/** The platform's own AWS identity: the principal every trust role trusts. */
const PLATFORM = {
  arn: "arn:aws:iam::999999999999:role/planton-runner",
  accessKeyId: "AKIAPLATFORMCLI00001",
  secretAccessKey: "platformCliSecret000000000000000000000000",
};

/** What a CLI run gave. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The `npm start` stack (all four services in one process) on a fresh database, plus a fake STS. */
export interface CliStack {
  readonly url: string;
  readonly token: string;
  readonly sts: FakeSts;
  /** A fresh config home per call, so tests do not share `planton login` state. */
  configHome(): Promise<string>;
  /** Runs `planton <args>` without a terminal; `input` goes to stdin. */
  run(args: readonly string[], options?: { input?: string; env?: Record<string, string | undefined> }): Promise<CliResult>;
  /** A BROWSER command that records the URLs it is asked to open. */
  browser(): Promise<{ env: Record<string, string>; urls(): Promise<string[]> }>;
  /** Plays the CloudFormation custom resource: posts the role for the setup behind a Quick Create link. */
  completeFromLink(
    link: string,
    roleName: string,
    options?: { requireExternalId?: boolean; trustActions?: readonly string[] },
  ): Promise<{ status: number; body: string }>;
  output(): string;
  close(): Promise<void>;
}

/** startCliStack starts the stack as `npm start` runs it, but on the machine's PostgreSQL and NATS. */
export async function startCliStack(): Promise<CliStack> {
  const database: TestDatabase = await createTestDatabase(inject("databaseUrl"), "cli");
  const dataDir = await mkdtemp(join(tmpdir(), "planton-cli-stack-"));
  const scratch = await mkdtemp(join(tmpdir(), "planton-cli-"));
  const sts = await startFakeSts();
  sts.addKey(PLATFORM.accessKeyId, PLATFORM.secretAccessKey, { account: "999999999999", arn: PLATFORM.arn });
  const child: ChildProcess = spawn(process.execPath, [ALL_IN_ONE], {
    env: {
      PATH: process.env["PATH"] ?? "",
      HOME: process.env["HOME"] ?? "",
      HOST: "127.0.0.1",
      PORT: "0",
      GRPC_PORT: "0",
      // Not the default 9464: other test files start stacks at the same time.
      METRICS_PORT: "0",
      DATA_DIR: dataDir,
      DATABASE_URL: database.url,
      LOG_LEVEL: "warn",
      OUTBOX_POLL_MS: "50",
      // The verifier assumes trust roles at the fake STS as the platform principal.
      AWS_STS_URL: sts.url,
      // What a verified credential reads about itself afterwards (dates, the
      // trust-policy review) goes to a closed local port: never the internet.
      AWS_IAM_URL: "http://127.0.0.1:9",
      AZURE_GRAPH_URL: "http://127.0.0.1:9",
      GCP_IAM_URL: "http://127.0.0.1:9",
      GCP_RESOURCE_MANAGER_URL: "http://127.0.0.1:9",
      AWS_ACCESS_KEY_ID: PLATFORM.accessKeyId,
      AWS_SECRET_ACCESS_KEY: PLATFORM.secretAccessKey,
      AWS_TRUST_PRINCIPAL_ARN: PLATFORM.arn,
      AWS_TRUST_WATCH_POLL_MS: "100",
      AWS_TRUST_PROPAGATION_MS: "10000",
      // No internet here: other providers' checks fail fast and are retried later.
      CHECK_TIMEOUT_MS: "500",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (out += c.toString()));
  const banner = await new Promise<string>((resolveBanner, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within 60 s:\n${out}`)), 60_000);
    const check = () => {
      if (/development token[^\n]*\n(\S+)\n/.test(out)) {
        clearTimeout(timer);
        resolveBanner(out);
      }
    };
    child.stderr?.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the stack exited ${code}:\n${out}`));
    });
  });
  const url = /gRPC-Web \/ gRPC\s+(http:\/\/\S+)/.exec(banner)![1]!;
  const token = /development token[^\n]*\n(\S+)\n/.exec(banner)![1]!;
  let homes = 0;

  const stack: CliStack = {
    url,
    token,
    sts,
    async configHome() {
      const dir = join(scratch, `config-${++homes}`);
      return dir;
    },
    run(args, options = {}) {
      return new Promise((resolveRun, reject) => {
        const cli = spawn(process.execPath, [CLI, ...args], {
          env: {
            PATH: process.env["PATH"] ?? "",
            HOME: scratch,
            XDG_CONFIG_HOME: join(scratch, "default-config"),
            PLANTON_API_URL: url,
            PLANTON_TOKEN: token,
            BROWSER: "true",
            ...options.env,
          },
          stdio: ["pipe", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        cli.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
        cli.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
        cli.once("error", reject);
        cli.once("close", (code) => resolveRun({ code: code ?? -1, stdout, stderr }));
        cli.stdin.end(options.input ?? "");
      });
    },
    async browser() {
      const file = join(scratch, `browser-${Math.random().toString(36).slice(2)}.txt`);
      const script = `${file}.sh`;
      await writeFile(script, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${file}'\n`);
      await chmod(script, 0o755);
      return {
        env: { BROWSER: script },
        async urls() {
          return (await readFile(file, "utf8").catch(() => "")).split("\n").filter((l) => l !== "");
        },
      };
    },
    async completeFromLink(link, roleName, options = {}) {
      const hash = link.slice(link.indexOf("#") + 1);
      const params = new URLSearchParams(hash.slice(hash.indexOf("?") + 1));
      const account = "123456789012";
      const roleArn = `arn:aws:iam::${account}:role/${roleName}`;
      sts.addRole({
        roleArn,
        trustedPrincipalArn: params.get("param_TrustedPrincipalArn")!,
        ...(options.requireExternalId === false ? {} : { externalId: params.get("param_ExternalId")! }),
        ...(options.trustActions ? { trustActions: options.trustActions } : {}),
      });
      // What the template's Lambda sends (Connect protocol, JSON), to this stack.
      const callback = new URL(params.get("param_CallbackUrl")!);
      const response = await fetch(`${url}${callback.pathname}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          setupId: params.get("param_SetupId"),
          token: params.get("param_CallbackToken"),
          roleArn,
          accountId: account,
          stackId: `arn:aws:cloudformation:us-west-2:${account}:stack/${params.get("stackName")}/5b6c7d8e-1234-11ef-9a1b-0a1b2c3d4e5f`,
        }),
      });
      return { status: response.status, body: await response.text() };
    },
    output: () => out,
    async close() {
      child.kill("SIGTERM");
      await new Promise((resolveExit) => {
        const timer = setTimeout(() => {
          child.kill("SIGKILL");
          resolveExit(undefined);
        }, 10_000);
        child.once("exit", () => {
          clearTimeout(timer);
          resolveExit(undefined);
        });
      });
      await sts.close();
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
      await rm(scratch, { recursive: true, force: true });
    },
  };
  return stack;
}
