import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fromBinary } from "@bufbuild/protobuf";
import { ErrorInfoSchema } from "@planton/proto/google/rpc/error_details_pb";
import { cleanUpAllInOne, startAllInOne, type AllInOne } from "@planton/testing";

// A new user's first step, `npm start` then `planton connect aws`, on a
// platform that has no AWS identity and no trust principal configured: the
// platform says so at start and StartSetup refuses at once, before anything
// is created, naming what the operator must set: no link that can never work,
// no connection later marked VERIFICATION_FAILED for the platform's gap.

afterAll(cleanUpAllInOne);

// The credential chain sees only what the test gives it: no files from HOME, no instance metadata.
const NO_AMBIENT_AWS = {
  AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials",
  AWS_CONFIG_FILE: "/nonexistent/config",
  AWS_EC2_METADATA_DISABLED: "true",
};

async function call(started: AllInOne, method: string, body: unknown) {
  const response = await fetch(`http://${started.httpAddress}/planton.connect.v1.${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${started.token}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const CLI = resolve(import.meta.dirname, "../../../cli/dist/planton.mjs");

/** `planton connect aws` as a user runs it, against `started`, with the printed token. */
function connectAws(started: AllInOne) {
  const began = Date.now();
  const run = spawnSync(process.execPath, [CLI, "connect", "aws", "--name", "aws-payments-prod", "--account-id", "210987654321", "--no-browser"], {
    env: {
      PATH: process.env["PATH"],
      HOME: mkdtempSync(join(tmpdir(), "planton-home-")),
      PLANTON_API_URL: `http://${started.httpAddress}`,
      PLANTON_TOKEN: started.token,
      NO_COLOR: "1",
    },
    encoding: "utf8",
    timeout: 30_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, ms: Date.now() - began };
}

const startSetup = (started: AllInOne) => call(started, "AwsTrustService/StartSetup", { name: "payments-prod-aws", accountId: "210987654321" });

describe("AWS cross-account trust on a platform without its own AWS configuration", () => {
  it("warns at start, and StartSetup refuses with FAILED_PRECONDITION naming every setting, creating nothing", async () => {
    const started = await startAllInOne(NO_AMBIENT_AWS);
    expect(started.banner).toContain("warning: AWS cross-account trust (planton connect aws, StartSetup) is refused until the operator sets:");
    expect(started.banner).toMatch(
      /\n {2}AWS_TRUST_PRINCIPAL_ARN: is not set: customer roles would trust the placeholder arn:aws:iam::000000000000:role\/planton-runner/,
    );
    expect(started.banner).toMatch(/\n {2}AWS credentials: the platform has no AWS identity of its own/);

    const refused = await startSetup(started);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: "failed_precondition" });
    const message = refused.body["message"] as string;
    expect(message).toMatch(/^AWS cross-account trust is not available on this platform yet: its operator must configure it/);
    expect(message).toContain("this is not a problem with your AWS account");
    const details = refused.body["details"] as { type: string; value: string }[];
    expect(details.map((d) => d.type)).toEqual(["google.rpc.ErrorInfo"]);
    const info = fromBinary(ErrorInfoSchema, Buffer.from(details[0]!.value, "base64"));
    expect(info.reason).toBe("PLATFORM_NOT_CONFIGURED");
    expect(info.domain).toBe("planton.connect");
    expect(Object.keys(info.metadata).sort()).toEqual(["AWS credentials", "AWS_TRUST_PRINCIPAL_ARN"]);

    // Bad input is still the caller's first answer (INVALID_ARGUMENT naming the field).
    const bad = await call(started, "AwsTrustService/StartSetup", { name: "payments-prod-aws", accountId: "12" });
    expect(bad.body).toMatchObject({ code: "invalid_argument" });
    expect(bad.body["message"]).toContain("account_id");

    // The CLI says so at once and exits 1: no link, no four-minute wait.
    const cli = connectAws(started);
    expect(cli.status).toBe(1);
    expect(cli.stdout).not.toContain("console.aws.amazon.com");
    expect(cli.stderr).toContain("error: AWS cross-account trust is not available on this platform yet: its operator must configure it.");
    expect(cli.stderr).toMatch(/\n {2}AWS_TRUST_PRINCIPAL_ARN: is not set/);
    expect(cli.stderr).toMatch(/\n {2}AWS credentials: the platform has no AWS identity/);
    expect(cli.stderr).toContain("hint: ask the platform's operator to set these");
    expect(cli.ms).toBeLessThan(20_000);

    // Refused before anything was created: no connection, not even an awaiting one.
    const listed = await call(started, "ConnectionService/ListConnections", {});
    expect(listed.status).toBe(200);
    expect(listed.body["connections"] ?? []).toEqual([]);
    expect(await started.stop()).toBe(0);
  });

  it("names an AWS documentation example account in AWS_TRUST_PRINCIPAL_ARN as a placeholder too", async () => {
    const started = await startAllInOne({
      ...NO_AMBIENT_AWS,
      AWS_TRUST_PRINCIPAL_ARN: "arn:aws:iam::123456789012:role/planton-runner",
      AWS_ACCESS_KEY_ID: "AKIAPLATFORMEXAMPLE1",
      AWS_SECRET_ACCESS_KEY: "platformSecretExample000000000000000000000",
    });
    expect(started.banner).toMatch(/\n {2}AWS_TRUST_PRINCIPAL_ARN: names account 123456789012, a placeholder or AWS documentation example/);
    expect(started.banner).not.toContain("AWS credentials:");
    const refused = await startSetup(started);
    expect(refused.body).toMatchObject({ code: "failed_precondition" });
    const info = fromBinary(ErrorInfoSchema, Buffer.from((refused.body["details"] as { value: string }[])[0]!.value, "base64"));
    expect(Object.keys(info.metadata)).toEqual(["AWS_TRUST_PRINCIPAL_ARN"]);
    expect(await started.settledOutput()).not.toContain("platformSecretExample");
    expect(await started.stop()).toBe(0);
  });

  it("with a real-looking principal and an AWS identity: no warning, and StartSetup gives the Quick Create link", async () => {
    const started = await startAllInOne({
      ...NO_AMBIENT_AWS,
      AWS_TRUST_PRINCIPAL_ARN: "arn:aws:iam::999999999999:role/planton-runner",
      AWS_ACCESS_KEY_ID: "AKIAPLATFORMEXAMPLE1",
      AWS_SECRET_ACCESS_KEY: "platformSecretExample000000000000000000000",
    });
    expect(started.banner).not.toContain("warning:");
    const setup = await startSetup(started);
    expect(setup.status).toBe(200);
    expect(setup.body["quickCreateUrl"]).toMatch(/^https:\/\/[a-z0-9-]+\.console\.aws\.amazon\.com\/cloudformation\//);
    expect(await started.stop()).toBe(0);
  });
});
