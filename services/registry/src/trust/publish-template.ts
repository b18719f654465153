import { createHash } from "node:crypto";
import { HeadObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { ConfigError, createEnvReader, type Env } from "@planton/config";
import { renderTrustTemplate, TRUST_TEMPLATE_VERSION } from "./trust-template.js";

/** Where `publish-template` puts the template. */
export interface PublishConfig {
  /** AWS_TRUST_TEMPLATE_BUCKET (required). */
  readonly bucket: string;
  /** AWS_TRUST_TEMPLATE_KEY; default `aws-trust/<version>/template.json`. */
  readonly key: string;
  /** AWS_REGION (the bucket's region). */
  readonly region: string;
  /** AWS_TRUST_TEMPLATE_S3_ENDPOINT: an S3-compatible endpoint (path-style); unset for AWS. */
  readonly endpoint: string | undefined;
}

/** loadPublishConfig parses the publish command's environment; throws ConfigError naming the variable. */
export function loadPublishConfig(environment: Env): PublishConfig {
  const env = createEnvReader(environment);
  const bucket = env.string("AWS_TRUST_TEMPLATE_BUCKET");
  if (bucket === undefined || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new ConfigError("AWS_TRUST_TEMPLATE_BUCKET", "is required: the S3 bucket that hosts the template (3-63 lowercase letters, digits, dots, hyphens)");
  }
  const region = env.string("AWS_REGION") ?? env.string("AWS_DEFAULT_REGION");
  if (region === undefined) throw new ConfigError("AWS_REGION", "is required: the template bucket's region");
  return Object.freeze({
    bucket,
    key: env.string("AWS_TRUST_TEMPLATE_KEY", `aws-trust/${TRUST_TEMPLATE_VERSION}/template.json`),
    region,
    endpoint: env.url("AWS_TRUST_TEMPLATE_S3_ENDPOINT", ["http:", "https:"])?.toString().replace(/\/$/, ""),
  });
}

/** What {@link publishTemplate} did. */
export interface PublishResult {
  /** The URL to set as AWS_TRUST_TEMPLATE_URL (with `versionId` when the bucket is versioned). */
  readonly url: string;
  /** True when the same template was already there (nothing uploaded). */
  readonly alreadyPublished: boolean;
}

/**
 * publishTemplate uploads the trust template (JSON) once. A published
 * template version is immutable, because stacks created from it refer to
 * it: the same content already at the key is a no-op, different content is
 * an error (bump TRUST_TEMPLATE_VERSION instead), and the upload itself is
 * conditional (`If-None-Match: *`) so two concurrent publishers cannot
 * overwrite each other. The content's SHA-256 is kept as object metadata
 * because S3 ETags are not content hashes under SSE-KMS.
 */
export async function publishTemplate(config: PublishConfig, client?: S3Client): Promise<PublishResult> {
  const s3 = client ?? new S3Client({ region: config.region, ...(config.endpoint ? { endpoint: config.endpoint, forcePathStyle: true } : {}) });
  const body = renderTrustTemplate("json");
  const sha256 = createHash("sha256").update(body).digest("hex");
  const existing = await head(s3, config);
  if (existing !== undefined) return sameOrRefuse(existing, sha256, config);
  try {
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: config.bucket,
        Key: config.key,
        Body: body,
        ContentType: "application/json",
        CacheControl: "public, max-age=300",
        Metadata: { sha256, "template-version": TRUST_TEMPLATE_VERSION },
        IfNoneMatch: "*",
      }),
    );
    return { url: objectUrl(config, put.VersionId), alreadyPublished: false };
  } catch (error) {
    // Another publisher won the race: the object is there now; same rules.
    if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 412) {
      const now = await head(s3, config);
      if (now !== undefined) return sameOrRefuse(now, sha256, config);
    }
    throw error;
  }
}

async function head(s3: S3Client, config: PublishConfig): Promise<{ sha256: string | undefined; versionId: string | undefined } | undefined> {
  try {
    const answer = await s3.send(new HeadObjectCommand({ Bucket: config.bucket, Key: config.key }));
    return { sha256: answer.Metadata?.["sha256"], versionId: answer.VersionId };
  } catch (error) {
    if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404) return undefined;
    throw error;
  }
}

function sameOrRefuse(existing: { sha256: string | undefined; versionId: string | undefined }, sha256: string, config: PublishConfig): PublishResult {
  if (existing.sha256 === sha256) return { url: objectUrl(config, existing.versionId), alreadyPublished: true };
  throw new Error(
    `s3://${config.bucket}/${config.key} already holds a different template; published templates are immutable (stacks refer to them): bump TRUST_TEMPLATE_VERSION or choose another AWS_TRUST_TEMPLATE_KEY`,
  );
}

// The virtual-hosted URL AWS documents for objects; path-style for a custom endpoint.
function objectUrl(config: PublishConfig, versionId: string | undefined): string {
  const key = config.key.split("/").map(encodeURIComponent).join("/");
  const base = config.endpoint ? `${config.endpoint}/${config.bucket}/${key}` : `https://${config.bucket}.s3.${config.region}.amazonaws.com/${key}`;
  return versionId !== undefined && versionId !== "null" ? `${base}?versionId=${encodeURIComponent(versionId)}` : base;
}
