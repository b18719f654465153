import { describe, expect, it } from "vitest";
import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { silentLogger } from "@planton/logging";
import { ConnectionSchema, type Verification } from "@planton/proto/planton/connect/v1/connection_pb";
import { ConnectionSpecSchema } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { EventSchema } from "@planton/proto/planton/connect/v1/events_pb";
import { AuthMode, Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import type { CheckResult } from "./checks/provider-check.js";
import { createEventVerifier } from "./verify-event.js";

const trustSpec = create(ConnectionSpecSchema, {
  provider: {
    case: "aws",
    value: {
      accountId: "123456789012",
      auth: { case: "crossAccountTrust", value: { roleArn: "arn:aws:iam::123456789012:role/R", externalId: "planton-abcdefghijklmnopqrstuvwx" } },
    },
  },
});

function setup(result: CheckResult, deliveryLimit?: number) {
  const recorded: Verification[] = [];
  const handle = createEventVerifier({
    registry: {
      // As the registry answers: the last result recorded for the current version.
      lookup: async () => ({
        connection: create(ConnectionSchema, {
          id: "awsconn_x",
          provider: Provider.AWS,
          authMode: AuthMode.CROSS_ACCOUNT_TRUST,
          credentialVersion: 2,
          ...(recorded.length > 0 ? { lastVerification: recorded.at(-1)! } : {}),
        }),
        publicSpec: trustSpec,
      }),
      recordVerification: async (_org, _id, verification) => {
        recorded.push(verification);
      },
    },
    vault: { open: async () => toBinary(ConnectionSpecSchema, trustSpec) },
    checks: {},
    trustCheck: async () => result,
    endpoints: { awsSts: "", azureLogin: "", azureManagement: "", digitalocean: "", civo: "", cloudflare: "", gcpTokenUri: "" },
    timeoutMs: 1000,
    maxTransientAttempts: 10,
    trustPropagationMs: 600_000,
    ...(deliveryLimit !== undefined ? { deliveryLimit } : {}),
    logger: silentLogger,
  });
  const event = toBinary(
    EventSchema,
    create(EventSchema, {
      id: "e1",
      kind: "aws_trust.completed",
      occurTime: timestampFromDate(new Date()),
      orgId: "org",
      payload: { case: "awsTrust", value: { connectionId: "awsconn_x", credentialVersion: 2 } },
    }),
  );
  return { recorded, handle: (delivery: number) => handle(event, delivery) };
}

describe("the verifier's handling of a new trust role", () => {
  const notAssumable: CheckResult = { kind: "failed", reason: "ROLE_NOT_ASSUMABLE", message: "cannot assume" };

  it("retries a role that cannot be assumed yet while the propagation window lasts, with growing delays", async () => {
    const { recorded, handle } = setup(notAssumable);
    const delays = [];
    for (const delivery of [1, 2, 3, 4, 5, 6]) delays.push((await handle(delivery))?.retryAfterMs);
    expect(delays).toEqual([2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
    expect(recorded).toEqual([]);
  });

  it("records the failure on the consumer's last delivery instead of letting JetStream drop the event", async () => {
    const { recorded, handle } = setup(notAssumable, 3);
    expect(await handle(2)).toEqual({ retryAfterMs: 4_000 });
    expect(await handle(3)).toBeUndefined();
    expect(recorded.map((v) => [v.ok, v.reason, v.credentialVersion])).toEqual([[false, "ROLE_NOT_ASSUMABLE", 2]]);
  });

  it("records a transient failure on the last delivery too, even below VERIFY_MAX_ATTEMPTS", async () => {
    const { recorded, handle } = setup({ kind: "transient", reason: "THROTTLED", message: "slow down" }, 4);
    expect(await handle(3)).toMatchObject({ retryAfterMs: expect.any(Number) });
    expect(await handle(4)).toBeUndefined();
    expect(recorded.map((v) => v.reason)).toEqual(["PROVIDER_UNAVAILABLE"]);
  });
});

describe("the platform's own missing or refused AWS identity is never recorded as the user's failure", () => {
  const platformFaults: [string, CheckResult][] = [
    ["no AWS identity configured (NOT_CONFIGURED)", { kind: "failed", reason: "NOT_CONFIGURED", message: "no identity" }],
    ["the platform's credentials refused or unloadable (PLATFORM_CREDENTIALS)", { kind: "transient", reason: "PLATFORM_CREDENTIALS", message: "refused" }],
  ];

  it.each(platformFaults)("%s: retried with growing delays, then left pending without a record on the last delivery", async (_name, result) => {
    const { recorded, handle } = setup(result, 5);
    const outcomes = [];
    for (const delivery of [1, 2, 3, 4, 5]) outcomes.push((await handle(delivery))?.retryAfterMs);
    expect(outcomes).toEqual([1_000, 2_000, 4_000, 8_000, undefined]);
    // Nothing reached the registry, so the connection is not VERIFICATION_FAILED.
    expect(recorded).toEqual([]);
  });

  it.each(platformFaults)(
    "%s: without a delivery limit (in-process bus), gives up after the transient attempts, still without a record",
    async (_name, result) => {
      const { recorded, handle } = setup(result);
      expect(await handle(9)).toMatchObject({ retryAfterMs: expect.any(Number) });
      expect(await handle(10)).toBeUndefined();
      expect(recorded).toEqual([]);
    },
  );

  it("a failure of the user's role is still recorded (the rule is about the platform only)", async () => {
    const { recorded, handle } = setup({ kind: "failed", reason: "EXTERNAL_ID_NOT_ENFORCED", message: "fix the trust policy" }, 5);
    expect(await handle(1)).toBeUndefined();
    expect(recorded.map((v) => [v.ok, v.reason])).toEqual([[false, "EXTERNAL_ID_NOT_ENFORCED"]]);
  });
});

describe("the credential's own dates", () => {
  it("travel with a verified result to the registry (Verification.lifetime)", async () => {
    const { recorded, handle } = setup({
      kind: "verified",
      identity: "arn:aws:sts::123456789012:assumed-role/R/s",
      lifetime: { createTime: new Date("2026-01-02T03:04:05Z"), unavailableReason: "" },
    });
    await handle(1);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]?.lifetime?.createTime?.seconds).toBe(BigInt(Date.parse("2026-01-02T03:04:05Z") / 1000));
    expect(recorded[0]?.lifetime?.expireTime).toBeUndefined();
  });

  it("are absent when the check had none to report", async () => {
    const { recorded, handle } = setup({ kind: "verified", identity: "arn:aws:sts::123456789012:assumed-role/R/s" });
    await handle(1);
    expect(recorded[0]?.lifetime).toBeUndefined();
  });
});

describe("a redelivered event whose result was recorded", () => {
  it("is acknowledged without a second check or record (the replica died before its ack)", async () => {
    const { recorded, handle } = setup({ kind: "verified", identity: "arn:aws:sts::123456789012:assumed-role/R/s" });
    expect(await handle(1)).toBeUndefined();
    expect(await handle(2)).toBeUndefined();
    expect(recorded).toHaveLength(1);
  });
});

describe("a verified trust role's findings", () => {
  it("record the capability checks, the review, and the review's warnings before the permission check's", async () => {
    const { recorded, handle } = setup({
      kind: "verified",
      identity: "arn:aws:sts::123456789012:assumed-role/R/s",
      trustPolicyReview: {
        result: "FINDINGS",
        reason: "",
        attachedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"],
        warnings: [{ code: "POLICY_BROADER_THAN_CAPABILITIES", capability: "", message: "broad", fix: "detach" }],
      },
      permissions: {
        capabilities: [{ capability: "EKS", enabled: true, outcome: "missing", missingActions: ["iam:PassRole"], checkedActionCount: 9, reason: "" }],
        warnings: [{ code: "CAPABILITY_NOT_USABLE", capability: "EKS", message: "EKS is not usable", fix: "reconnect" }],
      },
    });
    await handle(1);
    const v = recorded[0];
    expect(v?.warnings.map((w) => w.code)).toEqual(["POLICY_BROADER_THAN_CAPABILITIES", "CAPABILITY_NOT_USABLE"]);
    expect(v?.capabilityChecks.map((c) => [c.capability, c.missingActions])).toEqual([["EKS", ["iam:PassRole"]]]);
    expect(v?.trustPolicyReview?.attachedPolicyArns).toEqual(["arn:aws:iam::aws:policy/AdministratorAccess"]);
  });
});
