import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI, startCliStack, type CliResult, type CliStack } from "./support/cli-stack.js";
import { runInPty } from "./support/pty.js";

// The real `planton` binary (the bundled file behind the package's bin) as a
// child process, against the real services started as `npm start` starts them,
// on the machine's PostgreSQL. Trust setups are completed by playing the
// CloudFormation custom resource's callback; the verifier assumes the roles at
// a local STS.

let stack: CliStack;
let files: string;

beforeAll(async () => {
  stack = await startCliStack();
  files = await mkdtemp(join(tmpdir(), "planton-cli-files-"));
}, 90_000);
afterAll(async () => {
  await stack?.close();
});

const json = <T = Record<string, unknown>>(result: CliResult): T => {
  expect(result.code, `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`).toBe(0);
  return JSON.parse(result.stdout) as T;
};
type ConnectionJson = {
  id: string;
  slug: string;
  provider: string;
  authMode: string;
  status: string;
  credentialVersion?: number;
  details: Record<string, Record<string, unknown>>;
  lastVerification?: Record<string, unknown>;
};
const connectionOf = (result: CliResult) => {
  const body = json<ConnectionJson | { connection: ConnectionJson }>(result);
  return "connection" in body ? body.connection : body;
};

async function file(name: string, content: string): Promise<string> {
  const path = join(files, name);
  await writeFile(path, content, { mode: 0o600 });
  return path;
}

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const GCP_KEY = JSON.stringify({
  type: "service_account",
  project_id: "acme-prod-1234",
  private_key_id: "0123456789abcdef0123456789abcdef01234567",
  private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  client_email: "deployer@acme-prod-1234.iam.gserviceaccount.com",
  token_uri: "https://oauth2.googleapis.com/token",
});
const AWS_SECRET = "cliMARKERsecretAccessKey000000000000000A";
const CIVO_TOKEN = "civoMARKERtoken00000000000000000001";

async function waitFor<T>(read: () => Promise<T>, until: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (until(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("help and usage", () => {
  it("has --help with an example on every command", async () => {
    const commands = [
      [],
      ["login"],
      ["connect"],
      ["connect", "aws"],
      ["connect", "gcp"],
      ["connect", "azure"],
      ["connect", "digitalocean"],
      ["connect", "civo"],
      ["connect", "cloudflare"],
      ["connection"],
      ["connection", "list"],
      ["connection", "get"],
      ["connection", "rotate"],
      ["connection", "delete"],
      ["connection", "auth"],
      ["connection", "auth", "create"],
      ["connection", "auth", "list"],
      ["connection", "auth", "delete"],
      ["connection", "default"],
      ["connection", "default", "set"],
      ["connection", "default", "get"],
      ["connection", "default", "unset"],
      ["runner"],
      ["runner", "register"],
      ["runner", "list"],
      ["runner", "delete"],
    ];
    for (const command of commands) {
      const result = await stack.run([...command, "--help"]);
      expect(result.code, command.join(" ")).toBe(0);
      expect(result.stdout, command.join(" ")).toMatch(/Usage: planton/);
      expect(result.stdout, `${command.join(" ")} has an example`).toMatch(/planton \S+/);
      if (command.length >= 2 && !["connection auth", "connection default"].includes(command.join(" "))) {
        expect(result.stdout, `${command.join(" ")} has an example`).toMatch(/Example/i);
      }
    }
  });

  it("exits 2 on a bad command line, and never prompts without a terminal", async () => {
    const unknown = await stack.run(["connection", "lst"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--help/);
    const missing = await stack.run(["connect", "aws", "--name", "ci-prod-aws"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--account-id/);
    const secretFlag = await stack.run(["connect", "civo", "--name", "x-civo", "--default-region", "LON1", "--api-token", CIVO_TOKEN]);
    expect(secretFlag.code).toBe(2);
    const capability = await stack.run(["connect", "aws", "--name", "cap-prod-aws", "--account-id", "123456789012", "--capabilities", "eks,warp_drive"]);
    expect(capability.code).toBe(2);
    expect(capability.stderr).toContain("warp_drive");
  });

  it("speaks gRPC as well as the Connect protocol to the same port", async () => {
    const viaConnect = json<{ connections?: { id: string }[] }>(await stack.run(["connection", "list", "-o", "json"]));
    const viaGrpc = json<{ connections?: { id: string }[] }>(await stack.run(["connection", "list", "-o", "json"], { env: { PLANTON_PROTOCOL: "grpc" } }));
    expect(viaGrpc).toEqual(viaConnect);
  });

  it("exits 3 when the API cannot be reached, and 1 without a usable token", async () => {
    const down = await stack.run(["connection", "list"], { env: { PLANTON_API_URL: "http://127.0.0.1:9" } });
    expect(down.code).toBe(3);
    expect(down.stderr).toMatch(/cannot reach/);
    const noToken = await stack.run(["connection", "list"], { env: { PLANTON_TOKEN: undefined } });
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toMatch(/planton login/);
    const badToken = await stack.run(["connection", "list"], { env: { PLANTON_TOKEN: "not-a-token" } });
    expect(badToken.code).toBe(1);
    expect(badToken.stderr).not.toContain("not-a-token");
  });
});

describe("login", () => {
  it("checks the token, saves it 0600 for later commands, and refuses a bad one", async () => {
    const home = await stack.configHome();
    const bad = await stack.run(["login", "--token-stdin"], { input: "bogus-token\n", env: { PLANTON_TOKEN: undefined, XDG_CONFIG_HOME: home } });
    expect(bad.code).toBe(1);
    await expect(stat(join(home, "planton", "config.json"))).rejects.toThrow();

    const good = await stack.run(["login", "--token", stack.token], { env: { PLANTON_TOKEN: undefined, XDG_CONFIG_HOME: home } });
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout + good.stderr).not.toContain(stack.token);
    const saved = join(home, "planton", "config.json");
    expect((await stat(saved)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(saved, "utf8"))).toMatchObject({ token: stack.token });
    const list = await stack.run(["connection", "list", "-o", "json"], { env: { PLANTON_TOKEN: undefined, XDG_CONFIG_HOME: home } });
    expect(list.code, list.stderr).toBe(0);
  });
});

describe("connect aws", () => {
  it("runs the trust flow from flags: opens the link, waits for the role, prints the verified connection", async () => {
    const browser = await stack.browser();
    const running = stack.run(
      ["connect", "aws", "--name", "flags-prod-aws", "--account-id", "123456789012", "--capabilities", "eks,vpc_networking,s3_storage", "-o", "json"],
      {
        env: browser.env,
      },
    );
    const [link] = await waitFor(
      () => browser.urls(),
      (urls) => urls.length > 0,
    );
    expect(link).toMatch(/^https:\/\/us-west-2\.console\.aws\.amazon\.com\/cloudformation\/home\?region=us-west-2#\/stacks\/quickcreate\?/);
    const params = new URLSearchParams(link!.slice(link!.indexOf("quickcreate?") + "quickcreate?".length));
    expect([
      params.get("param_EnableEks"),
      params.get("param_EnableVpcNetworking"),
      params.get("param_EnableS3Storage"),
      params.get("param_EnableRds"),
    ]).toEqual(["true", "true", "true", "false"]);
    expect((await stack.completeFromLink(link!, "planton-flags-TrustRole")).status).toBe(200);
    const result = await running;
    const c = connectionOf(result);
    expect(c).toMatchObject({ slug: "flags-prod-aws", authMode: "AUTH_MODE_CROSS_ACCOUNT_TRUST", status: "CONNECTION_STATUS_VERIFIED" });
    expect(c.details["aws"]).toMatchObject({ roleArn: "arn:aws:iam::123456789012:role/planton-flags-TrustRole" });
    expect(result.stderr).toContain(link!.slice(0, 60));
    expect(result.stdout).not.toContain(params.get("param_ExternalId")!);
  });

  it("asks for everything in a terminal, with all capabilities selected by default", async () => {
    const browser = await stack.browser();
    const session = runInPty([process.execPath, CLI, "connect", "aws"], {
      PATH: process.env["PATH"] ?? "",
      HOME: files,
      XDG_CONFIG_HOME: join(files, "pty-config"),
      PLANTON_API_URL: stack.url,
      PLANTON_TOKEN: stack.token,
      ...browser.env,
    });
    await session.expect(/name/i);
    session.type("pty-prod-aws\r");
    await session.expect(/account/i);
    session.type("123456789012\r");
    await session.expect(/region/i);
    session.type("\r");
    await session.expect(/capabilit/i);
    session.type("\r");
    await session.expect(/waiting/i, 30_000);
    const [link] = await waitFor(
      () => browser.urls(),
      (urls) => urls.length > 0,
    );
    const params = new URLSearchParams(link!.slice(link!.indexOf("quickcreate?") + "quickcreate?".length));
    expect([...params].filter(([k, v]) => k.startsWith("param_Enable") && v === "true")).toHaveLength(10);
    expect(session.screen()).toContain("cloudformation/home?region=us-west-2");
    expect((await stack.completeFromLink(link!, "planton-pty-TrustRole")).status).toBe(200);
    expect(await session.exited).toBe(0);
    expect(session.screen()).toMatch(/verified/i);
    expect(session.screen()).toContain("arn:aws:iam::123456789012:role/planton-pty-TrustRole");
  }, 60_000);

  it("reports a role that can be assumed without the external id and exits 1", async () => {
    const browser = await stack.browser();
    const running = stack.run(["connect", "aws", "--name", "open-prod-aws", "--account-id", "123456789012"], { env: browser.env });
    const [link] = await waitFor(
      () => browser.urls(),
      (urls) => urls.length > 0,
    );
    await stack.completeFromLink(link!, "planton-open-TrustRole", { requireExternalId: false });
    const result = await running;
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toContain("EXTERNAL_ID_NOT_ENFORCED");
  });

  it("reconnects with other capabilities, keeping the connection", async () => {
    const before = connectionOf(await stack.run(["connection", "get", "flags-prod-aws", "-o", "json"]));
    const browser = await stack.browser();
    const running = stack.run(["connect", "aws", "--reconnect", "flags-prod-aws", "--capabilities", "eks", "-o", "json"], { env: browser.env });
    const [link] = await waitFor(
      () => browser.urls(),
      (urls) => urls.length > 0,
    );
    await stack.completeFromLink(link!, "planton-flags-TrustRole-2");
    const after = connectionOf(await running);
    expect(after.id).toBe(before.id);
    expect(after.credentialVersion).toBeGreaterThan(before.credentialVersion ?? 0);
    expect(after.details["aws"]).toMatchObject({ roleArn: "arn:aws:iam::123456789012:role/planton-flags-TrustRole-2", capabilities: ["AWS_CAPABILITY_EKS"] });
  });

  it("prints the link and stops with --no-wait --no-browser", async () => {
    const result = await stack.run(["connect", "aws", "--name", "later-prod-aws", "--account-id", "123456789012", "--no-wait", "--no-browser"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/https:\/\/us-west-2\.console\.aws\.amazon\.com\/cloudformation\/home/);
  });

  it("stores inline keys read from stdin, and runner-delegated auth by runner name", async () => {
    stack.sts.addKey("AKIACLIINLINE0000001", AWS_SECRET, { account: "123456789012", arn: "arn:aws:iam::123456789012:user/cli" });
    const inline = connectionOf(
      await stack.run(
        [
          "connect",
          "aws",
          "--name",
          "keys-prod-aws",
          "--account-id",
          "123456789012",
          "--access-key-id",
          "AKIACLIINLINE0000001",
          "--secret-access-key-stdin",
          "-o",
          "json",
        ],
        {
          input: `${AWS_SECRET}\n`,
        },
      ),
    );
    expect(inline).toMatchObject({ authMode: "AUTH_MODE_INLINE" });
    expect(inline.details["aws"]).toMatchObject({ accessKeyIdHint: "AKIA************0001" });
    const verified = await waitFor(
      async () => connectionOf(await stack.run(["connection", "get", "keys-prod-aws", "-o", "json"])),
      (c) => c.status === "CONNECTION_STATUS_VERIFIED",
    );
    expect(verified.lastVerification).toMatchObject({ identity: "arn:aws:iam::123456789012:user/cli" });

    json(
      await stack.run([
        "runner",
        "register",
        "--name",
        "eks-runner",
        "--kind",
        "aws-irsa",
        "--principal",
        "arn:aws:iam::999999999999:role/runner",
        "-o",
        "json",
      ]),
    );
    const viaRunner = connectionOf(
      await stack.run(["connect", "aws", "--name", "runner-prod-aws", "--account-id", "123456789012", "--runner", "eks-runner", "-o", "json"]),
    );
    expect(viaRunner).toMatchObject({ authMode: "AUTH_MODE_RUNNER", status: "CONNECTION_STATUS_VERIFIED_BY_RUNNER" });
  });
});

describe("connect other providers", () => {
  it("connects GCP from a key file (base64-encoding it), Azure, DigitalOcean, Civo and Cloudflare with secrets from stdin or files", async () => {
    const gcp = connectionOf(await stack.run(["connect", "gcp", "--name", "data-prod-gcp", "--key-file", await file("key.json", GCP_KEY), "-o", "json"]));
    expect(gcp.details["gcp"]).toMatchObject({ projectId: "acme-prod-1234", clientEmail: "deployer@acme-prod-1234.iam.gserviceaccount.com" });

    const azure = connectionOf(
      await stack.run(
        [
          "connect",
          "azure",
          "--name",
          "web-prod-azure",
          "--tenant-id",
          "8d5e7c1a-1b2c-4d3e-9f4a-5b6c7d8e9f00",
          "--subscription-id",
          "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
          "--client-id",
          "0f1e2d3c-4b5a-4968-8776-655443322110",
          "--client-secret-stdin",
          "-o",
          "json",
        ],
        { input: "azureMARKERclientSecret~000000000000001\n" },
      ),
    );
    expect(azure.details["azure"]).toMatchObject({ clientId: "0f1e2d3c-4b5a-4968-8776-655443322110" });

    const digitalocean = connectionOf(
      await stack.run([
        "connect",
        "digitalocean",
        "--name",
        "edge-prod-do",
        "--default-region",
        "fra1",
        "--api-token-file",
        await file("do.txt", `dop_v1_${"a".repeat(64)}\n`),
        "-o",
        "json",
      ]),
    );
    expect(digitalocean.details["digitalocean"]).toMatchObject({ defaultRegion: "fra1" });

    const civo = connectionOf(
      await stack.run(["connect", "civo", "--name", "k8s-prod-civo", "--default-region", "LON1", "--api-token-stdin", "-o", "json"], { input: CIVO_TOKEN }),
    );
    expect(civo.credentialVersion).toBe(1);

    const cloudflare = connectionOf(
      await stack.run(["connect", "cloudflare", "--name", "dns-prod-cf", "--api-token-stdin", "-o", "json"], { input: `cfut_${"m".repeat(48)}\n` }),
    );
    expect(cloudflare.details["cloudflare"]).toMatchObject({ credentialKind: "api_token" });
  });

  it("prints the server's field violations one per line and exits 1", async () => {
    const result = await stack.run(["connect", "civo", "--name", "bad-prod-civo", "--default-region", "MARS1", "--api-token-stdin"], { input: "short" });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^ {2}spec\.civo\.default_region: .+$/m);
    expect(result.stderr).toMatch(/^ {2}spec\.civo\.api_token: .+$/m);
    expect(result.stderr).not.toContain("short\n");
  });
});

describe("connection", () => {
  it("lists, gets, rotates and deletes, never printing a secret", async () => {
    const table = await stack.run(["connection", "list"]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/NAME\s+PROVIDER\s+AUTH\s+STATUS/);
    expect(table.stdout).toContain("k8s-prod-civo");
    const listed = json<{ connections: ConnectionJson[] }>(await stack.run(["connection", "list", "--provider", "civo", "-o", "json"]));
    expect(listed.connections.map((c) => c.slug)).toEqual(["k8s-prod-civo"]);

    const got = await stack.run(["connection", "get", "k8s-prod-civo"]);
    expect(got.code).toBe(0);
    expect(got.stdout).toContain("k8s-prod-civo");

    const rotated = await stack.run(["connection", "rotate", "k8s-prod-civo", "--api-token-stdin", "-o", "json"], {
      input: "civoMARKERtoken00000000000000000002\n",
    });
    expect(connectionOf(rotated).credentialVersion).toBe(2);
    const noSecret = await stack.run(["connection", "rotate", "k8s-prod-civo"]);
    expect(noSecret.code).toBe(2);

    const refused = await stack.run(["connection", "delete", "k8s-prod-civo"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("--yes");
    const deleted = await stack.run(["connection", "delete", "k8s-prod-civo", "--yes"]);
    expect(deleted.code, deleted.stderr).toBe(0);
    const gone = await stack.run(["connection", "get", "k8s-prod-civo"]);
    expect(gone.code).toBe(1);

    const everything = await stack.run(["connection", "list", "-o", "json"]);
    for (const secret of [AWS_SECRET, CIVO_TOKEN, "MARKER"]) {
      expect(everything.stdout).not.toContain(secret);
      expect(table.stdout).not.toContain(secret);
    }
  });

  it("authorizes for environments or the organization, lists and revokes", async () => {
    const created = await stack.run(["connection", "auth", "create", "edge-prod-do", "--environments", "prod,staging", "-o", "json"]);
    expect(created.code, created.stderr).toBe(0);
    const byConnection = json<{ authorizations: { environment: string }[] }>(await stack.run(["connection", "auth", "list", "edge-prod-do", "-o", "json"]));
    expect(byConnection.authorizations.map((a) => a.environment).sort()).toEqual(["prod", "staging"]);
    expect((await stack.run(["connection", "auth", "delete", "edge-prod-do", "--environments", "staging"])).code).toBe(0);
    const byEnvironment = json<{ authorizations: { connectionSlug: string }[] }>(
      await stack.run(["connection", "auth", "list", "--environment", "prod", "-o", "json"]),
    );
    expect(byEnvironment.authorizations.map((a) => a.connectionSlug)).toContain("edge-prod-do");
    expect((await stack.run(["connection", "auth", "create", "data-prod-gcp", "--org"])).code).toBe(0);
    const orgWide = json<{ authorizations: { scope: string }[] }>(await stack.run(["connection", "auth", "list", "data-prod-gcp", "-o", "json"]));
    expect(orgWide.authorizations).toEqual([expect.objectContaining({ scope: "AUTHORIZATION_SCOPE_ORGANIZATION" })]);
    const table = await stack.run(["connection", "auth", "list", "edge-prod-do"]);
    expect(table.stdout).toContain("prod");
  });

  it("sets, reads and unsets defaults per environment and for the organization", async () => {
    expect((await stack.run(["connection", "default", "set", "edge-prod-do", "--environment", "prod"])).code).toBe(0);
    const got = json<{ defaultConnection: { connectionSlug: string } }>(
      await stack.run(["connection", "default", "get", "--provider", "digitalocean", "--environment", "prod", "-o", "json"]),
    );
    expect(got.defaultConnection.connectionSlug).toBe("edge-prod-do");
    expect((await stack.run(["connection", "default", "set", "data-prod-gcp"])).code).toBe(0);
    const orgDefault = json<{ defaultConnection: { connectionSlug: string } }>(
      await stack.run(["connection", "default", "get", "--provider", "gcp", "-o", "json"]),
    );
    expect(orgDefault.defaultConnection.connectionSlug).toBe("data-prod-gcp");
    expect((await stack.run(["connection", "default", "unset", "--provider", "digitalocean", "--environment", "prod"])).code).toBe(0);
    const none = await stack.run(["connection", "default", "get", "--provider", "digitalocean", "--environment", "prod"]);
    expect(none.code).toBe(1);
  });
});

describe("credentials resolve", () => {
  it("prints session credentials minted by authz for the deployment as export lines, and no secret in the table", async () => {
    const browser = await stack.browser();
    const running = stack.run(["connect", "aws", "--name", "sessions-prod-aws", "--account-id", "123456789012", "-o", "json"], { env: browser.env });
    const [link] = await waitFor(
      () => browser.urls(),
      (urls) => urls.length > 0,
    );
    // A role made by trust template v2: its trust statement allows tagging the session and setting its source identity.
    const trustActions = ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"];
    expect((await stack.completeFromLink(link!, "planton-sessions-TrustRole", { trustActions })).status).toBe(200);
    expect(connectionOf(await running).status).toBe("CONNECTION_STATUS_VERIFIED");
    expect((await stack.run(["connection", "auth", "create", "sessions-prod-aws", "--org"])).code).toBe(0);

    const args = ["credentials", "resolve", "--deployment", "cli-deploy-1", "--environment", "prod", "--provider", "aws", "--connection", "sessions-prod-aws"];
    const env = await stack.run([...args, "--session", "--duration", "30m", "-o", "env"]);
    expect(env.code, env.stderr).toBe(0);
    const minted = stack.sts.sessions().at(-1)!;
    expect(minted).toMatchObject({ roleArn: "arn:aws:iam::123456789012:role/planton-sessions-TrustRole", sessionName: "cli-deploy-1" });
    expect(stack.sts.calls().at(-1)!.params).toMatchObject({ DurationSeconds: "1800", RoleSessionName: "cli-deploy-1", "Tags.member.3.Value": "cli-deploy-1" });
    expect(env.stdout).toContain(`export AWS_ACCESS_KEY_ID='${minted.accessKeyId}'\n`);
    expect(env.stdout).toContain(`export AWS_SECRET_ACCESS_KEY='${minted.secretAccessKey}'\n`);
    expect(env.stdout).toContain(`export AWS_SESSION_TOKEN='${minted.sessionToken}'\n`);
    expect(env.stdout).toContain("export AWS_REGION='us-west-2'");

    // Again: fresh credentials, shown without any secret.
    const table = await stack.run([...args, "--session"]);
    expect(table.code, table.stderr).toBe(0);
    const again = stack.sts.sessions().at(-1)!;
    expect(again.accessKeyId).not.toBe(minted.accessKeyId);
    expect(table.stdout).toMatch(/SESSION NAME\s+cli-deploy-1/);
    expect(table.stdout).toContain(again.accessKeyId.slice(0, 4) + "*".repeat(12) + again.accessKeyId.slice(-4));
    for (const secret of [again.accessKeyId, again.secretAccessKey, again.sessionToken]) expect(table.stdout).not.toContain(secret);
  });
});

describe("runner", () => {
  it("registers (showing the token once), lists and deletes runners", async () => {
    const registered = json<{ runner: { id: string; name: string }; token: string }>(
      await stack.run([
        "runner",
        "register",
        "--name",
        "gke-runner",
        "--kind",
        "gcp-workload-identity",
        "--principal",
        "runner@acme-prod.iam.gserviceaccount.com",
        "-o",
        "json",
      ]),
    );
    expect(registered.token.length).toBeGreaterThan(20);
    const listed = await stack.run(["runner", "list"]);
    expect(listed.stdout).toContain("gke-runner");
    expect(listed.stdout).not.toContain(registered.token);
    expect((await stack.run(["runner", "delete", "gke-runner"])).code).toBe(0);
    const after = json<{ runners: { name: string }[] }>(await stack.run(["runner", "list", "-o", "json"]));
    expect((after.runners ?? []).map((r) => r.name)).not.toContain("gke-runner");
  });
});
