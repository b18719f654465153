import type { Server } from "node:net";

/** A started listener: its bound port and a graceful close. */
export interface Listener {
  readonly port: number;
  /** Stops accepting, lets in-flight calls finish for up to `graceMs`, then closes. */
  close(graceMs: number): Promise<void>;
}

/** Binds `server` and resolves with the bound port (useful when `port` is 0). */
export function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : port);
    });
  });
}
