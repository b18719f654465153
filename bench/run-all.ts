/**
 * `npm run bench`: every benchmark in turn. Numbers go to standard output;
 * nothing here asserts on time.
 */
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
let failed = false;
for (const script of [
  "echo-throughput.js",
  "vault-latency.js",
  "registry-throughput.js",
  "resolve-throughput.js",
  "verify-latency.js",
  "silent-kms.js",
  "readiness-flip.js",
]) {
  console.log(`\n## ${script.replace(/\.js$/, "")}`);
  const result = spawnSync(process.execPath, [join(here, script)], { stdio: "inherit" });
  failed ||= result.status !== 0;
}
process.exit(failed ? 1 : 0);
