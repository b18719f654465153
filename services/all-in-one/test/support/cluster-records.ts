import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fromBinary } from "@bufbuild/protobuf";
import { connect } from "nats";
import pg from "pg";
import { EventSchema } from "@planton/proto/planton/connect/v1/events_pb";

/** One message of the CONNECT stream, as a recording consumer saw it. */
export interface StreamRecord {
  readonly seq: number;
  readonly msgId: string;
  readonly orderingKey: string;
  readonly kind: string;
  readonly eventId: string;
  readonly connectionId: string;
  readonly version: number;
}

/**
 * readStream records every message of the stream `CONNECT` with an ordered
 * consumer from its first message: stream sequence, Nats-Msg-Id, ordering
 * key, and the event's kind, connection and credential version.
 */
export async function readStream(natsUrl: string): Promise<StreamRecord[]> {
  const nc = await connect({ servers: natsUrl });
  try {
    const info = await (await nc.jetstreamManager()).streams.info("CONNECT");
    const last = info.state.last_seq;
    const records: StreamRecord[] = [];
    if (info.state.messages === 0) return records;
    const consumer = await nc.jetstream().consumers.get("CONNECT");
    const messages = await consumer.consume();
    for await (const m of messages) {
      const event = fromBinary(EventSchema, m.data);
      const payload = event.payload.value as { connectionId?: string; credentialVersion?: number } | undefined;
      records.push({
        seq: m.seq,
        msgId: m.headers?.get("Nats-Msg-Id") ?? "",
        orderingKey: m.headers?.get("Planton-Ordering-Key") ?? "",
        kind: event.kind,
        eventId: event.id,
        connectionId: payload?.connectionId ?? "",
        version: payload?.credentialVersion ?? 0,
      });
      if (m.seq >= last) break;
    }
    await messages.close();
    return records;
  } finally {
    await nc.close();
  }
}

/** How far a durable consumer is behind. */
export async function consumerBacklog(natsUrl: string, durable: string): Promise<number> {
  const nc = await connect({ servers: natsUrl });
  try {
    const info = await (await nc.jetstreamManager()).consumers.info("CONNECT", durable);
    return info.num_pending + info.num_ack_pending;
  } finally {
    await nc.close();
  }
}

/** query runs one statement on the cluster's database. */
export async function query<Row>(databaseUrl: string, text: string, values: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as Row[];
  } finally {
    await client.end();
  }
}

/** Every version the vault logged as destroyed ("credential versions destroyed"), one entry per log line and version. */
export async function vaultDestroys(logDir: string): Promise<string[]> {
  const text = await readFile(join(logDir, "vault.log"), "utf8");
  const destroyed: string[] = [];
  for (const line of text.split("\n")) {
    if (!line.includes("credential versions destroyed")) continue;
    const entry = JSON.parse(line) as { connection_id: string; versions: number[] };
    for (const version of entry.versions) destroyed.push(`${entry.connection_id}/${version}`);
  }
  return destroyed;
}

/** Lines of every log in `logDir` at level error or above (pino 50+), for the report. */
export async function errorLines(logDir: string, names: readonly string[]): Promise<string[]> {
  const lines: string[] = [];
  for (const name of names) {
    const text = await readFile(join(logDir, `${name}.log`), "utf8").catch(() => "");
    for (const line of text.split("\n")) if (/"level":(5|6)\d/.test(line)) lines.push(`${name}: ${line.slice(0, 400)}`);
  }
  return lines;
}
