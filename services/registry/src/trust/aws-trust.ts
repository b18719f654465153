import type { CompleteSetupRequest, StartSetupRequest, StartSetupResponse } from "@planton/proto/planton/connect/v1/aws_trust_service_pb";
import type { Caller } from "../caller.js";
import type { AwsTrustDeps } from "./aws-trust-deps.js";
import { completeSetup } from "./complete-setup.js";
import { expireSetups } from "./expire-setups.js";
import { getSetup } from "./get-setup.js";
import type { SetupSnapshot } from "./setup-snapshot.js";
import { startSetup } from "./start-setup.js";
import { watchSetup } from "./watch-setup.js";

export type { AwsTrustDeps } from "./aws-trust-deps.js";
export type { SetupSnapshot } from "./setup-snapshot.js";

/** The AwsTrustService use cases. */
export interface AwsTrust {
  /**
   * Starts a setup for a new connection, or a reconnect of an existing AWS
   * connection. After checking the request (INVALID_ARGUMENT comes first)
   * and before anything is created, refuses with FAILED_PRECONDITION while
   * `config.platformIssues` lists settings the operator must fix.
   */
  start(caller: Caller, request: StartSetupRequest, signal?: AbortSignal): Promise<StartSetupResponse>;
  /**
   * The stack's callback: token-authenticated, single-use. Returns the
   * connection id. `requestId` (of the callback's RPC) goes into the event.
   */
  complete(request: CompleteSetupRequest, signal?: AbortSignal, requestId?: string): Promise<string>;
  /** A setup of the caller's organization and its connection. */
  get(caller: Caller, setupId: string): Promise<SetupSnapshot>;
  /** Snapshots whenever the setup or its connection changes, until the setup is settled (see WatchSetup). */
  watch(caller: Caller, setupId: string, signal: AbortSignal): AsyncGenerator<SetupSnapshot>;
  /** One sweep: marks pending setups past their expiry EXPIRED and shreds their sealed external ids. */
  expirePass(): Promise<number>;
}

/**
 * createAwsTrust builds the cross-account trust flow, one operation per
 * file of this folder. The external id of a setup is sealed in the vault as
 * a version of the connection from the start (never written to a table); on
 * completion a new version sealing both the role ARN and the external id
 * becomes the connection's current version, so a deployment pinned to the
 * previous version keeps the previous role.
 */
export function createAwsTrust(deps: AwsTrustDeps): AwsTrust {
  const context = { ...deps, now: deps.now ?? (() => new Date()) };
  return {
    start: (caller, request, signal) => startSetup(context, caller, request, signal),
    complete: (request, signal, requestId) => completeSetup(context, request, signal, requestId),
    get: (caller, setupId) => getSetup(context, caller, setupId),
    watch: (caller, setupId, signal) => watchSetup(context, caller, setupId, signal),
    expirePass: () => expireSetups(context),
  };
}
