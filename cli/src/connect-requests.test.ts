import { describe, expect, it } from "vitest";
import { toJson } from "@bufbuild/protobuf";
import { CreateConnectionRequestSchema, type CreateConnectionRequest } from "@planton/proto/planton/connect/v1/connection_service_pb";
import {
  azureCreateRequest,
  civoCreateRequest,
  cloudflareCreateRequest,
  digitalOceanCreateRequest,
  gcpCreateRequest,
  type RequestSources,
} from "./connect-requests.js";
import { UsageError } from "./failures.js";

const GCP_KEY = JSON.stringify({ type: "service_account", project_id: "payments-prod", client_email: "d@payments-prod.iam.gserviceaccount.com" });

/** Sources with fixed stdin, files and runners; records what was read. */
function sources(files: Record<string, string> = {}, stdin?: string, runners: Record<string, string> = {}) {
  const read: string[] = [];
  const s: RequestSources = {
    secrets: {
      async stdin() {
        read.push("<stdin>");
        if (stdin === undefined) throw new Error("stdin not expected");
        return Buffer.from(stdin);
      },
      async file(path) {
        read.push(path);
        const content = files[path];
        if (content === undefined) throw new Error(`ENOENT ${path}`);
        return Buffer.from(content);
      },
    },
    async runnerId(ref) {
      const id = runners[ref];
      if (id === undefined) throw new Error(`no runner ${ref}`);
      return id;
    },
  };
  return Object.assign(s, { read });
}

const json = (request: CreateConnectionRequest) => toJson(CreateConnectionRequestSchema, request);

describe("gcpCreateRequest", () => {
  it("base64-encodes the key file exactly as downloaded", async () => {
    const request = await gcpCreateRequest({ name: "payments-prod-gcp", keyFile: "key.json" }, sources({ "key.json": `${GCP_KEY}\n` }));
    expect(request.name).toBe("payments-prod-gcp");
    const gcp = request.spec?.provider.case === "gcp" ? request.spec.provider.value : undefined;
    expect(gcp?.auth.case).toBe("serviceAccountKey");
    const keyBase64 = gcp?.auth.case === "serviceAccountKey" ? gcp.auth.value.keyBase64 : "";
    expect(Buffer.from(keyBase64, "base64").toString("utf8")).toBe(`${GCP_KEY}\n`);
    expect(gcp?.projectId).toBe("");
  });

  it("reads the key from stdin with --key-stdin", async () => {
    const request = await gcpCreateRequest({ name: "n", keyStdin: true, projectId: "payments-prod" }, sources({}, GCP_KEY));
    expect(json(request)).toEqual({
      name: "n",
      spec: { gcp: { serviceAccountKey: { keyBase64: Buffer.from(GCP_KEY).toString("base64") }, projectId: "payments-prod" } },
    });
  });

  it("resolves the runner and requires --project-id with it", async () => {
    const s = sources({}, undefined, { "gke-runner": "runner_1" });
    expect(json(await gcpCreateRequest({ name: "n", runner: "gke-runner", projectId: "p" }, s))).toEqual({
      name: "n",
      spec: { gcp: { runner: { runnerId: "runner_1" }, projectId: "p" } },
    });
    await expect(gcpCreateRequest({ name: "n", runner: "gke-runner" }, s)).rejects.toThrow(/--project-id/);
  });

  it("refuses no auth, both auths, and both key sources", async () => {
    await expect(gcpCreateRequest({ name: "n" }, sources())).rejects.toBeInstanceOf(UsageError);
    await expect(gcpCreateRequest({ name: "n", keyFile: "k", runner: "r", projectId: "p" }, sources())).rejects.toThrow(/cannot be used together/);
    await expect(gcpCreateRequest({ name: "n", keyFile: "k", keyStdin: true }, sources({ k: "{}" }, "{}"))).rejects.toThrow(
      "use either --key-stdin or --key-file, not both",
    );
  });
});

describe("azureCreateRequest", () => {
  const ids = { name: "payments-prod-azure", tenantId: "t", subscriptionId: "s" };

  it("builds a service principal with the secret from a file, one trailing newline dropped", async () => {
    const request = await azureCreateRequest({ ...ids, clientId: "c", clientSecretFile: "secret.txt" }, sources({ "secret.txt": "s3cr3t~value\n" }));
    expect(json(request)).toEqual({
      name: "payments-prod-azure",
      spec: { azure: { tenantId: "t", subscriptionId: "s", servicePrincipal: { clientId: "c", clientSecret: "s3cr3t~value" } } },
    });
  });

  it("builds runner auth", async () => {
    const request = await azureCreateRequest({ ...ids, runner: "runner_9" }, sources({}, undefined, { runner_9: "runner_9" }));
    expect(json(request)).toEqual({ name: "payments-prod-azure", spec: { azure: { tenantId: "t", subscriptionId: "s", runner: { runnerId: "runner_9" } } } });
  });

  it("needs the secret with --client-id, refuses it with --runner, and refuses both modes", async () => {
    await expect(azureCreateRequest({ ...ids, clientId: "c" }, sources())).rejects.toThrow(/--client-secret-stdin or --client-secret-file/);
    await expect(azureCreateRequest({ ...ids, runner: "r", clientSecretStdin: true }, sources())).rejects.toThrow(/go with --client-id/);
    await expect(azureCreateRequest({ ...ids, runner: "r", clientId: "c" }, sources())).rejects.toThrow(/cannot be used together/);
    await expect(azureCreateRequest(ids, sources())).rejects.toThrow("give one of: --client-id | --runner");
  });
});

describe("digitalOceanCreateRequest", () => {
  it("builds token-only and token-plus-Spaces connections", async () => {
    const s = sources({ "do.txt": "dop_v1_abc\n", "spaces.txt": "spaces-secret" });
    expect(json(await digitalOceanCreateRequest({ name: "n", defaultRegion: "nyc3", apiTokenFile: "do.txt" }, s))).toEqual({
      name: "n",
      spec: { digitalocean: { apiToken: "dop_v1_abc", defaultRegion: "nyc3" } },
    });
    expect(
      json(
        await digitalOceanCreateRequest(
          { name: "n", defaultRegion: "ams3", apiTokenFile: "do.txt", spacesAccessId: "DO00X", spacesSecretKeyFile: "spaces.txt" },
          s,
        ),
      ),
    ).toEqual({
      name: "n",
      spec: { digitalocean: { apiToken: "dop_v1_abc", defaultRegion: "ams3", spacesAccessId: "DO00X", spacesSecretKey: "spaces-secret" } },
    });
  });

  it("requires the token and both Spaces halves together", async () => {
    await expect(digitalOceanCreateRequest({ name: "n", defaultRegion: "nyc3" }, sources())).rejects.toThrow(/--api-token-stdin, or --api-token-file/);
    await expect(digitalOceanCreateRequest({ name: "n", defaultRegion: "nyc3", apiTokenStdin: true, spacesAccessId: "X" }, sources({}, "t"))).rejects.toThrow(
      "--spaces-access-id needs --spaces-secret-key-stdin or --spaces-secret-key-file",
    );
    await expect(
      digitalOceanCreateRequest({ name: "n", defaultRegion: "nyc3", apiTokenStdin: true, spacesSecretKeyFile: "f" }, sources({ f: "x" }, "t")),
    ).rejects.toThrow("--spaces-secret-key-stdin or --spaces-secret-key-file needs --spaces-access-id");
  });

  it("refuses an empty secret", async () => {
    await expect(digitalOceanCreateRequest({ name: "n", defaultRegion: "nyc3", apiTokenStdin: true }, sources({}, "\n"))).rejects.toThrow(/is empty/);
  });
});

describe("civoCreateRequest", () => {
  it("builds token and object store fields", async () => {
    const s = sources({ t: "civo-key", o: "store-secret\r\n" });
    expect(
      json(await civoCreateRequest({ name: "n", defaultRegion: "LON1", apiTokenFile: "t", objectStoreAccessId: "AK", objectStoreSecretKeyFile: "o" }, s)),
    ).toEqual({
      name: "n",
      spec: { civo: { apiToken: "civo-key", defaultRegion: "LON1", objectStoreAccessId: "AK", objectStoreSecretKey: "store-secret" } },
    });
    await expect(civoCreateRequest({ name: "n", defaultRegion: "LON1", apiTokenFile: "t", objectStoreAccessId: "AK" }, s)).rejects.toBeInstanceOf(UsageError);
  });
});

describe("cloudflareCreateRequest", () => {
  const files = { token: "cfut_0123456789abcdef0123456789abcdef0123456789abcdef", key: "global-key", r2: "r2-secret-access-key-000" };

  it("builds an API token connection with account and R2", async () => {
    const request = await cloudflareCreateRequest(
      {
        name: "n",
        apiTokenFile: "token",
        accountId: "a".repeat(32),
        r2AccessKeyId: "r2-access-key-id-0000",
        r2SecretAccessKeyFile: "r2",
        r2Endpoint: "https://x.r2.cloudflarestorage.com",
      },
      sources(files),
    );
    expect(json(request)).toEqual({
      name: "n",
      spec: {
        cloudflare: {
          apiToken: files.token,
          accountId: "a".repeat(32),
          r2: { accessKeyId: "r2-access-key-id-0000", secretAccessKey: files.r2, endpoint: "https://x.r2.cloudflarestorage.com" },
        },
      },
    });
  });

  it("builds the legacy key with its email", async () => {
    const request = await cloudflareCreateRequest({ name: "n", apiKeyStdin: true, email: "ops@example.com" }, sources({}, "global-key\n"));
    expect(json(request)).toEqual({ name: "n", spec: { cloudflare: { legacy: { apiKey: "global-key", email: "ops@example.com" } } } });
  });

  it("checks the combinations", async () => {
    const s = sources(files, "x");
    await expect(cloudflareCreateRequest({ name: "n" }, s)).rejects.toThrow(/give one of/);
    await expect(cloudflareCreateRequest({ name: "n", apiTokenFile: "token", apiKeyFile: "key", email: "e" }, s)).rejects.toThrow(/cannot be used together/);
    await expect(cloudflareCreateRequest({ name: "n", apiKeyFile: "key" }, s)).rejects.toThrow("--api-key-stdin or --api-key-file needs --email");
    await expect(cloudflareCreateRequest({ name: "n", apiTokenFile: "token", email: "e" }, s)).rejects.toThrow(
      "--email needs --api-key-stdin or --api-key-file",
    );
    await expect(cloudflareCreateRequest({ name: "n", apiTokenFile: "token", r2AccessKeyId: "x" }, s)).rejects.toThrow(/--r2-access-key-id needs/);
    await expect(cloudflareCreateRequest({ name: "n", apiTokenFile: "token", r2Endpoint: "https://x" }, s)).rejects.toThrow(/--r2-endpoint goes with/);
  });

  it("reads no secret before the flags are known to be consistent", async () => {
    const s = sources(files, "x");
    await expect(cloudflareCreateRequest({ name: "n", apiTokenFile: "token", r2AccessKeyId: "x" }, s)).rejects.toBeInstanceOf(UsageError);
    expect(s.read).toEqual([]);
  });
});
