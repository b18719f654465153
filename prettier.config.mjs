// Prettier, matching the style the code was written in: double quotes,
// semicolons, trailing commas, and long lines (most files run to 140-170
// characters; 160 keeps one-line signatures and calls on one line).
// `npm run format` rewrites, `npm run format:check` checks (run by .ci/run).
/** @type {import("prettier").Config} */
export default {
  printWidth: 160,
  trailingComma: "all",
  arrowParens: "always",
};
