import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient, createRouterTransport, type ServiceImpl } from "@connectrpc/connect";
import { BadRequestSchema } from "@planton/proto/google/rpc/error_details_pb";
import { EnvironmentAuthorizationService } from "@planton/proto/planton/connect/v1/authz_service_pb";
import { AwsTrustService, AwsTrustSetupState } from "@planton/proto/planton/connect/v1/aws_trust_service_pb";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { ConnectionSchema, RotationDueReason, type Connection } from "@planton/proto/planton/connect/v1/connection_pb";
import { ConnectionService } from "@planton/proto/planton/connect/v1/connection_service_pb";
import { AuthMode, ConnectionStatus, Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import { RunnerService } from "@planton/proto/planton/connect/v1/runner_service_pb";
import type { ApiClients } from "./api-clients.js";
import type { CliContext } from "./cli-context.js";
import { readEnvironment } from "./environment.js";
import { CliError } from "./failures.js";
import { runCli } from "./run-cli.js";
import { createStyles } from "./terminal.js";

interface Fakes {
  connections?: Partial<ServiceImpl<typeof ConnectionService>>;
  runners?: Partial<ServiceImpl<typeof RunnerService>>;
  authz?: Partial<ServiceImpl<typeof EnvironmentAuthorizationService>>;
  trust?: Partial<ServiceImpl<typeof AwsTrustService>>;
}

/** Runs `planton <args>` against in-memory services; no terminal, no browser (BROWSER=true). */
async function planton(args: string[], fakes: Fakes = {}, io: { stdin?: string; files?: Record<string, string>; token?: boolean } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const transport = createRouterTransport((router) => {
    router.service(ConnectionService, fakes.connections ?? {});
    router.service(RunnerService, fakes.runners ?? {});
    router.service(EnvironmentAuthorizationService, fakes.authz ?? {});
    router.service(AwsTrustService, fakes.trust ?? {});
  });
  const clients: ApiClients = {
    connections: createClient(ConnectionService, transport),
    runners: createClient(RunnerService, transport),
    authz: createClient(EnvironmentAuthorizationService, transport),
    trust: createClient(AwsTrustService, transport),
  };
  const sink = (lines: string[]) => ({ isTTY: false, write: (text: string) => (lines.push(text), true) });
  const ctx: CliContext = {
    env: readEnvironment({ XDG_CONFIG_HOME: "/nonexistent", BROWSER: "true" }, "/nonexistent"),
    interactive: false,
    styles: createStyles(false),
    errStyles: createStyles(false),
    stdout: sink(out),
    stderr: sink(err),
    secrets: {
      stdin: async () => Buffer.from(io.stdin ?? ""),
      file: async (path) => {
        const content = io.files?.[path];
        if (content === undefined) throw new Error(`ENOENT: no such file, open '${path}'`);
        return Buffer.from(content);
      },
    },
    out: (text) => void out.push(`${text}\n`),
    err: (text) => void err.push(`${text}\n`),
    configFile: async () => undefined,
    apiUrl: async () => "http://127.0.0.1:8080",
    api: async () => {
      if (io.token === false) throw new CliError("no token: set PLANTON_TOKEN or run `planton login --token ...`");
      return clients;
    },
    prompt: () => Promise.reject(new Error("no terminal in tests")),
    onInterrupt: () => () => {},
    runInterruptHooks: () => {},
  };
  const code = await runCli(ctx, args);
  return { code, stdout: out.join(""), stderr: err.join("") };
}

const connection = (fields: Omit<MessageInitShape<typeof ConnectionSchema>, "$typeName"> = {}): Connection =>
  create(ConnectionSchema, {
    id: "doconn_1",
    name: "payments-prod-do",
    slug: "payments-prod-do",
    provider: Provider.DIGITALOCEAN,
    authMode: AuthMode.INLINE,
    status: ConnectionStatus.PENDING_VERIFICATION,
    credentialVersion: 1,
    etag: "etag-1",
    ...fields,
  });

describe("planton connect", () => {
  it("sends the flags as a CreateConnection request and prints the response as JSON", async () => {
    const requests: unknown[] = [];
    const result = await planton(
      [
        "connect",
        "cloudflare",
        "--name",
        "payments-prod-cf",
        "--api-token-stdin",
        "--r2-access-key-id",
        "r2-access-key-id-0000",
        "--r2-secret-access-key-file",
        "r2.txt",
        "-o",
        "json",
      ],
      {
        connections: {
          createConnection(request) {
            requests.push(request.spec?.provider);
            return {
              connection: connection({ slug: "payments-prod-cf" }),
              warnings: [{ code: "NAME_CONVENTION", message: "consider a name like team-env-provider" }],
            };
          },
        },
      },
      { stdin: "cf-token\n", files: { "r2.txt": "r2-secret-access-key-000" } },
    );
    expect(result.code).toBe(0);
    expect(requests).toEqual([
      {
        case: "cloudflare",
        value: expect.objectContaining({
          apiToken: "cf-token",
          r2: expect.objectContaining({ accessKeyId: "r2-access-key-id-0000", secretAccessKey: "r2-secret-access-key-000", endpoint: "" }),
        }),
      },
    ]);
    expect(JSON.parse(result.stdout)).toMatchObject({ connection: { slug: "payments-prod-cf", status: "CONNECTION_STATUS_PENDING_VERIFICATION" } });
    expect(result.stderr).toBe("warning: consider a name like team-env-provider\n");
  });

  it("is a usage error (exit 2) to leave out a required flag without a terminal", async () => {
    const aws = await planton(["connect", "aws", "--name", "payments-prod-aws"]);
    expect(aws.code).toBe(2);
    expect(aws.stderr).toBe("error: --account-id is required for a new connection (or --reconnect <connection>)\nrun 'planton connect aws --help' for usage\n");
    const gcp = await planton(["connect", "gcp", "--key-file", "k.json"]);
    expect(gcp.code).toBe(2);
    expect(gcp.stderr).toMatch(/required option '--name <name>' not specified\nrun 'planton connect gcp --help' for usage/);
    expect((await planton(["connect", "civo", "--name", "n", "--default-region", "LON1", "--api-token-stdin", "--object-store-secret-key-stdin"])).code).toBe(
      2,
    );
  });

  it("prints the field violations of an INVALID_ARGUMENT answer and exits 1", async () => {
    const result = await planton(
      ["connect", "digitalocean", "--name", "n", "--default-region", "xyz1", "--api-token-file", "t"],
      {
        connections: {
          createConnection() {
            throw new ConnectError("invalid request: spec.digitalocean.default_region: must be one of nyc1, nyc2", Code.InvalidArgument, undefined, [
              {
                desc: BadRequestSchema,
                value: create(BadRequestSchema, { fieldViolations: [{ field: "spec.digitalocean.default_region", description: "must be one of nyc1, nyc2" }] }),
              },
            ]);
          },
        },
      },
      { files: { t: "dop_v1_x" } },
    );
    expect(result).toEqual({ code: 1, stdout: "", stderr: "error: invalid request\n  spec.digitalocean.default_region: must be one of nyc1, nyc2\n" });
  });

  it("exits 1 without a token", async () => {
    const result = await planton(["connection", "list"], {}, { token: false });
    expect(result).toEqual({ code: 1, stdout: "", stderr: "error: no token: set PLANTON_TOKEN or run `planton login --token ...`\n" });
  });
});

describe("planton connect aws (trust flow)", () => {
  const setupAt = (state: AwsTrustSetupState) => ({
    setupId: "awstrust_1",
    state,
    accountId: "123456789012",
    roleArn: state === AwsTrustSetupState.PENDING ? "" : "arn:aws:iam::123456789012:role/planton",
    expiresAt: timestampFromDate(new Date("2026-05-01T10:10:00Z")),
  });
  const trustConnection = (status: ConnectionStatus, ok?: boolean) =>
    connection({
      id: "awsconn_1",
      slug: "payments-prod-aws",
      provider: Provider.AWS,
      authMode: AuthMode.CROSS_ACCOUNT_TRUST,
      status,
      ...(ok === undefined ? {} : { lastVerification: { ok, reason: ok ? "" : "ROLE_NOT_ASSUMABLE", message: ok ? "" : "Check the trust policy." } }),
    });
  const trust = (final: ConnectionStatus, ok: boolean, starts: unknown[]): Partial<ServiceImpl<typeof AwsTrustService>> => ({
    startSetup(request) {
      starts.push({
        name: request.name,
        accountId: request.accountId,
        region: request.region,
        capabilities: request.capabilities,
        reconnect: request.reconnect,
      });
      return {
        setupId: "awstrust_1",
        quickCreateUrl: "https://console.aws.amazon.com/cloudformation/quickcreate?x=1",
        expiresAt: setupAt(1).expiresAt,
        setup: setupAt(AwsTrustSetupState.PENDING),
        connection: trustConnection(ConnectionStatus.AWAITING_TRUST_SETUP),
      };
    },
    async *watchSetup() {
      yield { setup: setupAt(AwsTrustSetupState.PENDING), connection: trustConnection(ConnectionStatus.AWAITING_TRUST_SETUP) };
      yield { setup: setupAt(AwsTrustSetupState.COMPLETED), connection: trustConnection(ConnectionStatus.PENDING_VERIFICATION) };
      yield { setup: setupAt(AwsTrustSetupState.COMPLETED), connection: trustConnection(final, ok) };
    },
  });

  it("prints the link, waits for the verified role, and in JSON mode keeps stdout for the connection", async () => {
    const starts: unknown[] = [];
    const result = await planton(
      ["connect", "aws", "--name", "payments-prod-aws", "--account-id", "123456789012", "--capabilities", "eks", "--no-browser", "-o", "json"],
      {
        trust: trust(ConnectionStatus.VERIFIED, true, starts),
      },
    );
    expect(result.code).toBe(0);
    expect(starts).toEqual([{ name: "payments-prod-aws", accountId: "123456789012", region: "us-west-2", capabilities: [1], reconnect: "" }]);
    expect(JSON.parse(result.stdout)).toMatchObject({ connection: { slug: "payments-prod-aws", status: "CONNECTION_STATUS_VERIFIED" } });
    expect(result.stderr).toContain("https://console.aws.amazon.com/cloudformation/quickcreate?x=1\n");
    expect(result.stderr).toContain("expires at 2026-05-01T10:10:00Z");
  });

  it("exits 1 with the reason when the verification fails", async () => {
    const result = await planton(["connect", "aws", "--reconnect", "payments-prod-aws", "--no-browser"], {
      trust: trust(ConnectionStatus.VERIFICATION_FAILED, false, []),
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("https://console.aws.amazon.com/cloudformation/quickcreate?x=1\n");
    expect(result.stdout).toMatch(/STATUS\s+verification_failed/);
    expect(result.stderr).toContain("error: verification failed: ROLE_NOT_ASSUMABLE: Check the trust policy.\n");
  });

  it("returns after the link with --no-wait", async () => {
    const result = await planton(["connect", "aws", "--name", "n", "--account-id", "123456789012", "--no-browser", "--no-wait"], {
      trust: { ...trust(ConnectionStatus.VERIFIED, true, []), watchSetup: () => Promise.reject(new Error("must not watch")) as never },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("setup id: awstrust_1\n");
  });
});

describe("planton connection", () => {
  it("list follows every page and prints a table", async () => {
    const tokens: string[] = [];
    const result = await planton(["connection", "list", "--provider", "digitalocean"], {
      connections: {
        listConnections(request) {
          tokens.push(request.pageToken);
          expect(request.provider).toBe(Provider.DIGITALOCEAN);
          return request.pageToken === ""
            ? { connections: [connection()], nextPageToken: "p2" }
            : {
                connections: [
                  connection({
                    id: "doconn_2",
                    slug: "b",
                    status: ConnectionStatus.VERIFIED,
                    credentialSealTime: timestampFromDate(new Date(Date.now() - 10.5 * 86_400_000)),
                    credentialExpireTime: timestampFromDate(new Date("2027-03-04T05:06:07Z")),
                    rotationDueReasons: [RotationDueReason.EXPIRY],
                  }),
                ],
                nextPageToken: "",
              };
        },
      },
    });
    expect(result.code).toBe(0);
    expect(tokens).toEqual(["", "p2"]);
    expect(result.stdout.trimEnd().split("\n")).toEqual([
      "NAME               PROVIDER       AUTH     STATUS                 VERSION   AGE   EXPIRES      ROTATE   ID",
      "payments-prod-do   digitalocean   inline   pending_verification   1         -     -            -        doconn_1",
      "b                  digitalocean   inline   verified               1         10d   2027-03-04   expiry   doconn_2",
    ]);
  });

  it("list --rotation-due asks the server for due connections only", async () => {
    const asked: boolean[] = [];
    const result = await planton(["connection", "list", "--rotation-due"], {
      connections: {
        listConnections(request) {
          asked.push(request.rotationDue);
          return { connections: [], nextPageToken: "" };
        },
      },
    });
    expect(result.code).toBe(0);
    expect(asked).toEqual([true]);
  });

  it("rotate reads the connection, then updates with its etag and a mask of the given secret", async () => {
    const updates: unknown[] = [];
    const result = await planton(
      ["connection", "rotate", "payments-prod-do", "--api-token-stdin"],
      {
        connections: {
          getConnection: () => ({ connection: connection() }),
          updateConnection(request) {
            updates.push({ connection: request.connection, etag: request.etag, paths: request.updateMask?.paths, spec: request.spec?.provider });
            return { connection: connection({ credentialVersion: 2 }), rotated: true };
          },
        },
      },
      { stdin: "dop_v1_new\n" },
    );
    expect(result.code).toBe(0);
    expect(updates).toEqual([
      {
        connection: "doconn_1",
        etag: "etag-1",
        paths: ["spec.digitalocean.api_token"],
        spec: { case: "digitalocean", value: expect.objectContaining({ apiToken: "dop_v1_new" }) },
      },
    ]);
    expect(result.stdout.split("\n")[0]).toBe("rotated payments-prod-do: credential version 2 (pending_verification)");
  });

  it("delete needs --yes without a terminal, and sends the etag it read", async () => {
    const deletes: unknown[] = [];
    const fakes: Fakes = {
      connections: {
        getConnection: () => ({ connection: connection() }),
        deleteConnection(request) {
          deletes.push({ connection: request.connection, etag: request.etag, force: request.force });
          return {};
        },
      },
    };
    expect((await planton(["connection", "delete", "payments-prod-do"], fakes)).code).toBe(2);
    expect(deletes).toEqual([]);
    const result = await planton(["connection", "delete", "payments-prod-do", "--yes", "--force"], fakes);
    expect(result.code).toBe(0);
    expect(deletes).toEqual([{ connection: "doconn_1", etag: "etag-1", force: true }]);
  });

  it("default set takes the provider from the connection", async () => {
    const sets: unknown[] = [];
    const result = await planton(["connection", "default", "set", "payments-prod-do", "--environment", "prod"], {
      connections: { getConnection: () => ({ connection: connection() }) },
      authz: {
        setDefaultConnection(request) {
          sets.push({ provider: request.provider, scope: request.scope, environment: request.environment });
          return {
            defaultConnection: {
              provider: request.provider,
              scope: request.scope,
              environment: request.environment,
              connectionSlug: "payments-prod-do",
              connectionId: "doconn_1",
            },
          };
        },
      },
    });
    expect(result.code).toBe(0);
    expect(sets).toEqual([{ provider: Provider.DIGITALOCEAN, scope: 2, environment: "prod" }]);
    expect(result.stdout).toMatch(/PROVIDER\s+digitalocean/);
  });

  it("an unreachable API exits 3", async () => {
    const result = await planton(["connection", "get", "x"], {
      connections: {
        getConnection() {
          throw new ConnectError("connect ECONNREFUSED 127.0.0.1:8080", Code.Unavailable);
        },
      },
    });
    expect(result).toEqual({
      code: 3,
      stdout: "",
      stderr: "error: cannot reach the planton API at http://127.0.0.1:8080: connect ECONNREFUSED 127.0.0.1:8080\n",
    });
  });
});

describe("planton runner register", () => {
  it("prints the token once, with a note", async () => {
    const result = await planton(["runner", "register", "--name", "eks-runner", "--kind", "aws-irsa", "--principal", "arn:aws:iam::1:role/r"], {
      runners: {
        registerRunner(request) {
          expect(request.identity?.kind).toBe(1);
          return { runner: { id: "runner_1", name: request.name, identity: request.identity, tokenHint: "prn_ab…" }, token: "prn_abcdef" };
        },
      },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/TOKEN\s+prn_abcdef/);
    expect(result.stderr).toMatch(/cannot be shown again/);
  });
});

describe("planton --help and --version", () => {
  it("exit 0", async () => {
    const help = await planton(["connection", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: planton connection");
    expect(help.stdout).toContain("Examples:");
    const version = await planton(["--version"]);
    expect(version).toEqual({ code: 0, stdout: "0.1.0\n", stderr: "" });
    expect((await planton(["nope"])).code).toBe(2);
  });
});
