import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { ResolveCredentialsResponse } from "@planton/proto/planton/connect/v1/authz_service_pb";
import { AuthModeSchema, ProviderSchema } from "@planton/proto/planton/connect/v1/provider_pb";
import { enumLabel } from "./enum-labels.js";
import { UsageError } from "./failures.js";

// Session bounds the API accepts (ResolveCredentialsRequest.session_duration).
const MIN_SECONDS = 900;
const MAX_SECONDS = 43_200;

/**
 * parseSessionDuration reads `--duration`: hours, minutes and seconds in
 * that order, each with its unit (`1h`, `90m`, `2h30m`, `3600s`), or plain
 * seconds (`3600`), from 15 minutes to 12 hours. Anything else is a
 * {@link UsageError} naming the flag.
 */
export function parseSessionDuration(text: string): number {
  const trimmed = text.trim();
  const units = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(trimmed);
  const plain = /^\d+$/.test(trimmed);
  if (trimmed === "" || (units === null && !plain)) throw new UsageError(`--duration must look like 1h, 90m, 2h30m or 3600s; got "${text}"`);
  const [, h = "0", m = "0", s = "0"] = units ?? [];
  const seconds = plain ? Number(trimmed) : Number(h) * 3600 + Number(m) * 60 + Number(s);
  if (seconds < MIN_SECONDS || seconds > MAX_SECONDS) throw new UsageError(`--duration must be from 15m to 12h; got "${text}"`);
  return seconds;
}

/**
 * credentialFields is the `-o table` view of a resolve: what was handed out
 * and for how long, never a secret (the access key id only as its hint).
 * `-o env` and `-o json` print the credentials themselves.
 */
export function credentialFields(response: ResolveCredentialsResponse): [string, string][] {
  const fields: [string, string][] = [
    ["CONNECTION", `${response.connectionSlug} (${response.connectionId})`],
    ["PROVIDER", enumLabel(ProviderSchema, response.provider)],
    ["AUTH MODE", enumLabel(AuthModeSchema, response.authMode)],
    ["VERSION", String(response.credentialVersion)],
  ];
  if (response.pinExpireTime) fields.push(["PINNED UNTIL", timestampDate(response.pinExpireTime).toISOString()]);
  const c = response.credentials;
  if (c.case === "awsSession") {
    fields.push(
      ["ACCESS KEY ID", hint(c.value.accessKeyId)],
      ["EXPIRES", c.value.expireTime ? timestampDate(c.value.expireTime).toISOString() : "-"],
      ["ROLE", c.value.roleArn],
      ["ASSUMED ROLE", c.value.assumedRoleArn],
      ["SESSION NAME", c.value.roleSessionName],
      ["SOURCE IDENTITY", c.value.sourceIdentity],
      ["REGION", c.value.region],
      ["SECRETS", "not shown: use -o env or -o json"],
    );
  } else if (c.case === "awsRole") {
    fields.push(["ROLE", c.value.roleArn], ["EXTERNAL ID", "not shown: use -o json"]);
  } else if (c.case === "runner") {
    fields.push(["RUNNER", c.value.runnerId]);
  } else if (c.case === "inline") {
    fields.push(["SECRETS", "not shown: use -o env (AWS) or -o json"]);
  }
  return fields;
}

/**
 * credentialEnvLines is the `-o env` view: `export NAME='value'` lines a
 * shell can `eval`, for AWS session credentials (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION, and the expiry as
 * a comment) and AWS inline keys. Other answers have no standard variables:
 * a {@link UsageError} pointing at `--session` or `-o json`.
 */
export function credentialEnvLines(response: ResolveCredentialsResponse): string[] {
  const c = response.credentials;
  if (c.case === "awsSession") {
    return [
      ...(c.value.expireTime ? [`# expires ${timestampDate(c.value.expireTime).toISOString()}; resolve again before then`] : []),
      exportLine("AWS_ACCESS_KEY_ID", c.value.accessKeyId),
      exportLine("AWS_SECRET_ACCESS_KEY", c.value.secretAccessKey),
      exportLine("AWS_SESSION_TOKEN", c.value.sessionToken),
      exportLine("AWS_REGION", c.value.region),
    ];
  }
  if (c.case === "inline" && c.value.provider.case === "aws" && c.value.provider.value.auth.case === "inlineKeys") {
    const keys = c.value.provider.value.auth.value;
    return [
      exportLine("AWS_ACCESS_KEY_ID", keys.accessKeyId),
      exportLine("AWS_SECRET_ACCESS_KEY", keys.secretAccessKey),
      exportLine("AWS_REGION", c.value.provider.value.region || "us-west-2"),
    ];
  }
  if (c.case === "awsRole") throw new UsageError("-o env needs credentials, and this answer is a role to assume: add --session, or use -o json");
  throw new UsageError("-o env prints AWS credentials only: use -o json");
}

// Single quotes keep every character as it is; a quote inside is closed, escaped and reopened.
function exportLine(name: string, value: string): string {
  return `export ${name}='${value.replaceAll("'", `'\\''`)}'`;
}

// The first and last 4 characters, as the API's own hints show key ids.
function hint(id: string): string {
  return id.length < 12 ? "****" : id.slice(0, 4) + "*".repeat(id.length - 8) + id.slice(-4);
}
