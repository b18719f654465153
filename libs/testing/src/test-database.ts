import { randomBytes } from "node:crypto";
import pg from "pg";

/** A database made for one test file. */
export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  /** Drops the database (terminating leftover connections). */
  drop(): Promise<void>;
}

/**
 * createTestDatabase makes a fresh, empty database on the server of `baseUrl`
 * (the machine's PostgreSQL in CI, the embedded one otherwise), so each test
 * file starts from the real migrations and nothing leaks between files.
 */
export async function createTestDatabase(baseUrl: string, label = "t"): Promise<TestDatabase> {
  const name = `${label.replace(/[^a-z0-9_]/g, "_").slice(0, 30)}_${randomBytes(6).toString("hex")}`;
  await admin(baseUrl, `create database "${name}"`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      await admin(baseUrl, `drop database if exists "${name}" with (force)`);
    },
  };
}

async function admin(baseUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
