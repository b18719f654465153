import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, inject, it } from "vitest";
import { connect } from "nats";
import { captureLogs } from "@planton/testing";
import { connectJetStream } from "../src/jetstream-publisher.js";
import { startDurableConsumer } from "../src/durable-consumer.js";

const logs = captureLogs();
const suffix = Math.random().toString(36).slice(2, 10).toUpperCase();
const stream = `DURABLE_TEST_${suffix}`;
const prefix = `durabletest${suffix.toLowerCase()}`;

afterAll(async () => {
  const nc = await connect({ servers: inject("natsUrl") });
  await (await nc.jetstreamManager()).streams.delete(stream).catch(() => false);
  await nc.close();
});

describe("startDurableConsumer", () => {
  it("creates a missing stream, acks handled messages and redelivers one the handler asked to retry", async () => {
    const seen: string[] = [];
    let retried = false;
    const consumer = await startDurableConsumer({
      url: inject("natsUrl"),
      logger: logs.logger,
      stream,
      durable: "test",
      filterSubject: `${prefix}.>`,
      handle: async (data, _subject, deliveryCount) => {
        const text = new TextDecoder().decode(data);
        if (text === "second" && !retried) {
          retried = true;
          return { retryAfterMs: 100 };
        }
        seen.push(`${text}#${deliveryCount}`);
        return undefined;
      },
    });
    try {
      const nc = await connect({ servers: inject("natsUrl") });
      const info = await (await nc.jetstreamManager()).streams.info(stream);
      expect(info.config.subjects).toEqual([`${prefix}.>`]);
      await nc.close();

      const publisher = await connectJetStream({ url: inject("natsUrl"), logger: logs.logger, stream, subjects: [`${prefix}.>`] });
      for (const text of ["first", "second", "third"]) {
        await publisher.publish({ id: randomUUID(), subject: `${prefix}.event`, data: new TextEncoder().encode(text), orderingKey: "k" });
      }
      await publisher.close();
      for (let i = 0; i < 100 && seen.length < 3; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(seen.sort()).toEqual(["first#1", "second#2", "third#1"]);
    } finally {
      await consumer.stop();
    }
  });

  it("keeps a message that takes longer than the ack wait from being redelivered while its handler runs", async () => {
    const deliveries: number[] = [];
    const consumer = await startDurableConsumer({
      url: inject("natsUrl"),
      logger: logs.logger,
      stream,
      durable: "slow",
      filterSubject: `${prefix}.slow`,
      streamSubjects: [`${prefix}.>`],
      startAt: "new",
      ackWaitMs: 1_000,
      handle: async (_data, _subject, deliveryCount) => {
        deliveries.push(deliveryCount);
        // Three ack waits: without progress reports JetStream would deliver it again meanwhile.
        await new Promise((resolve) => setTimeout(resolve, 3_000));
      },
    });
    try {
      const publisher = await connectJetStream({ url: inject("natsUrl"), logger: logs.logger, stream, subjects: [`${prefix}.>`] });
      await publisher.publish({ id: randomUUID(), subject: `${prefix}.slow`, data: new TextEncoder().encode("slow"), orderingKey: "k" });
      await publisher.close();
      for (let i = 0; i < 100 && deliveries.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      // Past the handler's end and another ack wait: a redelivery would have happened by now.
      await new Promise((resolve) => setTimeout(resolve, 4_500));
      expect(deliveries).toEqual([1]);
    } finally {
      await consumer.stop();
    }
  });
});
