import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient, createRouterTransport, type ServiceImpl } from "@connectrpc/connect";
import {
  EnvironmentAuthorizationService,
  ResolveCredentialsResponseSchema,
  type ResolveCredentialsRequest,
} from "@planton/proto/planton/connect/v1/authz_service_pb";
import { AwsTrustService } from "@planton/proto/planton/connect/v1/aws_trust_service_pb";
import { ConnectionService } from "@planton/proto/planton/connect/v1/connection_service_pb";
import { AuthMode, Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import { RunnerService } from "@planton/proto/planton/connect/v1/runner_service_pb";
import type { CliContext } from "../cli-context.js";
import { readEnvironment } from "../environment.js";
import { runCli } from "../run-cli.js";
import { createStyles } from "../terminal.js";

const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzSESSION1";
const TOKEN = "IQoJb3JpZ2luX2VjEsessiontoken+/=";
const EXPIRES = new Date("2026-12-08T01:00:00Z");

const sessionResponse = create(ResolveCredentialsResponseSchema, {
  connectionId: "awsconn_1",
  connectionSlug: "payments-prod-aws",
  provider: Provider.AWS,
  authMode: AuthMode.CROSS_ACCOUNT_TRUST,
  credentialVersion: 3,
  credentials: {
    case: "awsSession",
    value: {
      accessKeyId: "ASIAEXAMPLESESSION01",
      secretAccessKey: SECRET,
      sessionToken: TOKEN,
      expireTime: timestampFromDate(EXPIRES),
      roleArn: "arn:aws:iam::123456789012:role/planton",
      assumedRoleArn: "arn:aws:sts::123456789012:assumed-role/planton/deploy-42",
      roleSessionName: "deploy-42",
      sourceIdentity: "deployer@org-1",
      region: "eu-west-1",
    },
  },
  pinExpireTime: timestampFromDate(new Date("2026-12-09T00:00:00Z")),
});

/** Runs `planton <args>` against an in-memory authz that answers `answer` and records the request. */
async function planton(args: string[], answer: ServiceImpl<typeof EnvironmentAuthorizationService>["resolveCredentials"]) {
  const out: string[] = [];
  const err: string[] = [];
  const transport = createRouterTransport((router) => {
    router.service(EnvironmentAuthorizationService, { resolveCredentials: answer });
  });
  const sink = (lines: string[]) => ({ isTTY: false, write: (text: string) => (lines.push(text), true) });
  const ctx: CliContext = {
    env: readEnvironment({ XDG_CONFIG_HOME: "/nonexistent", BROWSER: "true" }, "/nonexistent"),
    interactive: false,
    styles: createStyles(false),
    errStyles: createStyles(false),
    stdout: sink(out),
    stderr: sink(err),
    secrets: { stdin: async () => Buffer.from(""), file: async () => Buffer.from("") },
    out: (text) => void out.push(`${text}\n`),
    err: (text) => void err.push(`${text}\n`),
    configFile: async () => undefined,
    apiUrl: async () => "http://127.0.0.1:8080",
    api: async () => ({
      connections: createClient(ConnectionService, transport),
      runners: createClient(RunnerService, transport),
      authz: createClient(EnvironmentAuthorizationService, transport),
      trust: createClient(AwsTrustService, transport),
    }),
    prompt: () => Promise.reject(new Error("no terminal in tests")),
    onInterrupt: () => () => {},
    runInterruptHooks: () => {},
  };
  const code = await runCli(ctx, args);
  return { code, stdout: out.join(""), stderr: err.join("") };
}

const base = ["credentials", "resolve", "--deployment", "deploy-42", "--environment", "prod", "--provider", "aws"];

describe("planton credentials resolve", () => {
  it("asks for a session of the asked length and prints export lines with -o env", async () => {
    const seen: ResolveCredentialsRequest[] = [];
    const { code, stdout } = await planton([...base, "--connection", "payments-prod-aws", "--session", "--duration", "2h30m", "-o", "env"], (request) => {
      seen.push(request);
      return sessionResponse;
    });
    expect(code).toBe(0);
    expect(seen[0]).toMatchObject({
      deploymentId: "deploy-42",
      environment: "prod",
      provider: Provider.AWS,
      connection: "payments-prod-aws",
      sessionCredentials: true,
      sessionDuration: { seconds: 9000n, nanos: 0 },
    });
    expect(stdout).toBe(
      [
        "# expires 2026-12-08T01:00:00.000Z; resolve again before then",
        "export AWS_ACCESS_KEY_ID='ASIAEXAMPLESESSION01'",
        `export AWS_SECRET_ACCESS_KEY='${SECRET}'`,
        `export AWS_SESSION_TOKEN='${TOKEN}'`,
        "export AWS_REGION='eu-west-1'",
        "",
      ].join("\n"),
    );
  });

  it("shows what was handed out without any secret by default", async () => {
    const { code, stdout } = await planton([...base, "--session"], (request) => {
      expect(request.sessionDuration).toBeUndefined();
      return sessionResponse;
    });
    expect(code).toBe(0);
    expect(stdout).toMatch(/ACCESS KEY ID\s+ASIA\*{12}ON01/);
    expect(stdout).toMatch(/SESSION NAME\s+deploy-42/);
    expect(stdout).toMatch(/EXPIRES\s+2026-12-08T01:00:00.000Z/);
    expect(stdout).not.toContain(SECRET);
    expect(stdout).not.toContain(TOKEN);
    expect(stdout).not.toContain("ASIAEXAMPLESESSION01");
  });

  it("refuses bad --duration values and --duration without --session before calling the API", async () => {
    let called = false;
    const answer = () => {
      called = true;
      return sessionResponse;
    };
    for (const duration of ["10m", "13h", "1h30", "soon"]) {
      const { code, stderr } = await planton([...base, "--session", "--duration", duration], answer);
      expect(code).toBe(2);
      expect(stderr).toMatch(/--duration/);
    }
    expect((await planton([...base, "--duration", "1h"], answer)).code).toBe(2);
    expect(called).toBe(false);
  });

  it("explains that a role answer has no env form, and passes the API's refusal on", async () => {
    const role = create(ResolveCredentialsResponseSchema, {
      connectionId: "awsconn_1",
      connectionSlug: "payments-prod-aws",
      provider: Provider.AWS,
      authMode: AuthMode.CROSS_ACCOUNT_TRUST,
      credentialVersion: 3,
      credentials: { case: "awsRole", value: { roleArn: "arn:aws:iam::123456789012:role/planton", externalId: "ext-secret-ish" } },
    });
    const asEnv = await planton([...base, "-o", "env"], () => role);
    expect(asEnv.code).toBe(2);
    expect(asEnv.stderr).toMatch(/--session/);
    expect(asEnv.stdout).not.toContain("ext-secret-ish");
    const refused = await planton([...base, "--session"], () => {
      throw new ConnectError("AWS refused to let the platform assume the role (AccessDenied): sts:TagSession ...", Code.FailedPrecondition);
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/sts:TagSession/);
  });
});
