import { createConnection, createServer, type Socket } from "node:net";

/** A TCP load balancer in front of replicas, as a Kubernetes Service (L4, round robin) is. */
export interface TcpBalancer {
  /** 127.0.0.1 port clients connect to. */
  readonly port: number;
  /** Connections accepted so far, per backend port (for reports). */
  connections(): ReadonlyMap<number, number>;
  close(): Promise<void>;
}

/**
 * startTcpBalancer forwards each accepted connection to the next of
 * `backends` (127.0.0.1 ports) in turn; a backend that refuses the
 * connection is skipped and the next one tried, so a replica that is down or
 * restarting gets no traffic, and a client whose connection drops reconnects
 * to a live one. When every backend refuses, the client's connection is
 * reset: what a client sees while no replica is ready. Open connections are
 * never moved: a connection lives and dies with its backend.
 */
export async function startTcpBalancer(backends: readonly number[]): Promise<TcpBalancer> {
  if (backends.length === 0) throw new TypeError("at least one backend");
  let next = 0;
  const sockets = new Set<Socket>();
  const counts = new Map<number, number>();
  const server = createServer((client) => {
    sockets.add(client);
    client.pause();
    client.on("error", () => client.destroy());
    client.on("close", () => sockets.delete(client));
    const attempt = (tried: number) => {
      if (client.destroyed) return;
      if (tried >= backends.length) {
        client.resetAndDestroy();
        return;
      }
      const port = backends[next++ % backends.length]!;
      const upstream = createConnection({ host: "127.0.0.1", port });
      upstream.once("connect", () => {
        counts.set(port, (counts.get(port) ?? 0) + 1);
        sockets.add(upstream);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(upstream);
        };
        upstream.removeAllListeners("error");
        upstream.on("error", drop).on("close", drop);
        client.on("close", drop);
        client.pipe(upstream).pipe(client);
        client.resume();
      });
      upstream.once("error", () => {
        upstream.destroy();
        attempt(tried + 1);
      });
    };
    attempt(0);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    port,
    connections: () => new Map(counts),
    async close() {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
