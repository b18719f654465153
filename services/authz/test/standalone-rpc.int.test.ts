import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { createServiceTokenSource, createTokenVerifier, signDevToken } from "@planton/auth";
import { createInProcessBus } from "@planton/events";
import { AuthorizationScope, EnvironmentAuthorizationService } from "@planton/proto/planton/connect/v1/authz_service_pb";
import { ConnectionService } from "@planton/proto/planton/connect/v1/connection_service_pb";
import { Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import { buildRegistry, createRpcPinCounter, createRpcVaultClient, loadRegistryConfig, type RegistryComponents } from "@planton/registry";
import { startServer, type RunningServer } from "@planton/server";
import { captureLogs, createTestDatabase, type TestDatabase } from "@planton/testing";
import { buildVault, loadVaultConfig, type VaultComponents } from "@planton/vault";
import { buildAuthz, type AuthzComponents } from "../src/authz-components.js";
import { loadAuthzConfig } from "../src/config.js";
import { createRpcRegistryLookup, createRpcVault } from "../src/rpc-clients.js";

// Each service deployed alone: vault, registry and authz on their own
// servers, talking over native gRPC with internal-scope service tokens.

const secret = "standalone-test-secret-0123456789-abcdefg";
const logs = captureLogs();
let database: TestDatabase;
let vault: VaultComponents;
let registry: RegistryComponents;
let authz: AuthzComponents;
const servers: RunningServer[] = [];
let authzServer: RunningServer | undefined;

const serve = async (services: Parameters<typeof startServer>[0]["services"], mapError: Parameters<typeof startServer>[0]["mapError"]) => {
  const server = await startServer({
    host: "127.0.0.1",
    port: 0,
    grpcPort: 0,
    services,
    verifier: createTokenVerifier({ kind: "hs256", secret }),
    mapError,
    logger: logs.logger,
  });
  servers.push(server);
  return server;
};

beforeAll(async () => {
  database = await createTestDatabase(inject("databaseUrl"), "standalone");
  const dataDir = await mkdtemp(join(tmpdir(), "standalone-"));
  const tokens = (subject: string) => createServiceTokenSource({ subject, devSecret: secret });
  vault = await buildVault({ config: loadVaultConfig({ DATA_DIR: dataDir }), databaseUrl: database.url, logger: logs.logger });
  const vaultServer = await serve([vault.registration], vault.mapError);
  const vaultUrl = `http://${vaultServer.grpcAddress}`;
  registry = await buildRegistry({
    config: loadRegistryConfig({ DATA_DIR: dataDir }, { requireVaultUrl: false }),
    databaseUrl: database.url,
    logger: logs.logger,
    vault: createRpcVaultClient({ baseUrl: vaultUrl, tokens: tokens("svc-registry") }),
    publisher: createInProcessBus(logs.logger),
    // authz's address is known only once it is up.
    countPins: (orgId, connectionId, signal) =>
      createRpcPinCounter({ baseUrl: `http://${authzServer!.grpcAddress}`, tokens: tokens("svc-registry") })(orgId, connectionId, signal),
  });
  const registryServer = await serve(registry.registrations, registry.mapError);
  authz = await buildAuthz({
    config: loadAuthzConfig({ DATA_DIR: dataDir }, { requireUrls: false }),
    databaseUrl: database.url,
    logger: logs.logger,
    registry: createRpcRegistryLookup(`http://${registryServer.grpcAddress}`, tokens("svc-authz")),
    vault: createRpcVault(vaultUrl, tokens("svc-authz")),
  });
  authzServer = await serve([authz.registration], authz.mapError);
});

afterAll(async () => {
  for (const server of servers) await server.shutdown(1000);
  await authz?.close();
  await registry?.close();
  await vault?.close();
  await database?.drop();
});

describe("services deployed alone", () => {
  it("create in the registry (sealed by the vault over gRPC), resolve in authz (registry and vault over gRPC), delete refused while pinned", async () => {
    const token = await signDevToken(secret, {
      subject: "deployer",
      orgId: "org-alone",
      scopes: ["connections:read", "connections:write", "environments:admin", "credentials:resolve"],
    });
    const headers = { authorization: `Bearer ${token}` };
    const registryServer = servers[1]!;
    const connections = createClient(ConnectionService, createGrpcTransport({ baseUrl: `http://${registryServer.grpcAddress}` }));
    const authzClient = createClient(EnvironmentAuthorizationService, createGrpcTransport({ baseUrl: `http://${authzServer!.grpcAddress}` }));

    const { connection } = await connections.createConnection(
      { name: "alone-civo", spec: { provider: { case: "civo", value: { apiToken: "civo-token-standalone-0000001", defaultRegion: "FRA1" } } } },
      { headers },
    );
    await authzClient.authorizeConnection({ connection: connection!.slug, scope: AuthorizationScope.ORGANIZATION }, { headers });
    const resolved = await authzClient.resolveCredentials(
      { deploymentId: "alone-d1", environment: "prod", provider: Provider.CIVO, connection: connection!.slug },
      { headers },
    );
    expect(resolved.credentials.case).toBe("inline");
    expect(
      resolved.credentials.case === "inline" && resolved.credentials.value.provider.case === "civo" ? resolved.credentials.value.provider.value.apiToken : "",
    ).toBe("civo-token-standalone-0000001");

    const other = await authzClient
      .resolveCredentials({ deploymentId: "alone-d2", environment: "prod", provider: Provider.CIVO, connection: "no-such" }, { headers })
      .catch((e: unknown) => ConnectError.from(e));
    expect(other).toMatchObject({ code: Code.NotFound });

    const refused = await connections
      .deleteConnection({ connection: connection!.slug, etag: connection!.etag }, { headers })
      .catch((e: unknown) => ConnectError.from(e));
    expect(refused).toMatchObject({ code: Code.FailedPrecondition });
    await authzClient.releaseDeployment({ deploymentId: "alone-d1" }, { headers });
    await connections.deleteConnection({ connection: connection!.slug, etag: connection!.etag }, { headers });
  });
});
