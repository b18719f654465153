import { describe, expect, it } from "vitest";
import { toJson } from "@bufbuild/protobuf";
import { StartSetupRequestSchema } from "@planton/proto/planton/connect/v1/aws_trust_service_pb";
import { CreateConnectionRequestSchema } from "@planton/proto/planton/connect/v1/connection_service_pb";
import { AwsCapability } from "@planton/proto/planton/connect/v1/provider_pb";
import { awsCreateRequest, awsMode, missingAwsFlags, startSetupRequest } from "./aws-requests.js";
import type { RequestSources } from "./connect-requests.js";
import { UsageError } from "./failures.js";

const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const sources: RequestSources = {
  secrets: {
    stdin: async () => Buffer.from(`${SECRET}\n`),
    file: async (path) => (path === "secret.txt" ? Buffer.from(SECRET) : Promise.reject(new Error("ENOENT"))),
  },
  runnerId: async (ref) => (ref === "eks-runner" ? "runner_7" : Promise.reject(new Error("no runner"))),
};

describe("awsMode", () => {
  it("defaults to the trust flow, and picks keys or a runner from their flags", () => {
    expect(awsMode({ name: "n", accountId: "1" })).toBe("trust");
    expect(awsMode({ accessKeyId: "AKIA", secretAccessKeyStdin: true })).toBe("inline");
    expect(awsMode({ accessKeyId: "AKIA", secretAccessKeyFile: "f" })).toBe("inline");
    expect(awsMode({ runner: "r" })).toBe("runner");
  });

  it.each([
    [{ accessKeyId: "AKIA", secretAccessKeyStdin: true, runner: "r" }, /--access-key-id and --runner/],
    [{ reconnect: "c", runner: "r" }, /--reconnect starts a cross-account trust setup/],
    [{ reconnect: "c", accessKeyId: "A", secretAccessKeyFile: "f" }, /--reconnect/],
    [{ accessKeyId: "AKIA" }, /needs its secret/],
    [{ secretAccessKeyStdin: true }, /need --access-key-id/],
    [{ runner: "r", capabilities: "eks" }, /--capabilities applies to cross-account trust roles only/],
    [{ accessKeyId: "A", secretAccessKeyStdin: true, capabilities: "eks" }, /--capabilities/],
  ])("refuses %j", (flags, message) => {
    expect(() => awsMode(flags)).toThrow(UsageError);
    expect(() => awsMode(flags)).toThrow(message);
  });
});

describe("missingAwsFlags", () => {
  it("asks a new connection for name and account id, a reconnect for neither", () => {
    expect(missingAwsFlags({})).toEqual(["--name", "--account-id"]);
    expect(missingAwsFlags({ name: "n" })).toEqual(["--account-id"]);
    expect(missingAwsFlags({ reconnect: "payments-prod-aws" })).toEqual([]);
  });
});

describe("awsCreateRequest", () => {
  it("builds inline keys with the default region and the secret from stdin", async () => {
    const request = await awsCreateRequest(
      { name: "payments-prod-aws", accountId: "123456789012", accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKeyStdin: true },
      sources,
    );
    expect(toJson(CreateConnectionRequestSchema, request)).toEqual({
      name: "payments-prod-aws",
      spec: { aws: { accountId: "123456789012", region: "us-west-2", inlineKeys: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: SECRET } } },
    });
  });

  it("builds runner auth with the resolved runner id and the given region", async () => {
    const request = await awsCreateRequest({ name: "n", accountId: "123456789012", region: "eu-west-1", runner: "eks-runner" }, sources);
    expect(toJson(CreateConnectionRequestSchema, request)).toEqual({
      name: "n",
      spec: { aws: { accountId: "123456789012", region: "eu-west-1", runner: { runnerId: "runner_7" } } },
    });
  });
});

describe("startSetupRequest", () => {
  it("asks for every capability and us-west-2 by default", () => {
    const request = startSetupRequest({ name: "n", accountId: "123456789012" });
    expect(request.capabilities).toHaveLength(10);
    expect(request.region).toBe("us-west-2");
    expect(request.reconnect).toBe("");
  });

  it("passes --capabilities in order, and chosen capabilities win over the flag", () => {
    expect(startSetupRequest({ name: "n", accountId: "1", capabilities: "s3_storage,eks" }).capabilities).toEqual([
      AwsCapability.S3_STORAGE,
      AwsCapability.EKS,
    ]);
    expect(startSetupRequest({ name: "n", accountId: "1" }, [AwsCapability.KMS]).capabilities).toEqual([AwsCapability.KMS]);
  });

  it("leaves name, account and region empty on a reconnect so the connection keeps its own", () => {
    expect(toJson(StartSetupRequestSchema, startSetupRequest({ reconnect: "payments-prod-aws", capabilities: "eks" }))).toEqual({
      capabilities: ["AWS_CAPABILITY_EKS"],
      reconnect: "payments-prod-aws",
    });
    expect(startSetupRequest({ reconnect: "x", region: "eu-central-1" }).region).toBe("eu-central-1");
  });
});
