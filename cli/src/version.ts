/** VERSION is the CLI's version, the `version` of cli/package.json (a unit test keeps them equal). */
export const VERSION = "0.1.0";
