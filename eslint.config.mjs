// ESLint for the whole workspace (`npm run lint`, run by .ci/run): the
// type-checked recommended rules of typescript-eslint on every TypeScript
// file, with the same tsconfig files as `npm run typecheck`, and ESLint's
// recommended rules on the plain JavaScript scripts. Formatting is Prettier's
// business (prettier.config.mjs), not ESLint's.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    // Build output, and the code `npm run generate` writes from proto/.
    ignores: ["**/dist/**", "**/node_modules/**", "libs/proto/src/gen/**"],
  },
  { linterOptions: { reportUnusedDisableDirectives: "error" } },
  js.configs.recommended,
  {
    files: ["**/*.ts", "**/*.tsx"],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        project: [
          "./libs/*/tsconfig.json",
          "./services/*/tsconfig.json",
          "./cli/tsconfig.json",
          "./bench/tsconfig.json",
          "./tsconfig.test.json",
          "./web/tsconfig.test.json",
        ],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // Functions that implement an async contract (ports, handlers, fakes)
      // are `async` without awaiting so that a throw becomes a rejection;
      // the code relies on that, and removing `async` would change it.
      "@typescript-eslint/require-await": "off",
      // Protobuf enums are numbers on the wire and in the database columns
      // (smallint); comparing a stored number or 0 ("unset") with an enum
      // value is the point, not an accident.
      "@typescript-eslint/no-unsafe-enum-comparison": "off",
      // AbortSignal.reason is typed `any`, and a caught failure is `unknown`;
      // passing either on unchanged as the rejection is what a wrapper must do.
      "@typescript-eslint/prefer-promise-reject-errors": ["error", { allowThrowingAny: true, allowThrowingUnknown: true }],
      // A leading underscore marks a binding that exists only to be dropped
      // (`const { tenant: _dropped, ...rest } = x`, `for await (const _ of s)`).
      "@typescript-eslint/no-unused-vars": ["error", { varsIgnorePattern: "^_", argsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
      // Components that call each other are wired with `let x; ... x = build()`
      // where a closure built earlier reads `x` later: not a const.
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
    },
  },
  {
    files: ["**/*.test.ts", "**/test/**/*.ts"],
    rules: {
      // vitest's asymmetric matchers (expect.any, expect.objectContaining,
      // expect.stringContaining) are typed `any` by design.
      "@typescript-eslint/no-unsafe-assignment": "off",
      // Tests stringify parsed JSON and raw protocol values to assert on
      // the text a client would see.
      "@typescript-eslint/no-base-to-string": "off",
    },
  },
  {
    // Migrations and DDL take `Kysely<any>`, as Kysely documents: they must
    // not depend on the schema types of today's code.
    files: ["**/migrations/*.ts", "libs/events/src/outbox-table.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    files: ["**/*.mjs"],
    languageOptions: { globals: { ...globals.node } },
  },
);
