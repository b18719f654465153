/**
 * A verification's permission findings through the registry: the stored and
 * returned Verification keeps its capability checks, warnings and trust
 * policy review (with AWS access key ids masked), and connection.verified
 * carries the warning codes and the enabled capabilities found not usable.
 * Through the RPC API, the real PostgreSQL and the in-process bus.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create, fromBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Client } from "@connectrpc/connect";
import { createInProcessBus, type EventEnvelope } from "@planton/events";
import {
  CapabilityCheckResult,
  type CapabilityCheckSchema,
  TrustPolicyReviewResult,
  VerificationSchema,
  type VerificationWarningSchema,
} from "@planton/proto/planton/connect/v1/connection_pb";
import type { ConnectionService } from "@planton/proto/planton/connect/v1/connection_service_pb";
import { EventSchema } from "@planton/proto/planton/connect/v1/events_pb";
import { captureLogs } from "@planton/testing";
import { awsSecret } from "./support/fixtures.js";
import { startRegistry, type RegistryHarness } from "./support/registry-harness.js";

const logs = captureLogs();
const bus = createInProcessBus(logs.logger);
const published: EventEnvelope[] = [];
let h: RegistryHarness;
let user: Client<typeof ConnectionService>;
let verifier: Client<typeof ConnectionService>;
const ORG = "org-findings";
const KEY_ID = "AKIAIOSFODNN7FINDING";

beforeAll(async () => {
  bus.subscribe("connect.connection.verified", async (event) => {
    published.push(event);
  });
  h = await startRegistry({ logger: logs.logger, publisher: bus });
  user = (await h.clients(ORG)).connections;
  verifier = (await h.clients("platform", ["internal"])).connections;
});
afterAll(async () => {
  await h?.dispose();
  await bus.close();
});

async function awsConnection(name: string): Promise<string> {
  const { connection } = await user.createConnection({
    name,
    spec: {
      provider: {
        case: "aws",
        value: { accountId: "123456789012", auth: { case: "inlineKeys", value: { accessKeyId: KEY_ID, secretAccessKey: awsSecret(name) } } },
      },
    },
  });
  return connection!.id;
}

function verifiedEvents(connectionId: string) {
  return published.map((e) => fromBinary(EventSchema, e.data)).filter((e) => e.payload.case === "verified" && e.payload.value.connectionId === connectionId);
}

function findings(): {
  capabilityChecks: MessageInitShape<typeof CapabilityCheckSchema>[];
  warnings: MessageInitShape<typeof VerificationWarningSchema>[];
} {
  return {
    capabilityChecks: [
      { capability: "EKS", enabled: true, result: CapabilityCheckResult.GRANTED, checkedActionCount: 9 },
      { capability: "S3_STORAGE", enabled: true, result: CapabilityCheckResult.MISSING, missingActions: ["s3:DeleteBucket"], checkedActionCount: 10 },
      { capability: "RDS", enabled: false, result: CapabilityCheckResult.MISSING, missingActions: ["rds:CreateDBInstance"], checkedActionCount: 9 },
      { capability: "KMS", enabled: true, result: CapabilityCheckResult.NOT_CHECKABLE, reason: "AWS IAM could not evaluate the policies now (Throttling)" },
    ],
    warnings: [
      {
        code: "CAPABILITY_NOT_USABLE",
        capability: "S3_STORAGE",
        // A careless verifier quoting the key id: stored masked.
        message: `S3_STORAGE is denied to key ${KEY_ID}`,
        fix: `Attach a policy allowing s3:DeleteBucket to the user of ${KEY_ID}`,
      },
      { code: "TRUST_POLICY_WILDCARD_PRINCIPAL", capability: "", message: "m", fix: "f" },
      { code: "CAPABILITY_NOT_USABLE", capability: "KMS", message: "m2", fix: "f2" },
    ],
  };
}

describe("a verification's permission findings", () => {
  it("are stored and returned with the connection, access key ids masked", async () => {
    const id = await awsConnection("findings-stored");
    await verifier.recordVerification({
      orgId: ORG,
      connectionId: id,
      verification: create(VerificationSchema, {
        verifyTime: timestampFromDate(new Date()),
        credentialVersion: 1,
        ok: true,
        identity: "arn:aws:iam::123456789012:user/deployer",
        ...findings(),
        trustPolicyReview: { result: TrustPolicyReviewResult.FINDINGS, reason: "", attachedPolicyArns: ["arn:aws:iam::123456789012:policy/planton-eks"] },
      }),
    });
    const v = (await user.getConnection({ connection: id })).connection!.lastVerification!;
    expect(v.capabilityChecks.map((c) => [c.capability, c.enabled, c.result, c.missingActions, c.checkedActionCount])).toEqual([
      ["EKS", true, CapabilityCheckResult.GRANTED, [], 9],
      ["S3_STORAGE", true, CapabilityCheckResult.MISSING, ["s3:DeleteBucket"], 10],
      ["RDS", false, CapabilityCheckResult.MISSING, ["rds:CreateDBInstance"], 9],
      ["KMS", true, CapabilityCheckResult.NOT_CHECKABLE, [], 0],
    ]);
    expect(v.capabilityChecks[3]?.reason).toBe("AWS IAM could not evaluate the policies now (Throttling)");
    expect(v.warnings.map((w) => w.code)).toEqual(["CAPABILITY_NOT_USABLE", "TRUST_POLICY_WILDCARD_PRINCIPAL", "CAPABILITY_NOT_USABLE"]);
    expect(v.warnings[0]?.message).toBe("S3_STORAGE is denied to key AKIA************DING");
    expect(v.warnings[0]?.fix).toBe("Attach a policy allowing s3:DeleteBucket to the user of AKIA************DING");
    expect(v.trustPolicyReview).toMatchObject({
      result: TrustPolicyReviewResult.FINDINGS,
      attachedPolicyArns: ["arn:aws:iam::123456789012:policy/planton-eks"],
    });
    // Nothing a caller can read holds the full key id.
    expect(JSON.stringify((await user.listConnections({})).connections.map((c) => c.lastVerification?.warnings))).not.toContain(KEY_ID);
    const stored = await h.registry.db.selectFrom("connections").select("last_verification").where("id", "=", id).executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(KEY_ID);
  });

  it("put the warning codes and the enabled capabilities found not usable on connection.verified", async () => {
    const id = await awsConnection("findings-event");
    await verifier.recordVerification({
      orgId: ORG,
      connectionId: id,
      verification: create(VerificationSchema, { verifyTime: timestampFromDate(new Date()), credentialVersion: 1, ok: true, identity: "x", ...findings() }),
    });
    expect(await h.registry.relay.drain(10_000)).toBe(true);
    await bus.idle();
    const [event] = verifiedEvents(id);
    expect(event?.payload.case).toBe("verified");
    if (event?.payload.case !== "verified") return;
    // Each code once; RDS is MISSING but not enabled, KMS enabled but not checkable.
    expect(event.payload.value.warningCodes).toEqual(["CAPABILITY_NOT_USABLE", "TRUST_POLICY_WILDCARD_PRINCIPAL"]);
    expect(event.payload.value.unusableCapabilities).toEqual(["S3_STORAGE"]);
    expect(JSON.stringify(event.payload.value)).not.toContain("s3:DeleteBucket");
  });

  it("leave the event's lists empty for a verification without findings", async () => {
    const id = await awsConnection("findings-none");
    await verifier.recordVerification({
      orgId: ORG,
      connectionId: id,
      verification: create(VerificationSchema, {
        verifyTime: timestampFromDate(new Date()),
        credentialVersion: 1,
        ok: false,
        reason: "INVALID_CREDENTIALS",
        message: "m",
      }),
    });
    expect(await h.registry.relay.drain(10_000)).toBe(true);
    await bus.idle();
    expect(
      verifiedEvents(id).map((e) => (e.payload.case === "verified" ? [e.payload.value.warningCodes, e.payload.value.unusableCapabilities] : undefined)),
    ).toEqual([[[], []]]);
  });
});
