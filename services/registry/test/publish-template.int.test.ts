import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { S3Client } from "@aws-sdk/client-s3";
import { loadPublishConfig, publishTemplate } from "../src/trust/publish-template.js";
import { renderTrustTemplate } from "../src/trust/trust-template.js";
import { startFakeS3, type FakeS3 } from "./support/fake-s3.js";

// The publish command uploads through the real AWS SDK to a local server that
// answers as S3 does (path style), so the production client code is the same.

let s3: FakeS3;
const credentials = { accessKeyId: "AKIAPUBLISHER0000001", secretAccessKey: "publisherSecret00000000000000000000000000" };
const clientFor = () => new S3Client({ region: "us-east-1", endpoint: s3.url, forcePathStyle: true, credentials });

beforeAll(async () => {
  s3 = await startFakeS3();
});
afterAll(async () => {
  await s3?.close();
});

const config = (bucket: string) => loadPublishConfig({ AWS_TRUST_TEMPLATE_BUCKET: bucket, AWS_REGION: "us-east-1", AWS_TRUST_TEMPLATE_S3_ENDPOINT: s3.url });

describe("publish-template", () => {
  it("uploads the JSON template once, with its hash, and is a no-op the second time", async () => {
    const target = config("planton-templates");
    expect(target.key).toBe("aws-trust/v2/template.json");
    const first = await publishTemplate(target, clientFor());
    expect(first.alreadyPublished).toBe(false);
    const stored = s3.object("planton-templates", "aws-trust/v2/template.json")!;
    expect(stored.body.toString("utf8")).toBe(renderTrustTemplate("json"));
    expect(stored.contentType).toBe("application/json");
    expect(stored.metadata["sha256"]).toBe(createHash("sha256").update(renderTrustTemplate("json")).digest("hex"));
    expect(first.url).toBe(`${s3.url}/planton-templates/aws-trust/v2/template.json?versionId=${stored.versionId}`);

    const second = await publishTemplate(target, clientFor());
    expect(second).toEqual({ url: first.url, alreadyPublished: true });
  });

  it("refuses to replace a different template published under the same version", async () => {
    s3.put("other-bucket", "aws-trust/v2/template.json", "{}", { sha256: "0".repeat(64) });
    await expect(publishTemplate(config("other-bucket"), clientFor())).rejects.toThrow(/published templates are immutable/);
    expect(s3.object("other-bucket", "aws-trust/v2/template.json")!.body.toString()).toBe("{}");
  });

  it("loses a race to a concurrent publisher of the same template gracefully, and of another one loudly", async () => {
    const sha256 = createHash("sha256").update(renderTrustTemplate("json")).digest("hex");
    s3.raceNextPut(renderTrustTemplate("json"), { sha256 });
    await expect(publishTemplate(config("race-same"), clientFor())).resolves.toMatchObject({ alreadyPublished: true });
    s3.raceNextPut("{}", { sha256: "1".repeat(64) });
    await expect(publishTemplate(config("race-other"), clientFor())).rejects.toThrow(/immutable/);
  });

  it("names the missing setting", () => {
    expect(() => loadPublishConfig({ AWS_REGION: "us-east-1" })).toThrow(/AWS_TRUST_TEMPLATE_BUCKET/);
    expect(() => loadPublishConfig({ AWS_TRUST_TEMPLATE_BUCKET: "b-1" })).toThrow(/AWS_REGION/);
  });

  it("runs as `main.js publish-template` with the standard AWS credential environment", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [resolve(import.meta.dirname, "../dist/src/main.js"), "publish-template"], {
      env: {
        PATH: process.env["PATH"] ?? "",
        AWS_TRUST_TEMPLATE_BUCKET: "cli-bucket",
        AWS_REGION: "eu-west-1",
        AWS_TRUST_TEMPLATE_S3_ENDPOINT: s3.url,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      },
    });
    const version = s3.object("cli-bucket", "aws-trust/v2/template.json")!.versionId;
    expect(stdout).toContain(`set AWS_TRUST_TEMPLATE_URL=${s3.url}/cli-bucket/aws-trust/v2/template.json?versionId=${version}`);
  });
});
