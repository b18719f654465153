import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { TestProject } from "vitest/node";
import { silentLogger } from "@planton/logging";
import { embeddedPostgresDir, startEmbeddedPostgres, type EmbeddedPostgres } from "@planton/db";

declare module "vitest" {
  export interface ProvidedContext {
    /** Server-level PostgreSQL URL; test files create their own databases on it. */
    databaseUrl: string;
    /** NATS with JetStream; tests use their own stream names so they never collide. */
    natsUrl: string;
  }
}

let embedded: EmbeddedPostgres | undefined;
let embeddedDataDir: string | undefined;

/**
 * Tests use the PostgreSQL in DATABASE_URL (CI and the development machines
 * have one) and otherwise start the embedded one, as `npm start` does.
 */
export async function setup(project: TestProject): Promise<void> {
  let url = process.env["DATABASE_URL"];
  if (url === undefined || url === "") {
    embeddedDataDir = await mkdtemp(join(tmpdir(), "planton-test-"));
    embedded = await startEmbeddedPostgres({ dataDir: embeddedDataDir, logger: silentLogger });
    url = embedded.url;
  }
  project.provide("databaseUrl", url);
  project.provide("natsUrl", process.env["NATS_URL"] || "nats://127.0.0.1:4222");
}

export async function teardown(): Promise<void> {
  await embedded?.stop();
  if (embeddedDataDir !== undefined) {
    await rm(dirname(embeddedPostgresDir(embeddedDataDir)), { recursive: true, force: true });
    await rm(embeddedDataDir, { recursive: true, force: true });
  }
}
