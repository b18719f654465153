import { defineConfig } from "vitest/config";

// One suite for the whole workspace: unit tests beside the source
// (src/**/*.test.ts) and integration tests against the machine's PostgreSQL
// and NATS (test/**/*.int.test.ts), each file in its own forked process and
// its own fresh database.
export default defineConfig({
  test: {
    include: ["libs/*/src/**/*.test.ts", "libs/*/test/**/*.test.ts", "services/*/src/**/*.test.ts", "services/*/test/**/*.test.ts", "cli/src/**/*.test.ts", "cli/test/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**"],
    pool: "forks",
    globalSetup: ["./vitest.global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
