/**
 * ExitCode lists the process exit codes of `planton`. Scripts branch on
 * them, so they are part of the CLI's contract (see the README).
 */
export const ExitCode = {
  /** The command did what was asked. */
  ok: 0,
  /** The request was refused or failed (a ConnectError, a failed verification, an expired setup). */
  failure: 1,
  /** The command line itself is wrong: unknown command or flag, missing or conflicting flags. */
  usage: 2,
  /** The planton API could not be reached at all. */
  unreachable: 3,
  /** Interrupted with Ctrl-C (128 + SIGINT, as shells report it). */
  interrupted: 130,
} as const;

/** ExitCodeValue is one of the {@link ExitCode} values. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
