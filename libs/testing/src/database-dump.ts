import { spawn } from "node:child_process";
import pg from "pg";

/**
 * dumpDatabase returns everything a database holds as text, for tests that
 * search it for planted secrets. It uses `pg_dump` when one that can talk to
 * the server is installed, and always adds a dump of its own: every row of
 * every table in every non-system schema, with bytea also decoded as UTF-8,
 * so a secret stored as raw bytes is found too.
 */
export async function dumpDatabase(url: string): Promise<{ text: string; usedPgDump: boolean }> {
  const pgDump = await runPgDump(url).catch(() => undefined);
  const own = await selectEverything(url);
  return { text: `${pgDump ?? ""}\n${own}`, usedPgDump: pgDump !== undefined };
}

function runPgDump(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("pg_dump", ["--no-owner", url], { stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(Buffer.concat(out).toString("utf8")) : reject(new Error(`pg_dump exited ${code}`))));
  });
}

async function selectEverything(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ schema: string; table: string }>(
      `select table_schema as schema, table_name as table from information_schema.tables
       where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')`,
    );
    const parts: string[] = [];
    for (const { schema, table } of tables.rows) {
      const rows = await client.query(`select * from "${schema}"."${table}"`);
      for (const row of rows.rows as Record<string, unknown>[]) {
        for (const [column, value] of Object.entries(row)) {
          const text = Buffer.isBuffer(value) ? `${value.toString("hex")} ${value.toString("latin1")} ${value.toString("base64")}` : JSON.stringify(value);
          parts.push(`${schema}.${table}.${column}=${text}`);
        }
      }
    }
    return parts.join("\n");
  } finally {
    await client.end();
  }
}

/** Every form a marker may take in a dump: plain, base64, hex. */
export function markerForms(marker: string): string[] {
  const bytes = Buffer.from(marker, "utf8");
  return [marker, bytes.toString("base64").replace(/=+$/, ""), bytes.toString("hex")];
}
