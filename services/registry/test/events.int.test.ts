import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { create, fromBinary, toJsonString } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { connect, type NatsConnection } from "nats";
import { connectJetStream, type JetStreamPublisher } from "@planton/events";
import { ConnectionSchema } from "@planton/proto/planton/connect/v1/connection_pb";
import { EventSchema, type Event } from "@planton/proto/planton/connect/v1/events_pb";
import { captureLogs, dumpDatabase, markerForms, startTcpProxy, type TcpProxy } from "@planton/testing";
import { registerRunners, validSpecs } from "./support/fixtures.js";
import { startRegistry, type RegistryHarness } from "./support/registry-harness.js";

// The registry against the machine's NATS with JetStream, reached through a
// TCP proxy so the test can take NATS away and give it back.

const logs = captureLogs();
let proxy: TcpProxy;
let publisher: JetStreamPublisher;
let h: RegistryHarness;
let nc: NatsConnection;

beforeAll(async () => {
  const natsUrl = new URL(inject("natsUrl"));
  proxy = await startTcpProxy({ host: natsUrl.hostname, port: Number(natsUrl.port || 4222) });
  publisher = await connectJetStream({ url: `nats://127.0.0.1:${proxy.port}`, logger: logs.logger, publishTimeoutMs: 1000 });
  await publisher.ready();
  h = await startRegistry({ logger: logs.logger, publisher });
  nc = await connect({ servers: inject("natsUrl") });
});
afterAll(async () => {
  await h?.dispose();
  await publisher?.close();
  await proxy?.close();
  await nc?.close();
});

/** Events of `orgId` stored in the CONNECT stream after sequence `after`. */
async function streamEvents(orgId: string, after: number): Promise<{ event: Event; msgId: string | undefined; raw: Uint8Array }[]> {
  const jsm = await nc.jetstreamManager();
  const last = (await jsm.streams.info("CONNECT")).state.last_seq;
  const found: { event: Event; msgId: string | undefined; raw: Uint8Array }[] = [];
  for (let seq = after + 1; seq <= last; seq++) {
    const message = await jsm.streams.getMessage("CONNECT", { seq }).catch(() => undefined);
    if (message === undefined) continue;
    const event = fromBinary(EventSchema, message.data);
    if (event.orgId === orgId) found.push({ event, msgId: message.header?.get("Nats-Msg-Id"), raw: message.data });
  }
  return found;
}

async function lastSeq(): Promise<number> {
  const jsm = await nc.jetstreamManager();
  return (await jsm.streams.info("CONNECT").catch(() => undefined))?.state.last_seq ?? 0;
}

describe("events through JetStream", () => {
  it("survive a NATS outage during writes: every event arrives exactly once, in order per connection", async () => {
    const orgId = `org-events-${Math.random().toString(36).slice(2, 8)}`;
    const before = await lastSeq();
    const { connections } = await h.clients(orgId);
    const specs = validSpecs("MARKERevents", "runner_unused");

    const first = (await connections.createConnection({ name: "events-before-outage", spec: specs["civo"]! })).connection!;
    expect(await h.registry.relay.drain(5000)).toBe(true);

    proxy.cut();
    // Writes keep working while NATS is unreachable: the events wait in the outbox.
    const during = (await connections.createConnection({ name: "events-during-outage", spec: specs["digitalocean"]! })).connection!;
    const renamed = await connections.updateConnection({
      connection: during.id,
      etag: during.etag,
      name: "events-during-outage-renamed",
      updateMask: create(FieldMaskSchema, { paths: ["name"] }),
    });
    await connections.deleteConnection({ connection: first.id, etag: first.etag });
    const pending = await h.registry.db.selectFrom("outbox").select("id").where("published_at", "is", null).execute();
    expect(pending.length).toBeGreaterThanOrEqual(3);

    proxy.restore();
    await publisher.ready();
    expect(await h.registry.relay.drain(20_000)).toBe(true);

    const stored = await streamEvents(orgId, before);
    const ids = stored.map((s) => s.event.id);
    expect(new Set(ids).size, "no event stored twice").toBe(ids.length);
    expect(
      stored.every((s) => s.msgId === s.event.id),
      "Nats-Msg-Id is the event id",
    ).toBe(true);
    expect(stored.map((s) => `${s.event.kind} ${s.event.payload.case === "connection" ? s.event.payload.value.slug : ""}`)).toEqual([
      "connection.created events-before-outage",
      "connection.created events-during-outage",
      "connection.updated events-during-outage",
      "connection.deleted events-before-outage",
    ]);
    const outboxIds = (await h.registry.db.selectFrom("outbox").select(["id", "published_at"]).execute())
      .filter((r) => r.published_at !== null)
      .map((r) => r.id);
    for (const id of ids) expect(outboxIds).toContain(id);
    expect(renamed.connection!.name).toBe("events-during-outage-renamed");
  });

  it("no planted secret in any database column, log line, NATS message or response", async () => {
    const orgId = `org-marker-${Math.random().toString(36).slice(2, 8)}`;
    const marker = `MARKER${Math.random().toString(36).slice(2, 12)}`;
    const before = await lastSeq();
    const { connections, runners } = await h.clients(orgId);
    const runner = await runners.registerRunner({ name: "marker-runner", identity: { kind: 1, principal: "arn:aws:iam::123456789012:role/runner" } });
    const responses: string[] = [JSON.stringify({ id: runner.runner!.id, hint: runner.runner!.tokenHint })];
    const runnerToken = runner.token;
    const others = await registerRunners(runners, "marker-runner");
    for (const [label, spec] of Object.entries(validSpecs(marker, { ...others, aws: runner.runner!.id }))) {
      const created = await connections.createConnection({ name: `marker ${label}`, spec });
      responses.push(toJsonString(ConnectionSchema, created.connection!));
      responses.push(toJsonString(ConnectionSchema, (await connections.getConnection({ connection: created.connection!.id })).connection!));
    }
    const listed = await connections.listConnections({});
    for (const c of listed.connections) responses.push(toJsonString(ConnectionSchema, c));
    expect(await h.registry.relay.drain(10_000)).toBe(true);

    const dump = await dumpDatabase(h.database.url);
    expect(dump.text).toContain("registry.connections");
    const natsPayloads = (await streamEvents(orgId, before)).map((s) => Buffer.from(s.raw).toString("latin1"));
    expect(natsPayloads.length).toBeGreaterThanOrEqual(11);
    const places: Record<string, string> = {
      "database dump": dump.text,
      logs: logs.text(),
      "NATS messages": natsPayloads.join("\n"),
      responses: responses.join("\n"),
    };
    for (const [place, text] of Object.entries(places)) {
      for (const form of markerForms(marker)) expect(text.includes(form), `${form} in ${place}`).toBe(false);
      expect(text.includes(runnerToken), `runner token in ${place}`).toBe(false);
    }
  });
});

describe("the outbox relay's log lines", () => {
  it("carry each field once (the relay names its own component)", () => {
    const line = logs
      .text()
      .split("\n")
      .find((l) => l.includes('"outbox relay started"'));
    expect(line).toBeDefined();
    // JSON.parse would keep the last of two equal keys: count them in the raw line.
    expect(line!.match(/"component":/g)).toHaveLength(1);
    expect(JSON.parse(line!)).toMatchObject({ component: "outbox-relay", service: "registry" });
  });
});
