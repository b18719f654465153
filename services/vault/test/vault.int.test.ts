import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { captureLogs, dumpDatabase, markerForms } from "@planton/testing";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { CredentialIntegrityError, CredentialVersionDestroyedError, CredentialVersionNotFoundError, RewrapTargetKeyError } from "../src/errors.js";
import { createLocalKey, createLocalKeyProvider } from "../src/keys/local-key-provider.js";
import type { KeyProvider } from "../src/keys/key-provider.js";
import { startVault, type VaultHarness } from "./support/vault-harness.js";

const logs = captureLogs();
let h: VaultHarness;

beforeAll(async () => {
  h = await startVault({ logger: logs.logger });
});
afterAll(async () => {
  await h?.dispose();
});

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

type Column = "nonce" | "ciphertext" | "tag" | "wrapped_key";

async function readColumn(orgId: string, connectionId: string, version: number, column: Column): Promise<Uint8Array> {
  const row = await h.db
    .selectFrom("credential_versions")
    .select(column)
    .where("org_id", "=", orgId)
    .where("connection_id", "=", connectionId)
    .where("version", "=", version)
    .executeTakeFirstOrThrow();
  const value = row[column];
  if (value === null) throw new Error("column is null");
  return value;
}

async function writeColumn(orgId: string, connectionId: string, version: number, column: Column, value: Uint8Array): Promise<void> {
  await h.db
    .updateTable("credential_versions")
    .set({ [column]: value })
    .where("org_id", "=", orgId)
    .where("connection_id", "=", connectionId)
    .where("version", "=", version)
    .execute();
}

describe("seal and open", () => {
  it("round-trips a payload and numbers versions 1, 2, 3 per connection", async () => {
    const first = await h.vault.seal("org-rt", "awsconn_1", bytes("payload one"));
    const second = await h.vault.seal("org-rt", "awsconn_1", bytes("payload two"));
    const other = await h.vault.seal("org-rt", "awsconn_2", bytes("other connection"));
    expect([first.version, second.version, other.version]).toEqual([1, 2, 1]);
    expect(first.keyId).toBe(h.keys.defaultKeyId);
    expect(text(await h.vault.open({ orgId: "org-rt", connectionId: "awsconn_1", version: 1 }))).toBe("payload one");
    expect(text(await h.vault.open({ orgId: "org-rt", connectionId: "awsconn_1", version: 2 }))).toBe("payload two");
    expect(text(await h.vault.open({ orgId: "org-rt", connectionId: "awsconn_2", version: 1 }))).toBe("other connection");
  });

  it("gives concurrent seals of one connection distinct versions", async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => h.vault.seal("org-conc", "gcpconn_1", bytes(`p${i}`))));
    expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const [i, r] of results.entries()) {
      expect(text(await h.vault.open({ orgId: "org-conc", connectionId: "gcpconn_1", version: r.version }))).toBe(`p${i}`);
    }
  });

  it("uses a fresh data key and nonce for every version", async () => {
    await h.vault.seal("org-fresh", "doconn_1", bytes("same payload"));
    await h.vault.seal("org-fresh", "doconn_1", bytes("same payload"));
    const [a, b] = await Promise.all([1, 2].map((v) => readColumn("org-fresh", "doconn_1", v, "wrapped_key")));
    const [n1, n2] = await Promise.all([1, 2].map((v) => readColumn("org-fresh", "doconn_1", v, "nonce")));
    expect(Buffer.from(a!).equals(Buffer.from(b!))).toBe(false);
    expect(Buffer.from(n1!).equals(Buffer.from(n2!))).toBe(false);
  });

  it("reports a version that was never sealed as not found", async () => {
    await expect(h.vault.open({ orgId: "org-rt", connectionId: "awsconn_1", version: 99 })).rejects.toBeInstanceOf(CredentialVersionNotFoundError);
    await expect(h.vault.open({ orgId: "org-nobody", connectionId: "awsconn_1", version: 1 })).rejects.toBeInstanceOf(CredentialVersionNotFoundError);
  });
});

describe("tampering", () => {
  // Every bit of nonce and tag, and bits spread over the ciphertext and the
  // wrapped key: each flip alone must make the open fail.
  const positions = (length: number, all: boolean) =>
    all ? Array.from({ length: length * 8 }, (_, i) => i) : Array.from(new Set([0, 1, 7, 8, length * 4, length * 8 - 9, length * 8 - 1]));

  for (const [column, all] of [
    ["nonce", true],
    ["tag", true],
    ["ciphertext", false],
    ["wrapped_key", false],
  ] as const) {
    it(`fails when any bit of the ${column} is flipped`, async () => {
      const connectionId = `tamper_${column}`;
      await h.vault.seal("org-tamper", connectionId, bytes("a secret that must not be altered"));
      const original = await readColumn("org-tamper", connectionId, 1, column);
      const bits = positions(original.length, all);
      expect(bits.length).toBeGreaterThan(0);
      for (const bit of bits) {
        const flipped = Uint8Array.from(original);
        flipped[bit >> 3]! ^= 1 << (bit & 7);
        await writeColumn("org-tamper", connectionId, 1, column, flipped);
        h.cache.clear();
        await expect(h.vault.open({ orgId: "org-tamper", connectionId, version: 1 }), `${column} bit ${bit}`).rejects.toBeInstanceOf(CredentialIntegrityError);
      }
      await writeColumn("org-tamper", connectionId, 1, column, original);
      expect(text(await h.vault.open({ orgId: "org-tamper", connectionId, version: 1 }))).toBe("a secret that must not be altered");
    });
  }

  it("fails when a record is copied to another connection, org or version", async () => {
    await h.vault.seal("org-move", "azconn_src", bytes("source secret"));
    await h.vault.seal("org-move", "azconn_dst", bytes("destination secret"));
    await h.vault.seal("org-move", "azconn_src", bytes("source secret v2"));
    await h.vault.seal("org-other", "azconn_src", bytes("other org secret"));

    const copy = async (to: { org: string; connection: string; version: number }) => {
      await sql`
        update vault.credential_versions as d
           set key_id = s.key_id, wrapped_key = s.wrapped_key, nonce = s.nonce, ciphertext = s.ciphertext, tag = s.tag
          from vault.credential_versions as s
         where s.org_id = 'org-move' and s.connection_id = 'azconn_src' and s.version = 1
           and d.org_id = ${to.org} and d.connection_id = ${to.connection} and d.version = ${to.version}`.execute(h.db);
      h.cache.clear();
    };
    await copy({ org: "org-move", connection: "azconn_dst", version: 1 });
    await expect(h.vault.open({ orgId: "org-move", connectionId: "azconn_dst", version: 1 })).rejects.toBeInstanceOf(CredentialIntegrityError);
    await copy({ org: "org-move", connection: "azconn_src", version: 2 });
    await expect(h.vault.open({ orgId: "org-move", connectionId: "azconn_src", version: 2 })).rejects.toBeInstanceOf(CredentialIntegrityError);
    await copy({ org: "org-other", connection: "azconn_src", version: 1 });
    await expect(h.vault.open({ orgId: "org-other", connectionId: "azconn_src", version: 1 })).rejects.toBeInstanceOf(CredentialIntegrityError);
    // The source itself still opens.
    expect(text(await h.vault.open({ orgId: "org-move", connectionId: "azconn_src", version: 1 }))).toBe("source secret");
  });

  it("fails when only the ciphertext (not the wrapped key) is moved between versions", async () => {
    await h.vault.seal("org-swap", "cfconn_1", bytes("first"));
    await h.vault.seal("org-swap", "cfconn_1", bytes("second"));
    const ct = await readColumn("org-swap", "cfconn_1", 1, "ciphertext");
    await writeColumn("org-swap", "cfconn_1", 2, "ciphertext", ct);
    h.cache.clear();
    await expect(h.vault.open({ orgId: "org-swap", connectionId: "cfconn_1", version: 2 })).rejects.toBeInstanceOf(CredentialIntegrityError);
  });
});

describe("destroy", () => {
  it("crypto-shreds one version: key material gone, other versions still open", async () => {
    await h.vault.seal("org-d", "civoconn_1", bytes("v1"));
    await h.vault.seal("org-d", "civoconn_1", bytes("v2"));
    await h.vault.open({ orgId: "org-d", connectionId: "civoconn_1", version: 1 }); // warm the cache
    expect(await h.vault.destroy("org-d", "civoconn_1", 1)).toEqual([1]);
    await expect(h.vault.open({ orgId: "org-d", connectionId: "civoconn_1", version: 1 })).rejects.toBeInstanceOf(CredentialVersionDestroyedError);
    expect(text(await h.vault.open({ orgId: "org-d", connectionId: "civoconn_1", version: 2 }))).toBe("v2");
    const row = await h.db
      .selectFrom("credential_versions")
      .selectAll()
      .where("org_id", "=", "org-d")
      .where("connection_id", "=", "civoconn_1")
      .where("version", "=", 1)
      .executeTakeFirstOrThrow();
    expect([row.wrapped_key, row.key_id, row.nonce, row.ciphertext, row.tag]).toEqual([null, null, null, null, null]);
    expect(row.destroyed_at).toBeInstanceOf(Date);
    // Destroying again is a no-op.
    expect(await h.vault.destroy("org-d", "civoconn_1", 1)).toEqual([]);
  });

  it("destroys every version with 0 and never reuses a version number", async () => {
    await h.vault.seal("org-d", "civoconn_2", bytes("v1"));
    await h.vault.seal("org-d", "civoconn_2", bytes("v2"));
    expect(await h.vault.destroy("org-d", "civoconn_2", 0)).toEqual([1, 2]);
    for (const version of [1, 2]) {
      await expect(h.vault.open({ orgId: "org-d", connectionId: "civoconn_2", version })).rejects.toBeInstanceOf(CredentialVersionDestroyedError);
    }
    expect((await h.vault.seal("org-d", "civoconn_2", bytes("v3"))).version).toBe(3);
  });

  it("only touches the named org", async () => {
    await h.vault.seal("org-keep", "civoconn_3", bytes("keep me"));
    expect(await h.vault.destroy("org-not-keep", "civoconn_3", 0)).toEqual([]);
    expect(text(await h.vault.open({ orgId: "org-keep", connectionId: "civoconn_3", version: 1 }))).toBe("keep me");
  });
});

describe("rewrap", () => {
  it("re-wraps every live data key under the target without touching payloads, in resumable batches", async () => {
    const own = await startVault({ logger: logs.logger });
    try {
      const sealed: { connectionId: string; version: number; payload: string }[] = [];
      for (let i = 0; i < 7; i++) {
        const payload = `payload-${i}`;
        const { version } = await own.vault.seal("org-rw", `awsconn_${i % 3}`, bytes(payload));
        sealed.push({ connectionId: `awsconn_${i % 3}`, version, payload });
      }
      await own.vault.destroy("org-rw", "awsconn_0", 1);
      const live = sealed.filter((s) => !(s.connectionId === "awsconn_0" && s.version === 1));
      const before = await own.db.selectFrom("credential_versions").select(["connection_id", "version", "ciphertext", "nonce", "tag"]).execute();

      // A local key is never created by a rewrap: it is made explicitly first.
      await createLocalKey(join(own.dataDir, "vault", "keys"), "master-2");
      // A first, interrupted run (max_records) and a second that finishes.
      const partial = await own.vault.rewrap("master-2", { batchSize: 2, maxRecords: 3 });
      expect(partial).toEqual({ rewrapped: 3, remaining: live.length - 3, targetKeyId: "master-2" });
      const rest = await own.vault.rewrap("master-2", { batchSize: 2, maxRecords: 0 });
      expect(rest).toEqual({ rewrapped: live.length - 3, remaining: 0, targetKeyId: "master-2" });
      expect((await own.vault.rewrap("master-2", { batchSize: 2, maxRecords: 0 })).rewrapped).toBe(0);

      const after = await own.db.selectFrom("credential_versions").selectAll().where("destroyed_at", "is", null).execute();
      expect(after).toHaveLength(live.length);
      for (const row of after) {
        expect(row.key_id).toBe("master-2");
        expect(row.rewrapped_at).toBeInstanceOf(Date);
        // Payload ciphertext, nonce and tag unchanged: nothing was decrypted and re-encrypted.
        const old = before.find((b) => b.connection_id === row.connection_id && b.version === row.version)!;
        expect(Buffer.from(row.ciphertext!).equals(Buffer.from(old.ciphertext!))).toBe(true);
        expect(Buffer.from(row.nonce!).equals(Buffer.from(old.nonce!))).toBe(true);
      }
      own.cache.clear();
      for (const s of live) {
        expect(text(await own.vault.open({ orgId: "org-rw", connectionId: s.connectionId, version: s.version }))).toBe(s.payload);
      }
    } finally {
      await own.dispose();
    }
  });

  it("refuses an unknown local target key before touching any row, and creates no key file", async () => {
    const own = await startVault({ logger: logs.logger });
    try {
      const { version } = await own.vault.seal("org-typo", "awsconn_t", bytes("stays put"));
      const keyDir = join(own.dataDir, "vault", "keys");
      const error = await own.vault.rewrap("master-2-typo", { batchSize: 10, maxRecords: 0 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RewrapTargetKeyError);
      expect(await readdir(keyDir)).toEqual(["master-1.key"]);
      const rows = await own.db.selectFrom("credential_versions").select(["key_id", "rewrapped_at"]).execute();
      expect(rows).toEqual([{ key_id: "master-1", rewrapped_at: null }]);
      expect(text(await own.vault.open({ orgId: "org-typo", connectionId: "awsconn_t", version }))).toBe("stays put");
    } finally {
      await own.dispose();
    }
  });
});

describe("key provider outages", () => {
  it("does not write anything when the key provider fails during seal", async () => {
    const failing: KeyProvider = {
      ...(await createLocalKeyProvider({ keyDir: `${h.dataDir}/keys-fail`, keyId: "k1" })),
      generateDataKey: () => Promise.reject(new Error("kms down")),
    };
    const own = await startVault({ logger: logs.logger, keys: failing });
    try {
      await expect(own.vault.seal("org-x", "awsconn_1", bytes("never stored"))).rejects.toThrow("kms down");
      const rows = await own.db.selectFrom("credential_versions").selectAll().execute();
      expect(rows).toHaveLength(0);
    } finally {
      await own.dispose();
    }
  });
});

describe("nothing secret at rest or in logs", () => {
  it("a dump of the database and the captured logs hold no planted marker", async () => {
    const marker = `MARKER-${Math.random().toString(36).slice(2)}-wJalrXUtnFEMI`;
    await h.vault.seal("org-marker", "awsconn_m", bytes(`{"secret_access_key":"${marker}"}`));
    expect(text(await h.vault.open({ orgId: "org-marker", connectionId: "awsconn_m", version: 1 }))).toContain(marker);
    const dump = await dumpDatabase(h.database.url);
    expect(dump.text).toContain("credential_versions"); // the dump did read the vault tables
    expect(dump.text).toContain("org-marker");
    for (const form of markerForms(marker)) {
      expect(dump.text.includes(form), `marker form ${form} in dump`).toBe(false);
      expect(logs.text().includes(form), `marker form ${form} in logs`).toBe(false);
    }
  });
});
