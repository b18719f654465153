import * as net from "node:net";

/** Options of {@link createSocketAcceptor}. */
export interface SocketAcceptorOptions {
  /** Open connections at most; the OS-level accept still happens, and Node closes the extra socket at once. */
  readonly maxConnections: number;
  /** A connection that sends fewer than `prefixBytes` within this time is closed. */
  readonly firstBytesTimeoutMs: number;
  /** How many bytes to wait for before handing the socket over (3 tells HTTP/2's "PRI" preface from HTTP/1.1). */
  readonly prefixBytes: number;
  /** Receives the socket with its first bytes put back, and those bytes to decide where it goes. */
  readonly onSocket: (socket: net.Socket, prefix: Buffer) => void;
}

/** A TCP server with the sockets it holds, for a graceful close. */
export interface SocketAcceptor {
  readonly server: net.Server;
  /** Sockets currently open (handed over or not). */
  readonly sockets: ReadonlySet<net.Socket>;
}

/**
 * createSocketAcceptor is the TCP front of a listener: it caps open
 * connections, closes a connection that does not send its first bytes in
 * time (an idle socket would otherwise be held forever: no HTTP parser has
 * seen it yet, so none of Node's HTTP timeouts apply), and hands each socket
 * over with its first bytes unread, so the HTTP layer can be chosen from them.
 */
export function createSocketAcceptor(options: SocketAcceptorOptions): SocketAcceptor {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    // A reset from a client must not become an uncaught 'error'.
    socket.on("error", () => socket.destroy());
    let seen: Buffer = Buffer.alloc(0);
    const timer = setTimeout(() => socket.destroy(), options.firstBytesTimeoutMs);
    timer.unref();
    const onData = (chunk: Buffer) => {
      seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
      if (seen.length < options.prefixBytes) return;
      clearTimeout(timer);
      socket.off("data", onData);
      socket.pause();
      socket.unshift(seen);
      options.onSocket(socket, seen);
      process.nextTick(() => socket.resume());
    };
    socket.on("data", onData);
    socket.once("close", () => clearTimeout(timer));
  });
  server.maxConnections = options.maxConnections;
  return { server, sockets };
}
