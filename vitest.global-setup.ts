import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { silentLogger } from "@planton/logging";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "@planton/db";

declare module "vitest" {
  export interface ProvidedContext {
    /** Server-level PostgreSQL URL; test files create their own databases on it. */
    databaseUrl: string;
  }
}

let embedded: EmbeddedPostgres | undefined;

/**
 * Tests use the PostgreSQL in DATABASE_URL (CI and the development machines
 * have one) and otherwise start the embedded one, as `npm start` does.
 */
export async function setup(project: TestProject): Promise<void> {
  let url = process.env["DATABASE_URL"];
  if (url === undefined || url === "") {
    embedded = await startEmbeddedPostgres({ dataDir: await mkdtemp(join(tmpdir(), "planton-test-")), logger: silentLogger });
    url = embedded.url;
  }
  project.provide("databaseUrl", url);
}

export async function teardown(): Promise<void> {
  await embedded?.stop();
}
