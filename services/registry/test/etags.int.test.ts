/**
 * Etags guard what a user changes (name, spec, auth mode, credential
 * version), never status the system records; a refused or losing update
 * seals nothing in the vault; an empty connection reference is the caller's
 * error. Through the RPC API, against the real PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { FieldMaskSchema, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type Client } from "@connectrpc/connect";
import { createInProcessBus } from "@planton/events";
import { BadRequestSchema } from "@planton/proto/google/rpc/error_details_pb";
import { VerificationSchema } from "@planton/proto/planton/connect/v1/connection_pb";
import type { ConnectionService } from "@planton/proto/planton/connect/v1/connection_service_pb";
import type { ConnectionSpecSchema } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { ConnectionStatus } from "@planton/proto/planton/connect/v1/provider_pb";
import { captureLogs, rpcFailure } from "@planton/testing";
import { awsSecret } from "./support/fixtures.js";
import { startRegistry, type RegistryHarness } from "./support/registry-harness.js";

type SpecInit = MessageInitShape<typeof ConnectionSpecSchema>;

const logs = captureLogs();
const bus = createInProcessBus(logs.logger);
let h: RegistryHarness;
let user: Client<typeof ConnectionService>;
/** The verifier's view: an `internal` token (RecordVerification, LookupConnection). */
let verifier: Client<typeof ConnectionService>;
const ORG = "org-etags";

beforeAll(async () => {
  h = await startRegistry({ logger: logs.logger, publisher: bus });
  user = (await h.clients(ORG)).connections;
  verifier = (await h.clients("platform", ["internal"])).connections;
});
afterAll(async () => {
  await h?.dispose();
  await bus.close();
});

async function expectCode(promise: Promise<unknown>, code: Code, label = ""): Promise<ConnectError> {
  const error = await rpcFailure(promise);
  expect(error.code, `${label} ${error.rawMessage}`).toBe(code);
  return error;
}

const mask = (...paths: string[]) => create(FieldMaskSchema, { paths });

function awsSpec(accountId: string, marker: string): SpecInit {
  return {
    provider: {
      case: "aws",
      value: { accountId, auth: { case: "inlineKeys", value: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: awsSecret(marker) } } },
    },
  };
}

function rotation(marker: string): SpecInit {
  return {
    provider: { case: "aws", value: { auth: { case: "inlineKeys", value: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: awsSecret(marker) } } } },
  };
}

function verification(credentialVersion: number, ok: boolean) {
  return create(VerificationSchema, {
    verifyTime: timestampFromDate(new Date()),
    credentialVersion,
    ok,
    identity: ok ? "arn:aws:iam::123456789012:user/deployer" : "",
    reason: ok ? "" : "INVALID_CREDENTIALS",
    message: ok ? "" : "AWS rejected the key.",
  });
}

/** Every vault row of a connection, destroyed or not: one per seal. */
async function vaultRows(connectionId: string) {
  return h.vault.db
    .selectFrom("credential_versions")
    .select(["version", "destroyed_at"])
    .where("connection_id", "=", connectionId)
    .orderBy("version")
    .execute();
}

describe("etags: system-written status never changes them", () => {
  it("create, a verification is recorded, then an update with the create's etag succeeds", async () => {
    const created = (await user.createConnection({ name: "etag-verified-aws", spec: awsSpec("111111111111", "verified") })).connection!;
    const recorded = await verifier.recordVerification({ orgId: ORG, connectionId: created.id, verification: verification(1, true) });
    expect(recorded.applied).toBe(true);
    expect(recorded.connection!.status).toBe(ConnectionStatus.VERIFIED);
    expect(recorded.connection!.etag).toBe(created.etag);
    const read = (await user.getConnection({ connection: created.id })).connection!;
    expect(read.status).toBe(ConnectionStatus.VERIFIED);
    expect(read.etag).toBe(created.etag);

    const renamed = await user.updateConnection({ connection: created.id, etag: created.etag, name: "etag-verified-aws-2", updateMask: mask("name") });
    expect(renamed.connection!.name).toBe("etag-verified-aws-2");
    // The verification survives a rename: only a rotation resets it.
    expect(renamed.connection!.status).toBe(ConnectionStatus.VERIFIED);
    expect(renamed.connection!.etag).not.toBe(created.etag);
  });

  it("a failed verification and a re-verification pass leave the etag too; the user's rotation with it succeeds", async () => {
    const created = (await user.createConnection({ name: "etag-failed-aws", spec: awsSpec("222222222222", "failed") })).connection!;
    await verifier.recordVerification({ orgId: ORG, connectionId: created.id, verification: verification(1, false) });
    // Make it due and run the scheduler's pass: it writes next_verification_at and an event, not the etag.
    await h.registry.db
      .updateTable("connections")
      .set({ next_verification_at: new Date(Date.now() - 1000) })
      .where("id", "=", created.id)
      .execute();
    expect(await h.registry.reverification.runOnce()).toBeGreaterThanOrEqual(1);
    const read = (await user.getConnection({ connection: created.id })).connection!;
    expect(read.status).toBe(ConnectionStatus.VERIFICATION_FAILED);
    expect(read.etag).toBe(created.etag);

    const rotated = await user.updateConnection({
      connection: created.id,
      etag: created.etag,
      spec: rotation("failedfixed"),
      updateMask: mask("spec.aws.inline_keys"),
    });
    expect(rotated.rotated).toBe(true);
    expect(rotated.connection!.credentialVersion).toBe(2);
    expect(rotated.connection!.status).toBe(ConnectionStatus.PENDING_VERIFICATION);
  });

  it("verifications landing while users update never make an update with the etag just read fail", async () => {
    const created = (await user.createConnection({ name: "etag-race-aws", spec: awsSpec("333333333333", "race") })).connection!;
    let etag = created.etag;
    for (let i = 0; i < 5; i++) {
      const [updated] = await Promise.all([
        user.updateConnection({ connection: created.id, etag, name: `etag-race-aws-${i}`, updateMask: mask("name") }),
        ...Array.from({ length: 5 }, (_, j) =>
          verifier.recordVerification({ orgId: ORG, connectionId: created.id, verification: verification(1, (i + j) % 2 === 0) }),
        ),
      ]);
      expect(updated.connection!.name).toBe(`etag-race-aws-${i}`);
      etag = updated.connection!.etag;
    }
    // Rename and verification write different columns: neither is lost.
    const read = (await user.getConnection({ connection: created.id })).connection!;
    expect(read.name).toBe("etag-race-aws-4");
    expect(read.lastVerification?.credentialVersion).toBe(1);
    expect(read.etag).toBe(etag);
  });

  it("a real user change still invalidates the old etag, for update and delete", async () => {
    const created = (await user.createConnection({ name: "etag-user-aws", spec: awsSpec("444444444444", "user") })).connection!;
    const renamed = (await user.updateConnection({ connection: created.id, etag: created.etag, name: "etag-user-aws-2", updateMask: mask("name") }))
      .connection!;
    await expectCode(
      user.updateConnection({ connection: created.id, etag: created.etag, name: "etag-user-aws-3", updateMask: mask("name") }),
      Code.Aborted,
      "rename with old etag",
    );
    await expectCode(user.deleteConnection({ connection: created.id, etag: created.etag }), Code.Aborted, "delete with old etag");

    const regioned = (
      await user.updateConnection({
        connection: created.id,
        etag: renamed.etag,
        spec: { provider: { case: "aws", value: { region: "eu-west-1" } } },
        updateMask: mask("spec.aws.region"),
      })
    ).connection!;
    expect(regioned.etag).not.toBe(renamed.etag);
    await expectCode(
      user.updateConnection({ connection: created.id, etag: renamed.etag, name: "etag-user-aws-4", updateMask: mask("name") }),
      Code.Aborted,
      "after a spec change",
    );

    const rotated = (
      await user.updateConnection({ connection: created.id, etag: regioned.etag, spec: rotation("user2"), updateMask: mask("spec.aws.inline_keys") })
    ).connection!;
    expect(rotated.etag).not.toBe(regioned.etag);
    await expectCode(user.deleteConnection({ connection: created.id, etag: regioned.etag }), Code.Aborted, "after a rotation");
    await user.deleteConnection({ connection: created.id, etag: rotated.etag });
  });

  it("a result for an older credential version is ignored and changes nothing", async () => {
    const created = (await user.createConnection({ name: "etag-old-result-aws", spec: awsSpec("555555555555", "old") })).connection!;
    const rotated = (
      await user.updateConnection({ connection: created.id, etag: created.etag, spec: rotation("old2"), updateMask: mask("spec.aws.inline_keys") })
    ).connection!;
    const late = await verifier.recordVerification({ orgId: ORG, connectionId: created.id, verification: verification(1, true) });
    expect(late.applied).toBe(false);
    const read = (await user.getConnection({ connection: created.id })).connection!;
    expect(read).toEqual(rotated);
  });
});

describe("a refused update seals nothing", () => {
  it("20 concurrent rotations with one etag: exactly 1 succeeds, 19 are ABORTED, the vault saw exactly 1 seal", async () => {
    const created = (await user.createConnection({ name: "seal-race-aws", spec: awsSpec("666666666666", "sealrace") })).connection!;
    expect((await vaultRows(created.id)).map((r) => r.version)).toEqual([1]);
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        user.updateConnection({ connection: created.id, etag: created.etag, spec: rotation(`sealrace${i}X`), updateMask: mask("spec.aws.inline_keys") }),
      ),
    );
    const won = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    const lost = results.flatMap((r) => (r.status === "rejected" ? [ConnectError.from(r.reason)] : []));
    expect(won).toHaveLength(1);
    expect(lost.map((e) => e.code)).toEqual(Array(19).fill(Code.Aborted));
    // One seal: version 2, live. No tombstone of a loser's version.
    const rows = await vaultRows(created.id);
    expect(rows.map((r) => [r.version, r.destroyed_at])).toEqual([
      [1, null],
      [2, null],
    ]);
    expect(won[0]!.connection!.credentialVersion).toBe(2);
  });

  it("an update with a stale etag seals nothing and destroys nothing", async () => {
    const created = (await user.createConnection({ name: "seal-stale-aws", spec: awsSpec("777777777777", "stale") })).connection!;
    const renamed = (await user.updateConnection({ connection: created.id, etag: created.etag, name: "seal-stale-aws-2", updateMask: mask("name") }))
      .connection!;
    for (let i = 0; i < 3; i++) {
      await expectCode(
        user.updateConnection({ connection: created.id, etag: created.etag, spec: rotation(`stale${i}`), updateMask: mask("spec.aws.inline_keys") }),
        Code.Aborted,
        "stale rotation",
      );
    }
    expect((await vaultRows(created.id)).map((r) => [r.version, r.destroyed_at])).toEqual([[1, null]]);
    expect((await user.getConnection({ connection: created.id })).connection!).toEqual(renamed);
  });

  it("a verification recorded between read and rotation does not cost the rotation its seal", async () => {
    const created = (await user.createConnection({ name: "seal-verified-aws", spec: awsSpec("888888888888", "sealver") })).connection!;
    await verifier.recordVerification({ orgId: ORG, connectionId: created.id, verification: verification(1, true) });
    const rotated = await user.updateConnection({
      connection: created.id,
      etag: created.etag,
      spec: rotation("sealver2"),
      updateMask: mask("spec.aws.inline_keys"),
    });
    expect(rotated.rotated).toBe(true);
    expect((await vaultRows(created.id)).map((r) => [r.version, r.destroyed_at])).toEqual([
      [1, null],
      [2, null],
    ]);
  });
});

describe("an empty connection reference is INVALID_ARGUMENT, on every RPC that takes one", () => {
  let existing: { id: string; etag: string };
  beforeAll(async () => {
    const c = (await user.createConnection({ name: "empty-ref-aws", spec: awsSpec("999999999999", "empty") })).connection!;
    existing = { id: c.id, etag: c.etag };
  });

  const violationsOf = (error: ConnectError) => error.findDetails(BadRequestSchema).flatMap((d) => d.fieldViolations.map((v) => [v.field, v.reason]));

  it("GetConnection, UpdateConnection, DeleteConnection, LookupConnection: field connection, REQUIRED", async () => {
    const calls: [string, Promise<unknown>][] = [
      ["get", user.getConnection({ connection: "" })],
      ["update", user.updateConnection({ connection: "", etag: existing.etag, name: "x-renamed", updateMask: mask("name") })],
      ["delete", user.deleteConnection({ connection: "", etag: existing.etag })],
      ["lookup", verifier.lookupConnection({ orgId: ORG, connection: "" })],
    ];
    for (const [label, call] of calls) {
      const error = await expectCode(call, Code.InvalidArgument, label);
      expect(violationsOf(error), label).toContainEqual(["connection", "REQUIRED"]);
    }
  });

  it("RecordVerification: field connection_id, REQUIRED; nothing changes", async () => {
    const error = await expectCode(verifier.recordVerification({ orgId: ORG, connectionId: "", verification: verification(1, true) }), Code.InvalidArgument);
    expect(violationsOf(error)).toContainEqual(["connection_id", "REQUIRED"]);
    const read = (await user.getConnection({ connection: existing.id })).connection!;
    expect(read.status).toBe(ConnectionStatus.PENDING_VERIFICATION);
  });

  it("a reference that names nothing is still NOT_FOUND", async () => {
    await expectCode(user.getConnection({ connection: "no-such-connection" }), Code.NotFound);
  });
});
