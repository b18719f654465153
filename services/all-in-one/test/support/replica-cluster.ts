import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createTestDatabase, startTcpBalancer, type TcpBalancer, type TestDatabase } from "@planton/testing";

/** The services the cluster runs several replicas of. */
export type ReplicatedService = "registry" | "authz" | "verifier";

/** The platform's own AWS identity, which every trust role trusts (the verifier assumes roles as it). */
export const PLATFORM_AWS = {
  arn: "arn:aws:iam::999999999999:role/planton-runner",
  account: "999999999999",
  accessKeyId: "AKIAPLATFORMREPLICA1",
  secretAccessKey: "platformReplicaSecret0000000000000000000",
} as const;

/** The HS256 secret every process trusts; the test signs its tokens with it. */
export const CLUSTER_JWT_SECRET = "replica-test-secret-0123456789-0123456789";

/** One service process of the cluster. */
interface Replica {
  readonly name: string;
  readonly port: number;
  readonly grpcPort: number;
  readonly dataDir: string;
  child: ChildProcess | undefined;
  exited: Promise<number | null> | undefined;
}

/** Where the cluster's endpoints are and how to disturb it. */
export interface ReplicaCluster {
  readonly database: TestDatabase;
  readonly natsUrl: string;
  /** The balanced native gRPC port of each replicated service (a Kubernetes Service). */
  readonly grpc: Readonly<Record<ReplicatedService, number>>;
  /** The balanced Connect/HTTP port of the registry (the trust callback goes there). */
  readonly registryHttp: number;
  /** The directory holding every process's log (`<name>.log`, JSON lines, all generations appended). */
  readonly logDir: string;
  /**
   * Stops replica `index` of `service` with `signal` (SIGTERM: graceful; SIGKILL: a crash),
   * waits for it to exit and starts it again; resolves once it is listening.
   */
  restart(service: ReplicatedService, index: number, signal: "SIGTERM" | "SIGKILL"): Promise<void>;
  /** Replicas per service. */
  readonly replicas: number;
  close(): Promise<void>;
}

const MAIN = (service: string) => resolve(import.meta.dirname, `../../../${service}/dist/src/main.js`);
// What each service logs once it serves.
const READY: Record<string, string> = {
  vault: "vault listening",
  registry: "registry listening",
  authz: "authz listening",
  verifier: "verifier running",
};

/**
 * startReplicaCluster runs the platform as a cluster does: a NATS JetStream
 * server of its own (so killing things never touches the machine's NATS), a
 * fresh database on the machine's PostgreSQL, one vault, and `replicas`
 * processes each of registry, authz and verifier from their built `dist`,
 * configured by environment as in production. Each replicated service sits
 * behind a round-robin TCP balancer, which is what callers (the test, and the
 * services among themselves) use. `env` adds settings per service.
 */
export async function startReplicaCluster(options: {
  baseDatabaseUrl: string;
  replicas: number;
  env: Record<"common" | "vault" | ReplicatedService, Record<string, string>>;
}): Promise<ReplicaCluster> {
  const root = await mkdtemp(join(tmpdir(), "planton-replicas-"));
  const logDir = join(root, "logs");
  await mkdir(logDir);
  const logs = new Map<string, WriteStream>();
  const logOf = (name: string) => {
    let stream = logs.get(name);
    if (stream === undefined) logs.set(name, (stream = createWriteStream(join(logDir, `${name}.log`), { flags: "a" })));
    return stream;
  };
  const natsPort = await freePort();
  const nats = spawn("/usr/sbin/nats-server", ["-js", "-sd", join(root, "nats"), "-a", "127.0.0.1", "-p", String(natsPort)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  nats.stdout?.pipe(logOf("nats"));
  nats.stderr?.pipe(logOf("nats"));
  await waitForPort(natsPort, 10_000);
  const natsUrl = `nats://127.0.0.1:${natsPort}`;
  const database = await createTestDatabase(options.baseDatabaseUrl, "replicas");

  const make = async (name: string): Promise<Replica> => ({
    name,
    port: await freePort(),
    grpcPort: await freePort(),
    dataDir: join(root, name),
    child: undefined,
    exited: undefined,
  });
  const vault = await make("vault");
  const services: ReplicatedService[] = ["registry", "authz", "verifier"];
  const replicas = {} as Record<ReplicatedService, Replica[]>;
  for (const service of services) {
    replicas[service] = [];
    for (let i = 0; i < options.replicas; i++) replicas[service].push(await make(`${service}-${i}`));
  }
  const balancers: TcpBalancer[] = [];
  const balance = async (ports: number[]) => {
    const b = await startTcpBalancer(ports);
    balancers.push(b);
    return b.port;
  };
  const grpc = {
    registry: await balance(replicas.registry.map((r) => r.grpcPort)),
    authz: await balance(replicas.authz.map((r) => r.grpcPort)),
    verifier: await balance(replicas.verifier.map((r) => r.grpcPort)),
  };
  const registryHttp = await balance(replicas.registry.map((r) => r.port));
  const vaultUrl = `http://127.0.0.1:${vault.grpcPort}`;
  const serviceEnv: Record<"vault" | ReplicatedService, Record<string, string>> = {
    vault: { ...options.env.vault },
    registry: { VAULT_URL: vaultUrl, AUTHZ_URL: `http://127.0.0.1:${grpc.authz}`, PUBLIC_URL: `http://127.0.0.1:${registryHttp}`, ...options.env.registry },
    authz: { VAULT_URL: vaultUrl, REGISTRY_URL: `http://127.0.0.1:${grpc.registry}`, ...options.env.authz },
    verifier: { VAULT_URL: vaultUrl, REGISTRY_URL: `http://127.0.0.1:${grpc.registry}`, ...options.env.verifier },
  };

  const start = async (replica: Replica, service: "vault" | ReplicatedService) => {
    await mkdir(replica.dataDir, { recursive: true });
    const child = spawn(process.execPath, [MAIN(service)], {
      env: {
        PATH: process.env["PATH"] ?? "",
        HOME: process.env["HOME"] ?? "",
        HOST: "127.0.0.1",
        PORT: String(replica.port),
        GRPC_PORT: String(replica.grpcPort),
        METRICS_PORT: "0",
        DATA_DIR: replica.dataDir,
        DATABASE_URL: database.url,
        NATS_URL: natsUrl,
        AUTH_JWT_SECRET: CLUSTER_JWT_SECRET,
        ...options.env.common,
        ...serviceEnv[service],
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    replica.child = child;
    replica.exited = new Promise((resolveExit) => child.once("exit", (code) => resolveExit(code)));
    const log = logOf(replica.name);
    let seen = "";
    await new Promise<void>((resolveReady, reject) => {
      const timer = setTimeout(() => reject(new Error(`${replica.name} not listening within 30 s:\n${seen.slice(-4000)}`)), 30_000);
      const onData = (chunk: Buffer) => {
        log.write(chunk);
        if (seen.length < 1_000_000) seen += chunk.toString();
        if (seen.includes(READY[service]!)) {
          clearTimeout(timer);
          seen = "";
          resolveReady();
        }
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", (chunk: Buffer) => log.write(chunk));
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`${replica.name} exited ${code} before listening:\n${seen.slice(-4000)}`));
      });
    });
  };

  const stop = async (replica: Replica, signal: NodeJS.Signals) => {
    if (replica.child === undefined || replica.child.exitCode !== null || replica.child.signalCode !== null) return;
    replica.child.kill(signal);
    const timer = setTimeout(() => replica.child?.kill("SIGKILL"), 20_000);
    await replica.exited;
    clearTimeout(timer);
  };

  const all = () => [vault, ...services.flatMap((s) => replicas[s])];
  const close = async () => {
    await Promise.all(all().map((r) => stop(r, "SIGTERM")));
    await Promise.all(balancers.map((b) => b.close()));
    nats.kill("SIGTERM");
    await new Promise((resolveExit) => (nats.exitCode !== null ? resolveExit(undefined) : nats.once("exit", resolveExit)));
    await database.drop();
    for (const stream of logs.values()) await new Promise((resolveEnd) => stream.end(resolveEnd));
    if (process.env["KEEP_REPLICA_LOGS"] === undefined) await rm(root, { recursive: true, force: true });
  };

  try {
    await start(vault, "vault");
    // The first replica of each migrates its schema alone; the others start together.
    for (const service of services) await start(replicas[service][0]!, service);
    await Promise.all(services.flatMap((service) => replicas[service].slice(1).map((r) => start(r, service))));
  } catch (error) {
    await close();
    throw error;
  }

  return {
    database,
    natsUrl,
    grpc,
    registryHttp,
    logDir,
    replicas: options.replicas,
    async restart(service, index, signal) {
      const replica = replicas[service][index]!;
      await stop(replica, signal);
      await start(replica, service);
    },
    close,
  };
}

/** A port nothing listens on now (the kernel's choice, released at once). */
function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolveOpen) => {
      const socket = new Socket();
      socket.once("connect", () => {
        socket.destroy();
        resolveOpen(true);
      });
      socket.once("error", () => resolveOpen(false));
      socket.connect(port, "127.0.0.1");
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
