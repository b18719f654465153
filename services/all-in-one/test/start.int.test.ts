import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { embeddedPostgresDir } from "@planton/db";
import {
  HealthCheckRequestSchema,
  HealthCheckResponse_ServingStatus,
  HealthCheckResponseSchema,
} from "@planton/proto/grpc/health/v1/health_pb";

// The embedded default as a user runs it: the built entry point, no
// DATABASE_URL (so the embedded PostgreSQL starts), a fresh data folder.
const entry = resolve(import.meta.dirname, "../dist/src/main.js");

interface Started {
  child: ChildProcess;
  httpAddress: string;
  grpcAddress: string;
  token: string;
  output: () => string;
}

const children: ChildProcess[] = [];
const dataDirs: string[] = [];
afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  for (const dir of dataDirs) {
    await rm(dirname(embeddedPostgresDir(dir)), { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  }
});

async function startAllInOne(): Promise<Started> {
  const dataDir = await mkdtemp(join(tmpdir(), "all-in-one-"));
  dataDirs.push(dataDir);
  const env: NodeJS.ProcessEnv = { PATH: process.env["PATH"], HOME: process.env["HOME"], PORT: "0", GRPC_PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_LEVEL: "info" };
  const child = spawn(process.execPath, [entry], { env, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let out = "";
  child.stdout?.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (out += c.toString()));
  const banner = await new Promise<string>((resolveBanner, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within 30 s:\n${out}`)), 30_000);
    const check = () => {
      if (/development token[^\n]*\n(\S+)\n/.test(out)) {
        clearTimeout(timer);
        resolveBanner(out);
      }
    };
    child.stderr?.on("data", check);
    child.once("exit", (code) => reject(new Error(`exited ${code}:\n${out}`)));
  });
  return {
    child,
    httpAddress: /gRPC-Web \/ gRPC\s+http:\/\/(\S+)/.exec(banner)![1]!,
    grpcAddress: /native gRPC\s+(\S+)/.exec(banner)![1]!,
    token: /development token[^\n]*\n(\S+)\n/.exec(banner)![1]!,
    output: () => out,
  };
}

function healthCheck(address: string): Promise<HealthCheckResponse_ServingStatus> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  return new Promise((resolveStatus, reject) => {
    client.makeUnaryRequest(
      "/grpc.health.v1.Health/Check",
      (m: ReturnType<typeof create<typeof HealthCheckRequestSchema>>) => Buffer.from(toBinary(HealthCheckRequestSchema, m)),
      (b: Buffer) => fromBinary(HealthCheckResponseSchema, b),
      create(HealthCheckRequestSchema, { service: "" }),
      { deadline: Date.now() + 5000 },
      (error, response) => {
        client.close();
        if (error) reject(error);
        else resolveStatus(response!.status);
      },
    );
  });
}

describe("npm start (the embedded default)", () => {
  it(
    "answers the gRPC health check on both ports, serves the vault, the registry and authz with its dev token, and exits 0 on SIGTERM",
    async () => {
      const started = await startAllInOne();
      expect(await healthCheck(started.grpcAddress)).toBe(HealthCheckResponse_ServingStatus.SERVING);
      expect(await healthCheck(started.httpAddress)).toBe(HealthCheckResponse_ServingStatus.SERVING);

      // The printed token works against the vault on the Connect port.
      const seal = await fetch(`http://${started.httpAddress}/planton.connect.v1.VaultService/SealCredential`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${started.token}` },
        body: JSON.stringify({ orgId: "dev-org", connectionId: "awsconn_start", payload: Buffer.from("hello").toString("base64") }),
      });
      expect(seal.status).toBe(200);
      expect(await seal.json()).toMatchObject({ version: 1 });

      // The registry runs beside the vault: a connection created with the
      // same token is sealed by the in-process vault and readable back.
      const created = await fetch(`http://${started.httpAddress}/planton.connect.v1.ConnectionService/CreateConnection`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${started.token}` },
        body: JSON.stringify({ name: "dev-civo-london", spec: { civo: { apiToken: "civo-api-token-0123456789abcdef", defaultRegion: "LON1" } } }),
      });
      expect(created.status).toBe(200);
      const body = (await created.json()) as { connection: { slug: string; credentialVersion: number; details: unknown } };
      expect(body.connection.slug).toBe("dev-civo-london");
      expect(body.connection.credentialVersion).toBe(1);
      expect(JSON.stringify(body)).not.toContain("civo-api-token-0123456789abcdef");

      // authz runs beside them: authorize, then a deployment resolves the credentials.
      const call = (method: string, payload: unknown) =>
        fetch(`http://${started.httpAddress}/planton.connect.v1.EnvironmentAuthorizationService/${method}`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${started.token}` },
          body: JSON.stringify(payload),
        });
      expect((await call("AuthorizeConnection", { connection: "dev-civo-london", scope: "AUTHORIZATION_SCOPE_ORGANIZATION" })).status).toBe(200);
      const resolved = await call("ResolveCredentials", { deploymentId: "deploy-1", environment: "prod", provider: "PROVIDER_CIVO", connection: "dev-civo-london" });
      expect(resolved.status).toBe(200);
      const credentials = (await resolved.json()) as { credentialVersion: number; inline: { civo: { apiToken: string } } };
      expect(credentials.credentialVersion).toBe(1);
      expect(credentials.inline.civo.apiToken).toBe("civo-api-token-0123456789abcdef");

      const exited = new Promise<number | null>((resolveExit) => started.child.once("exit", (code) => resolveExit(code)));
      started.child.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(started.output()).not.toContain("aGVsbG8"); // the payload never reaches the logs
      expect(started.output()).not.toContain("civo-api-token-0123456789abcdef");
    },
    90_000,
  );
});
