import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { CapabilityCheckResult, ConnectionSchema, RotationDueReason, VerificationSchema } from "@planton/proto/planton/connect/v1/connection_pb";
import { AuthMode, AwsCapability, ConnectionStatus, Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import { connectionFields, connectionRow, CONNECTION_COLUMNS } from "./connection-view.js";

const trust = create(ConnectionSchema, {
  id: "awsconn_1",
  name: "Payments prod AWS",
  slug: "payments-prod-aws",
  provider: Provider.AWS,
  authMode: AuthMode.CROSS_ACCOUNT_TRUST,
  status: ConnectionStatus.VERIFICATION_FAILED,
  credentialVersion: 3,
  details: {
    provider: {
      case: "aws",
      value: {
        accountId: "123456789012",
        region: "us-west-2",
        roleArn: "arn:aws:iam::123456789012:role/r",
        capabilities: [AwsCapability.EKS, AwsCapability.S3_STORAGE],
      },
    },
  },
  lastVerification: {
    verifyTime: timestampFromDate(new Date("2026-05-01T10:00:00.123Z")),
    credentialVersion: 3,
    ok: false,
    reason: "ROLE_NOT_ASSUMABLE",
    message: "Check the trust policy.",
  },
  createTime: timestampFromDate(new Date("2026-04-30T09:00:00Z")),
});

describe("connectionRow", () => {
  it("shows slug, provider, auth, status, version and id, enums in lower case", () => {
    expect(CONNECTION_COLUMNS).toEqual(["NAME", "PROVIDER", "AUTH", "STATUS", "VERSION", "AGE", "EXPIRES", "ROTATE", "ID"]);
    expect(connectionRow(trust)).toEqual(["payments-prod-aws", "aws", "cross_account_trust", "verification_failed", "3", "-", "-", "-", "awsconn_1"]);
  });

  it("counts the age from the provider's creation time, else the seal time, and names the rotation reasons", () => {
    const now = new Date("2026-08-01T00:00:00Z");
    const sealed = create(ConnectionSchema, {
      ...trust,
      credentialSealTime: timestampFromDate(new Date("2026-07-22T12:00:00Z")),
      credentialExpireTime: timestampFromDate(new Date("2026-08-10T00:00:00Z")),
      rotationDueReasons: [RotationDueReason.EXPIRY],
    });
    expect(connectionRow(sealed, undefined, now).slice(5, 8)).toEqual(["9d", "2026-08-10", "expiry"]);
    const created = create(ConnectionSchema, {
      ...sealed,
      credentialCreateTime: timestampFromDate(new Date("2026-03-01T00:00:00Z")),
      rotationDueReasons: [RotationDueReason.AGE, RotationDueReason.EXPIRY],
    });
    expect(connectionRow(created, undefined, now).slice(5, 8)).toEqual(["153d", "2026-08-10", "age,expiry"]);
    expect(Object.fromEntries(connectionFields(created))).toMatchObject({
      "CREDENTIAL SEALED": "2026-07-22T12:00:00Z",
      "CREDENTIAL CREATED": "2026-03-01T00:00:00Z",
      "CREDENTIAL EXPIRES": "2026-08-10T00:00:00Z",
      "ROTATION DUE": "age,expiry",
    });
  });
});

describe("connectionFields", () => {
  it("lists identity, every set detail field and the last verification", () => {
    const fields = Object.fromEntries(connectionFields(trust));
    expect(fields).toMatchObject({
      NAME: "Payments prod AWS",
      SLUG: "payments-prod-aws",
      AUTH: "cross_account_trust",
      STATUS: "verification_failed",
      "CREDENTIAL VERSION": "3",
      "ACCOUNT ID": "123456789012",
      REGION: "us-west-2",
      "ROLE ARN": "arn:aws:iam::123456789012:role/r",
      CAPABILITIES: "eks, s3_storage",
      "LAST VERIFICATION": "2026-05-01T10:00:00Z",
      "VERIFIED VERSION": "3",
      "VERIFIED OK": "no",
      REASON: "ROLE_NOT_ASSUMABLE",
      MESSAGE: "Check the trust policy.",
      CREATED: "2026-04-30T09:00:00Z",
      UPDATED: "-",
    });
    // Fields of other auth modes are empty and left out.
    expect(fields).not.toHaveProperty("RUNNER ID");
    expect(fields).not.toHaveProperty("ACCESS KEY ID");
  });

  it("shows the last verification's capability checks and warnings after its message", () => {
    const checked = create(ConnectionSchema, {
      ...trust,
      lastVerification: create(VerificationSchema, {
        ok: true,
        credentialVersion: 3,
        identity: "arn:aws:sts::123456789012:assumed-role/r/awsconn_1",
        capabilityChecks: [
          { capability: "EKS", enabled: true, result: CapabilityCheckResult.MISSING, missingActions: ["iam:PassRole"], checkedActionCount: 9 },
        ],
        warnings: [{ code: "CAPABILITY_NOT_USABLE", capability: "EKS", message: "EKS is not usable.", fix: "Re-run the setup." }],
      }),
    });
    const keys = connectionFields(checked).map(([k]) => k);
    expect(keys.slice(keys.indexOf("IDENTITY"), keys.indexOf("CREATED"))).toEqual(["IDENTITY", "CAPABILITY EKS", "WARNING"]);
    expect(Object.fromEntries(connectionFields(checked))["CAPABILITY EKS"]).toBe("missing 1 of 9: iam:PassRole");
  });

  it("drops the _hint suffix of masked values and shows booleans as yes/no", () => {
    const doConnection = create(ConnectionSchema, {
      provider: Provider.DIGITALOCEAN,
      details: { provider: { case: "digitalocean", value: { apiTokenHint: "dop_****abcd", defaultRegion: "nyc3", spacesConfigured: false } } },
    });
    const fields = Object.fromEntries(connectionFields(doConnection));
    expect(fields["API TOKEN"]).toBe("dop_****abcd");
    expect(fields["SPACES CONFIGURED"]).toBe("no");
    expect(fields["LAST VERIFICATION"]).toBe("none yet");
  });
});
