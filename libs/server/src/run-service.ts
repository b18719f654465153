import { ConfigError } from "@planton/config";
import { scrubText, type Logger } from "@planton/logging";
import { onShutdownSignal } from "./shutdown-signals.js";

/** What a service's start hands back once it serves: its logger and how to stop it. */
export interface StartedService {
  readonly logger: Logger;
  /** Stops the service in order (listeners first, then consumers, probes, pools); runs once. */
  stop(): Promise<void>;
}

/**
 * runService is the `main` of every service process. It runs `start` (which
 * reads the environment once and starts serving); on the first SIGTERM or
 * SIGINT it logs "shutting down", runs `stop` and exits (see
 * {@link onShutdownSignal}). A `start` that resolves with nothing was a
 * one-shot command (`migrate`): the process ends when its work does. A
 * `start` that fails prints one line on stderr and exits 1: a
 * {@link ConfigError} as it is (it names the variable, never its value),
 * anything else as "`name` failed to start: ..." with secrets scrubbed.
 */
export function runService(name: string, start: () => Promise<StartedService | undefined>): void {
  start().then(
    (service) => {
      if (service === undefined) return;
      onShutdownSignal(async (signal) => {
        service.logger.info({ signal }, "shutting down");
        await service.stop();
      });
    },
    (error: unknown) => {
      console.error(
        error instanceof ConfigError ? error.message : scrubText(`${name} failed to start: ${error instanceof Error ? error.message : String(error)}`),
      );
      process.exit(1);
    },
  );
}
