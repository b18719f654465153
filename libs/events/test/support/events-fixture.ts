import { randomBytes, randomUUID } from "node:crypto";
import { sql, type Kysely } from "kysely";
import { connect, type JetStreamManager, type NatsConnection, type StoredMsg } from "nats";
import { inject, onTestFinished } from "vitest";
import { createDatabase } from "@planton/db";
import { silentLogger, type Logger } from "@planton/logging";
import { createTestDatabase, startTcpProxy, type TcpProxy } from "@planton/testing";
import {
  connectJetStream,
  addOutboxTraceContext,
  createOutboxTable,
  insertOutboxEvent,
  startOutboxRelay,
  type EventEnvelope,
  type EventPublisher,
  type JetStreamOptions,
  type JetStreamPublisher,
  type OutboxDatabase,
  type OutboxRelay,
  type OutboxRelayOptions,
} from "../../src/index.js";

/** The schema the tests put the outbox in, as a service would its own. */
const SCHEMA = "events_test";

/**
 * Everything one test needs, made fresh for it and torn down after it (in
 * reverse order) by `onTestFinished`: a database with `events_test.outbox`, a
 * JetStream stream and subject prefix of its own (random, so tests never meet
 * each other or the real CONNECT stream), plus helpers to start publishers,
 * relays and proxies that are cleaned up too.
 */
export interface EventsFixture {
  readonly stream: string;
  /** Subjects of the test's stream: `<prefix>.>`. */
  readonly subjects: string[];
  readonly prefix: string;
  /** A direct handle on the test database, for writers and assertions. */
  readonly db: Kysely<OutboxDatabase>;
  readonly databaseUrl: string;
  readonly natsUrl: string;
  /** A direct NATS connection for reading the stream back. */
  readonly jsm: JetStreamManager;
  /** A fresh event under the test's prefix; `label` becomes its data. */
  event(label: string, orderingKey?: string): EventEnvelope;
  /** Commits each event in its own transaction, in order. */
  insert(events: readonly EventEnvelope[], db?: Kysely<OutboxDatabase>): Promise<void>;
  /** Another pool on the test database (a replica), optionally through a proxy. */
  openDatabase(url?: string): Kysely<OutboxDatabase>;
  connectPublisher(options?: Partial<JetStreamOptions>): Promise<JetStreamPublisher>;
  startRelay(options: Partial<OutboxRelayOptions<OutboxDatabase>> & { publisher: EventPublisher }): OutboxRelay;
  /** A proxy in front of NATS or PostgreSQL, with the URL to reach it. */
  proxy(target: "nats" | "postgres"): Promise<{ proxy: TcpProxy; url: string }>;
  /** Every message of the test's stream, in stream order. */
  streamMessages(): Promise<StoredMsg[]>;
  /** Rows of the outbox, in seq order. */
  rows(): Promise<{ id: string; published_at: Date | null; attempts: number; last_error: string | null }[]>;
}

export async function useEventsFixture(logger: Logger = silentLogger): Promise<EventsFixture> {
  const cleanups: (() => Promise<unknown>)[] = [];
  onTestFinished(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  const suffix = randomBytes(5).toString("hex");
  const stream = `EVENTS_TEST_${suffix}`;
  const prefix = `evtest_${suffix}`;
  const subjects = [`${prefix}.>`];
  const natsUrl = inject("natsUrl");

  const nc: NatsConnection = await connect({ servers: natsUrl });
  cleanups.push(() => nc.close());
  const jsm = await nc.jetstreamManager();
  cleanups.push(() => jsm.streams.delete(stream).catch(() => false));

  const database = await createTestDatabase(inject("databaseUrl"), "events");
  cleanups.push(() => database.drop());

  function openDatabase(url = database.url): Kysely<OutboxDatabase> {
    const handle = createDatabase<OutboxDatabase>({ url, schema: SCHEMA, logger, maxConnections: 4 });
    cleanups.push(() => handle.destroy());
    return handle.db;
  }

  const db = openDatabase();
  await sql`create schema ${sql.id(SCHEMA)}`.execute(db);
  await createOutboxTable(db);
  await addOutboxTraceContext(db);

  return {
    stream,
    subjects,
    prefix,
    db,
    databaseUrl: database.url,
    natsUrl,
    jsm,
    event(label, orderingKey = "conn_1") {
      return { id: randomUUID(), subject: `${prefix}.connection.created`, data: new TextEncoder().encode(label), orderingKey };
    },
    async insert(events, target = db) {
      for (const event of events) {
        await target.transaction().execute((trx) => insertOutboxEvent(trx, event));
      }
    },
    openDatabase,
    async connectPublisher(options = {}) {
      const publisher = await connectJetStream({ url: natsUrl, logger, stream, subjects, publishTimeoutMs: 1_000, ...options });
      cleanups.push(() => publisher.close());
      return publisher;
    },
    startRelay(options) {
      const relay = startOutboxRelay({
        db,
        logger,
        lockId: Number.parseInt(suffix.slice(0, 8), 16),
        pollIntervalMs: 50,
        maxBackoffMs: 300,
        ...options,
      });
      cleanups.push(() => relay.stop());
      return relay;
    },
    async proxy(target) {
      const base = new URL(target === "nats" ? natsUrl : database.url);
      const proxy = await startTcpProxy({ host: base.hostname, port: Number(base.port || (target === "nats" ? 4222 : 5432)) });
      cleanups.push(() => proxy.close());
      base.port = String(proxy.port);
      return { proxy, url: base.toString() };
    },
    async streamMessages() {
      const info = await jsm.streams.info(stream);
      const messages: StoredMsg[] = [];
      if (info.state.messages === 0) return messages;
      for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
        messages.push(await jsm.streams.getMessage(stream, { seq }));
      }
      return messages;
    },
    rows() {
      return db.selectFrom("outbox").select(["id", "published_at", "attempts", "last_error"]).orderBy("seq").execute();
    },
  };
}

/**
 * A publisher that counts every successful publish call per event id, in
 * call order; JetStream's dedupe would hide a double publish in the stream.
 * Without `inner` it accepts everything; `failing` makes it reject.
 */
export function recordingPublisher(inner?: EventPublisher): EventPublisher & {
  readonly published: string[];
  count(id: string): number;
  failing: Error | undefined;
} {
  const published: string[] = [];
  return {
    published,
    failing: undefined,
    count: (id) => published.filter((p) => p === id).length,
    async publish(event) {
      if (this.failing !== undefined) throw this.failing;
      await inner?.publish(event);
      published.push(event.id);
    },
    async close() {
      await inner?.close();
    },
  };
}

/** The text of an event's data (tests use labels as data). */
export function label(data: Uint8Array): string {
  return new TextDecoder().decode(data);
}
