import { randomUUID } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import { AuthorizationScope, EnvironmentAuthorizationService } from "@planton/proto/planton/connect/v1/authz_service_pb";
import { AwsTrustService } from "@planton/proto/planton/connect/v1/aws_trust_service_pb";
import type { Connection } from "@planton/proto/planton/connect/v1/connection_pb";
import { ConnectionService } from "@planton/proto/planton/connect/v1/connection_service_pb";
import { AwsCapability, Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import { failureOf, type CallOutcome, type RetryingClient, type UnexpectedFailure } from "./retrying-client.js";

/** A resolve the client saw succeed: the audit log must hold it, the pin must match it. */
export interface SeenResolve {
  readonly requestId: string;
  readonly deploymentId: string;
  readonly connectionId: string;
  readonly version: number;
}

/** Everything the clients saw, for the proofs. */
export interface Ledger {
  readonly resolves: SeenResolve[];
  /** Deployments released by the client (their pins are gone on purpose). */
  readonly released: Set<string>;
  /** Connection ids the workload created, with the kind of credentials. */
  readonly connections: Map<string, "inline" | "trust">;
  readonly failures: UnexpectedFailure[];
  readonly counts: { creates: number; rotations: number; trustCompletions: number; resolves: number; releases: number };
}

/** newLedger starts an empty {@link Ledger}. */
export function newLedger(): Ledger {
  return {
    resolves: [],
    released: new Set(),
    connections: new Map(),
    failures: [],
    counts: { creates: 0, rotations: 0, trustCompletions: 0, resolves: 0, releases: 0 },
  };
}

/** The clients a worker uses: registry and authz through their balancers, the trust callback over HTTP. */
export interface WorkloadClients {
  readonly registry: RetryingClient;
  readonly authz: RetryingClient;
  /** Base URL of the registry's balanced Connect listener (where the stack's Lambda posts). */
  readonly registryHttpUrl: string;
  /** Makes the role of a trust setup assumable at the fake STS. */
  addRole(role: { roleArn: string; trustedPrincipalArn: string; externalId: string }): void;
}

const ENVIRONMENT = "prod";
const CUSTOMER_ACCOUNT = "210987654321";

// A Civo token the fake Civo accepts.
const civoToken = () => `civogood${randomUUID().replace(/-/g, "")}`;

/**
 * inlineWorker loops until `stopAt`: creates a Civo connection, authorizes it,
 * resolves a deployment (pinning version 1), rotates it, resolves a second
 * deployment (version 2) and the first again (still version 1: the pin),
 * releases the first (so version 1 is left to retention), and rotates once
 * more. The second deployment is handed to `stable` for the resolvers.
 */
export async function inlineWorker(worker: number, clients: WorkloadClients, ledger: Ledger, stopAt: number, stable: SeenResolve[]): Promise<void> {
  for (let round = 0; Date.now() < stopAt; round++) {
    const name = `inline w${worker} r${round}`;
    let connection = await createInline(clients, ledger, name);
    if (connection === undefined) continue;
    if (!(await authorize(clients, ledger, connection.id))) continue;
    const first = `dep-${connection.id}-a`;
    const pinned = await resolve(clients, ledger, first, connection.id);
    connection = await rotate(clients, ledger, connection);
    if (connection === undefined) continue;
    const second = await resolve(clients, ledger, `dep-${connection.id}-b`, connection.id);
    if (second !== undefined) stable.push(second);
    const again = await resolve(clients, ledger, first, connection.id);
    if (pinned !== undefined && again !== undefined && again.version !== pinned.version) {
      ledger.failures.push({ what: `resolve ${first}`, code: "PIN_BROKEN", message: `pinned ${pinned.version}, got ${again.version}` });
    }
    if (await release(clients, ledger, first)) ledger.released.add(first);
    await rotate(clients, ledger, connection);
  }
}

/**
 * trustWorker loops until `stopAt`: starts an AWS trust setup, plays the
 * stack (the role at the fake STS, the custom resource's callback), resolves
 * a deployment, then reconnects the connection to a new role (a second
 * completion: a new version, the first retired) and releases the deployment.
 */
export async function trustWorker(worker: number, clients: WorkloadClients, ledger: Ledger, stopAt: number): Promise<void> {
  for (let round = 0; Date.now() < stopAt; round++) {
    const name = `trust w${worker} r${round}`;
    const connectionId = await setUpTrust(clients, ledger, { name }, `${name.replace(/ /g, "-")}-1`);
    if (connectionId === undefined) continue;
    if (!(await authorize(clients, ledger, connectionId))) continue;
    const deployment = `dep-${connectionId}-t`;
    await resolve(clients, ledger, deployment, connectionId);
    await setUpTrust(clients, ledger, { name, reconnect: connectionId }, `${name.replace(/ /g, "-")}-2`);
    if (await release(clients, ledger, deployment)) ledger.released.add(deployment);
  }
}

/** resolverWorker re-resolves deployments that are never released, until `stopAt`; each must keep its pinned version. */
export async function resolverWorker(clients: WorkloadClients, ledger: Ledger, stopAt: number, stable: SeenResolve[]): Promise<void> {
  while (Date.now() < stopAt) {
    const target = stable[Math.floor(Math.random() * stable.length)];
    if (target === undefined) {
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    const seen = await resolve(clients, ledger, target.deploymentId, target.connectionId);
    if (seen !== undefined && seen.version !== target.version) {
      ledger.failures.push({ what: `resolve ${target.deploymentId}`, code: "PIN_BROKEN", message: `pinned ${target.version}, got ${seen.version}` });
    }
  }
}

async function createInline(clients: WorkloadClients, ledger: Ledger, name: string): Promise<Connection | undefined> {
  const outcome = await clients.registry.call(ConnectionService.method.createConnection, {
    name,
    spec: { provider: { case: "civo", value: { apiToken: civoToken(), defaultRegion: "LON1" } } },
  });
  let connection = outcome.response?.connection;
  // A retry of a create that landed: the name is taken by our own connection.
  if (connection === undefined && outcome.ambiguous && outcome.error?.code === grpc.status.ALREADY_EXISTS)
    connection = await get(clients, ledger, slugOf(name));
  if (connection === undefined) return fail(ledger, `create ${name}`, outcome);
  ledger.counts.creates++;
  ledger.connections.set(connection.id, "inline");
  return connection;
}

async function rotate(clients: WorkloadClients, ledger: Ledger, connection: Connection): Promise<Connection | undefined> {
  const outcome = await clients.registry.call(ConnectionService.method.updateConnection, {
    connection: connection.id,
    etag: connection.etag,
    spec: { provider: { case: "civo", value: { apiToken: civoToken(), defaultRegion: "LON1" } } },
    updateMask: { paths: ["spec.civo.api_token"] },
  });
  let updated = outcome.response?.connection;
  // A retry of a rotation that landed sees its own new etag as stale: the version moved by exactly one.
  if (updated === undefined && outcome.ambiguous && outcome.error?.code === grpc.status.ABORTED) {
    const now = await get(clients, ledger, connection.id);
    if (now?.credentialVersion === connection.credentialVersion + 1) updated = now;
  }
  if (updated === undefined) return fail(ledger, `rotate ${connection.id}`, outcome);
  ledger.counts.rotations++;
  return updated;
}

async function get(clients: WorkloadClients, ledger: Ledger, reference: string): Promise<Connection | undefined> {
  const outcome = await clients.registry.call(ConnectionService.method.getConnection, { connection: reference });
  return outcome.response?.connection ?? fail(ledger, `get ${reference}`, outcome);
}

async function authorize(clients: WorkloadClients, ledger: Ledger, connectionId: string): Promise<boolean> {
  const outcome = await clients.authz.call(EnvironmentAuthorizationService.method.authorizeConnection, {
    connection: connectionId,
    scope: AuthorizationScope.ORGANIZATION,
  });
  return outcome.response !== undefined || fail(ledger, `authorize ${connectionId}`, outcome) !== undefined;
}

async function resolve(clients: WorkloadClients, ledger: Ledger, deploymentId: string, connectionId: string): Promise<SeenResolve | undefined> {
  const outcome = await clients.authz.call(EnvironmentAuthorizationService.method.resolveCredentials, {
    deploymentId,
    environment: ENVIRONMENT,
    provider: connectionId.startsWith("aws") ? Provider.AWS : Provider.CIVO,
    connection: connectionId,
  });
  if (outcome.response === undefined) return fail(ledger, `resolve ${deploymentId}`, outcome);
  const seen = { requestId: outcome.requestId, deploymentId, connectionId, version: outcome.response.credentialVersion };
  ledger.resolves.push(seen);
  ledger.counts.resolves++;
  return seen;
}

async function release(clients: WorkloadClients, ledger: Ledger, deploymentId: string): Promise<boolean> {
  const outcome = await clients.authz.call(EnvironmentAuthorizationService.method.releaseDeployment, { deploymentId });
  if (outcome.response === undefined) return fail(ledger, `release ${deploymentId}`, outcome) !== undefined;
  ledger.counts.releases++;
  return true;
}

/**
 * setUpTrust runs one AWS trust setup to completion as CloudFormation and its
 * custom resource would, and returns the connection id. A retried StartSetup
 * for a new connection whose first attempt landed finds the name taken; the
 * connection is then reconnected instead (a newer setup supersedes the lost one).
 */
async function setUpTrust(
  clients: WorkloadClients,
  ledger: Ledger,
  request: { name: string; reconnect?: string },
  roleName: string,
): Promise<string | undefined> {
  let outcome = await clients.registry.call(AwsTrustService.method.startSetup, {
    name: request.name,
    accountId: CUSTOMER_ACCOUNT,
    region: "us-west-2",
    capabilities: [AwsCapability.EKS],
    ...(request.reconnect !== undefined ? { reconnect: request.reconnect } : {}),
  });
  if (outcome.response === undefined && request.reconnect === undefined && outcome.ambiguous && outcome.error?.code === grpc.status.ALREADY_EXISTS) {
    outcome = await clients.registry.call(AwsTrustService.method.startSetup, {
      name: request.name,
      accountId: CUSTOMER_ACCOUNT,
      region: "us-west-2",
      capabilities: [AwsCapability.EKS],
      reconnect: slugOf(request.name),
    });
  }
  const started = outcome.response;
  if (started === undefined) return fail(ledger, `start setup ${request.name}`, outcome);
  const connectionId = started.connection!.id;
  ledger.connections.set(connectionId, "trust");
  const link = started.quickCreateUrl;
  const params = new URLSearchParams(link.slice(link.indexOf("?", link.indexOf("#")) + 1));
  const roleArn = `arn:aws:iam::${CUSTOMER_ACCOUNT}:role/${roleName}`;
  clients.addRole({ roleArn, trustedPrincipalArn: params.get("param_TrustedPrincipalArn")!, externalId: params.get("param_ExternalId")! });
  const body = JSON.stringify({
    setupId: params.get("param_SetupId"),
    token: params.get("param_CallbackToken"),
    roleArn,
    accountId: CUSTOMER_ACCOUNT,
    stackId: `arn:aws:cloudformation:us-west-2:${CUSTOMER_ACCOUNT}:stack/${params.get("stackName")}/5b6c7d8e-1234-11ef-9a1b-0a1b2c3d4e5f`,
  });
  // The custom resource's Lambda: retries network errors and UNAVAILABLE; ALREADY_EXISTS on a retry means an earlier attempt landed.
  const path = new URL(params.get("param_CallbackUrl")!).pathname;
  const deadline = Date.now() + 30_000;
  for (let attempt = 1; ; attempt++) {
    let status: number;
    let code = "";
    let text = "";
    try {
      const response = await fetch(`${clients.registryHttpUrl}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body });
      status = response.status;
      text = await response.text();
      if (status !== 200) code = (JSON.parse(text) as { code?: string }).code ?? "";
    } catch (error) {
      status = 0;
      code = "unavailable";
      text = String((error as Error).cause ?? error);
    }
    if (status === 200 || (attempt > 1 && code === "already_exists")) break;
    if (code === "unavailable" && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 150));
      continue;
    }
    ledger.failures.push({ what: `complete setup ${request.name} (attempt ${attempt})`, code: code || String(status), message: text.slice(0, 300) });
    return undefined;
  }
  ledger.counts.trustCompletions++;
  return connectionId;
}

function slugOf(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, "-");
}

function fail(ledger: Ledger, what: string, outcome: Pick<CallOutcome<never>, "error" | "attempts">): undefined {
  ledger.failures.push(failureOf(what, outcome));
  return undefined;
}
