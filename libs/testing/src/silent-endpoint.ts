import { createConnection, createServer, type Socket } from "node:net";

/** A TCP endpoint that accepts connections and never answers, see {@link startSilentEndpoint}. */
export interface SilentEndpoint {
  /** `http://127.0.0.1:<port>`, to pass as a client's endpoint. */
  readonly url: string;
  readonly port: number;
  /** Connections accepted since the start. */
  readonly accepted: number;
  /** Connections open right now (held silent, or forwarded). */
  readonly open: number;
  /**
   * From now on, forward new connections to `target` (the dependency "comes
   * back"); `null` makes new connections silent again. Connections already
   * held stay silent.
   */
  forwardTo(target: { host: string; port: number } | null): void;
  /** Destroys every connection and stops listening. */
  close(): Promise<void>;
}

/**
 * startSilentEndpoint listens on 127.0.0.1 and holds every connection open,
 * reading the request and never writing a byte back: a dependency that accepts TCP and
 * then hangs (an overloaded KMS, a black-holing proxy), the case that only a
 * client-side timeout can end. It never closes a connection itself, so
 * `open` dropping shows that the client gave up.
 */
export async function startSilentEndpoint(): Promise<SilentEndpoint> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  let target: { host: string; port: number } | null = null;
  const server = createServer((client) => {
    accepted++;
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => client.destroy());
    if (target === null) {
      // Held: the request is read and dropped (so the client's close is
      // seen), and nothing is ever written back.
      client.resume();
      return;
    }
    const upstream = createConnection(target);
    sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(upstream);
    };
    upstream.on("error", drop).on("close", drop);
    client.on("close", drop);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get accepted() {
      return accepted;
    },
    get open() {
      let clients = 0;
      for (const socket of sockets) if (!socket.destroyed && socket.localPort === port) clients++;
      return clients;
    },
    forwardTo(next) {
      target = next;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
