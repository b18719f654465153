import { AwsTrustSetupState } from "@planton/proto/planton/connect/v1/aws_trust_service_pb";
import { AuthMode, ConnectionStatus } from "@planton/proto/planton/connect/v1/provider_pb";
import { Violations } from "@planton/server";
import type { Caller } from "../caller.js";
import { ConnectionNotFoundError, SetupNotFoundError } from "../errors.js";
import type { TrustContext } from "./aws-trust-deps.js";
import { loadSnapshot, type SetupSnapshot } from "./setup-snapshot.js";

/**
 * WatchSetup: a snapshot now and whenever the setup or its connection
 * changes (polled every `config.watchPollMs`), until the setup is settled,
 * the connection is deleted, `signal` aborts, or the setup's lifetime plus
 * ten minutes has passed.
 */
export async function* watchSetup(
  deps: Pick<TrustContext, "db" | "config" | "now" | "rotation">,
  caller: Caller,
  setupId: string,
  signal: AbortSignal,
): AsyncGenerator<SetupSnapshot> {
  new Violations().check(setupId !== "", "setup_id", "REQUIRED", "is required").throwIfAny();
  let last = "";
  let first = true;
  // Bounded: a watch outlives neither the setup by much nor a missing verifier.
  const deadline = deps.now().getTime() + deps.config.setupTtlMs + 10 * 60_000;
  while (!signal.aborted) {
    let current: SetupSnapshot;
    try {
      current = await loadSnapshot(deps, caller.orgId, setupId);
    } catch (error) {
      // The connection (and with it the setup) was deleted while watched.
      if (!first && (error instanceof SetupNotFoundError || error instanceof ConnectionNotFoundError)) return;
      throw error;
    }
    first = false;
    // The etag moves only with user-visible content (spec, name, version):
    // status and the verification result are compared on their own.
    const c = current.connection;
    const fingerprint = `${current.setup.state}/${c.etag}/${c.status}/${c.lastVerification?.verifyTime?.seconds ?? ""}.${c.lastVerification?.verifyTime?.nanos ?? ""}`;
    if (fingerprint !== last) {
      last = fingerprint;
      yield current;
    }
    if (isSettled(current) || deps.now().getTime() >= deadline) return;
    await sleep(deps.config.watchPollMs, signal);
  }
}

// Settled: nothing more will happen to this setup without a new request.
function isSettled({ setup, connection }: SetupSnapshot): boolean {
  if (setup.state === AwsTrustSetupState.EXPIRED || setup.state === AwsTrustSetupState.SUPERSEDED) return true;
  if (setup.state !== AwsTrustSetupState.COMPLETED) return false;
  return (
    connection.status === ConnectionStatus.VERIFIED ||
    connection.status === ConnectionStatus.VERIFICATION_FAILED ||
    connection.authMode !== AuthMode.CROSS_ACCOUNT_TRUST
  );
}

// Resolves after `ms`, or at once when `signal` aborts.
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
