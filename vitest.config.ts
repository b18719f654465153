import { defineConfig } from "vitest/config";

// One suite for the whole workspace: unit tests beside the source
// (src/**/*.test.ts) and integration tests against the machine's PostgreSQL
// and NATS (test/**/*.int.test.ts), each file in its own forked process and
// its own fresh database. The web console's component tests (web/test) pick
// happy-dom per file (`// @vitest-environment happy-dom`); its end-to-end
// tests (web/e2e) drive Chromium against a real all-in-one process.
//
// Tests that measure a whole process (the fuzz test checks that the memory
// of `npm start` comes back) run alone, after everything else: on a 2-core
// machine, other test files running beside them would decide the result.
// The replica test runs eleven service processes for a minute and a half:
// beside other files it would slow them past their timeouts.
const ALONE = ["services/all-in-one/test/fuzz.int.test.ts", "services/all-in-one/test/replicas.int.test.ts"];

export default defineConfig({
  test: {
    exclude: ["**/node_modules/**", "**/dist/**"],
    pool: "forks",
    globalSetup: ["./vitest.global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: "suite",
          include: [
            "libs/*/src/**/*.test.ts",
            "libs/*/test/**/*.test.ts",
            "services/*/src/**/*.test.ts",
            "services/*/test/**/*.test.ts",
            "cli/src/**/*.test.ts",
            "cli/test/**/*.test.ts",
            "web/test/**/*.test.{ts,tsx}",
            "web/e2e/**/*.test.ts",
            "deploy/**/*.test.mjs",
          ],
          exclude: ["**/node_modules/**", "**/dist/**", ...ALONE],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: "alone", include: ALONE, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
