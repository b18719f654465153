import { create, fromJson, type JsonValue } from "@bufbuild/protobuf";
import { ConnectionSpecSchema, type AwsSpec, type ConnectionSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import type { AwsCapability } from "@planton/proto/planton/connect/v1/provider_pb";
import type { ConnectionRow } from "../schema.js";

/** The trust fields of a setup's spec (role and stack empty while pending). */
export interface TrustFields {
  readonly roleArn: string;
  readonly externalId: string;
  readonly capabilities: AwsCapability[];
  readonly stackId: string;
}

/** An AWS connection spec in cross-account trust mode. */
export function awsSpec(input: { accountId: string; region: string; trust: TrustFields }): ConnectionSpec {
  return create(ConnectionSpecSchema, {
    provider: {
      case: "aws",
      value: { accountId: input.accountId, region: input.region, auth: { case: "crossAccountTrust", value: input.trust } },
    },
  });
}

/** The AWS part of a connection row's public spec; undefined for other providers. */
export function awsSpecOf(row: ConnectionRow): AwsSpec | undefined {
  const spec = fromJson(ConnectionSpecSchema, row.public_spec as JsonValue);
  return spec.provider.case === "aws" ? spec.provider.value : undefined;
}

/** The cross-account trust of a spec; undefined in any other mode. */
export function trustOf(spec: ConnectionSpec) {
  return spec.provider.case === "aws" && spec.provider.value.auth.case === "crossAccountTrust" ? spec.provider.value.auth.value : undefined;
}
