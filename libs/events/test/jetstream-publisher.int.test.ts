import { describe, expect, it } from "vitest";
import { nanos } from "nats";
import { captureLogs } from "@planton/testing";
import { ORDERING_KEY_HEADER } from "../src/index.js";
import { label, useEventsFixture } from "./support/events-fixture.js";

describe("connectJetStream", () => {
  it("creates its stream when missing, with a 2-minute duplicate window, and connecting again changes nothing", async () => {
    const f = await useEventsFixture();
    const first = await f.connectPublisher();
    expect(first.connection).toBeDefined();
    await first.ready();
    const created = await f.jsm.streams.info(f.stream);
    expect(created.config.subjects).toEqual(f.subjects);
    expect(created.config.duplicate_window).toBe(nanos(120_000));

    const second = await f.connectPublisher();
    await second.ready();
    const again = await f.jsm.streams.info(f.stream);
    expect(again.config.subjects).toEqual(f.subjects);
    expect(again.created).toBe(created.created);
  });

  it("lets several replicas create the same missing stream at once", async () => {
    const f = await useEventsFixture();
    const publishers = await Promise.all([1, 2, 3].map(() => f.connectPublisher()));
    await Promise.all(publishers.map((p) => p.ready()));
    expect((await f.jsm.streams.info(f.stream)).config.subjects).toEqual(f.subjects);
  });

  it("adds its subjects to an existing stream that has other subjects, keeping those", async () => {
    const f = await useEventsFixture();
    await f.jsm.streams.add({ name: f.stream, subjects: [`${f.prefix}.legacy.>`] });
    const publisher = await f.connectPublisher({ subjects: [`${f.prefix}.connection.>`] });
    await publisher.ready();
    const info = await f.jsm.streams.info(f.stream);
    expect(info.config.subjects).toEqual([`${f.prefix}.legacy.>`, `${f.prefix}.connection.>`]);
    // A stream whose filter already covers ours is left alone.
    const covered = await f.connectPublisher({ subjects: [`${f.prefix}.connection.created`] });
    await covered.ready();
    expect((await f.jsm.streams.info(f.stream)).config.subjects).toHaveLength(2);
  });

  it("publishes with Nats-Msg-Id = event id and the ordering key header; the same id twice is stored once", async () => {
    const f = await useEventsFixture();
    const publisher = await f.connectPublisher();
    await publisher.ready();
    const event = f.event("hello", "awsconn_7");
    await publisher.publish(event);
    await publisher.publish(event);
    await publisher.publish({ ...event });
    const messages = await f.streamMessages();
    expect(messages).toHaveLength(1);
    const [message] = messages;
    expect(message?.header.get("Nats-Msg-Id")).toBe(event.id);
    expect(message?.header.get(ORDERING_KEY_HEADER)).toBe("awsconn_7");
    expect(message?.subject).toBe(event.subject);
    expect(label(message!.data)).toBe("hello");
  });

  it("starts while NATS is unreachable, rejects publishes, and publishes once NATS is reached", async () => {
    const f = await useEventsFixture();
    const { proxy, url } = await f.proxy("nats");
    proxy.cut();
    const started = Date.now();
    const publisher = await f.connectPublisher({ url });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(publisher.connection).toBeUndefined();
    await expect(publisher.publish(f.event("early"))).rejects.toThrow(/not connected/);

    proxy.restore();
    await publisher.ready();
    expect(publisher.connection).toBeDefined();
    await publisher.publish(f.event("late"));
    expect((await f.streamMessages()).map((m) => label(m.data))).toEqual(["late"]);
  });

  it("rejects a publish while disconnected within publishTimeoutMs, and publishes again after reconnecting", async () => {
    const f = await useEventsFixture();
    const { proxy, url } = await f.proxy("nats");
    const publisher = await f.connectPublisher({ url, publishTimeoutMs: 800 });
    await publisher.ready();
    await publisher.publish(f.event("before"));

    proxy.cut();
    const started = Date.now();
    await expect(publisher.publish(f.event("during"))).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(800 + 500);

    proxy.restore();
    const after = f.event("after");
    await expect
      .poll(
        async () =>
          publisher.publish(after).then(
            () => "published",
            () => "rejected",
          ),
        { timeout: 5_000, interval: 200 },
      )
      .toBe("published");
    const labels = (await f.streamMessages()).map((m) => label(m.data));
    expect(labels[0]).toBe("before");
    expect(labels.at(-1)).toBe("after");
  });

  it("never logs a token carried in the NATS URL", async () => {
    const logs = captureLogs();
    const f = await useEventsFixture();
    const { proxy, url } = await f.proxy("nats");
    proxy.cut();
    const token = "zq7xNatsTokenValue0123";
    const withToken = new URL(url);
    withToken.username = token;
    await f.connectPublisher({ url: withToken.toString(), logger: logs.logger });
    expect(logs.records().some((r) => r["msg"] === "cannot reach NATS; will keep trying")).toBe(true);
    expect(logs.text()).not.toContain(token);
  });

  it("rejects publishes and ready() after close", async () => {
    const f = await useEventsFixture();
    const { proxy, url } = await f.proxy("nats");
    proxy.cut();
    const publisher = await f.connectPublisher({ url });
    await publisher.close();
    await expect(publisher.ready()).rejects.toThrow(/closed/);
    await expect(publisher.publish(f.event("x"))).rejects.toThrow(/closed/);
    await publisher.close();
  });
});
