import { createConnection, createServer, type Socket } from "node:net";

/** A TCP proxy that can go silent, like a network partition or a frozen server. */
export interface StallProxy {
  readonly port: number;
  /** Stops forwarding: open connections stay open but carry nothing; new ones are accepted and held. */
  stall(): void;
  /** Forwards again; connections accepted while stalled are reset (their peers see a dead socket). */
  resume(): void;
  close(): Promise<void>;
}

/**
 * startStallProxy forwards 127.0.0.1:<port> to `target`. Unlike a cut, a
 * stall answers nothing and closes nothing: only a client's own timeout can
 * get it out, which is what this proxy is for. Bytes sent while stalled are
 * dropped, so a connection that lived through a stall is useless afterwards.
 */
export async function startStallProxy(target: { host: string; port: number }): Promise<StallProxy> {
  let stalled = false;
  const held = new Set<Socket>();
  const open = new Set<Socket>();
  const server = createServer((client) => {
    open.add(client);
    client.on("error", () => undefined).on("close", () => open.delete(client));
    if (stalled) {
      held.add(client);
      return;
    }
    const upstream = createConnection(target);
    open.add(upstream);
    upstream.on("error", () => undefined).on("close", () => open.delete(upstream));
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("close", drop);
    upstream.on("close", drop);
    client.on("data", (chunk: Buffer) => {
      if (!stalled) upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      if (!stalled) client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return {
    port: typeof address === "object" && address !== null ? address.port : 0,
    stall() {
      stalled = true;
    },
    resume() {
      stalled = false;
      for (const socket of held) socket.destroy();
      held.clear();
    },
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
