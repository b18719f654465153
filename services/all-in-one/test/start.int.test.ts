import { afterAll, describe, expect, it } from "vitest";
import { HealthCheckResponse_ServingStatus } from "@planton/proto/grpc/health/v1/health_pb";
import { cleanUpAllInOne, startAllInOne } from "@planton/testing";
import { healthCheck } from "./support/health-client.js";

afterAll(cleanUpAllInOne);

describe("npm start (the embedded default)", () => {
  it("answers the gRPC health check on both ports, prints a user token without `internal`, serves the registry and authz with it, and exits 0 on SIGTERM", async () => {
    const started = await startAllInOne();
    expect(await healthCheck(started.grpcAddress)).toBe(HealthCheckResponse_ServingStatus.SERVING);
    expect(await healthCheck(started.httpAddress)).toBe(HealthCheckResponse_ServingStatus.SERVING);

    // The printed token is a person's: every user scope, never `internal`
    // (which opens the vault, and with it any organization's credentials).
    const claims = JSON.parse(Buffer.from(started.token.split(".")[1]!, "base64url").toString()) as { sub: string; org: string; scope: string };
    expect(claims).toMatchObject({ sub: "dev-user", org: "dev-org" });
    expect(claims.scope.split(" ").sort()).toEqual(["connections:read", "connections:write", "credentials:resolve", "environments:admin"]);
    expect(started.banner).toContain("scopes connections:read connections:write environments:admin credentials:resolve");
    // So the internal vault refuses it.
    const seal = await fetch(`http://${started.httpAddress}/planton.connect.v1.VaultService/SealCredential`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${started.token}` },
      body: JSON.stringify({ orgId: "dev-org", connectionId: "awsconn_start", payload: Buffer.from("hello").toString("base64") }),
    });
    expect(seal.status).toBe(403);
    expect(await seal.json()).toMatchObject({ code: "permission_denied" });

    // The registry runs beside the vault: a connection created with the
    // same token is sealed by the in-process vault and readable back.
    const created = await fetch(`http://${started.httpAddress}/planton.connect.v1.ConnectionService/CreateConnection`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${started.token}` },
      body: JSON.stringify({ name: "dev-civo-london", spec: { civo: { apiToken: "civo-api-token-0123456789abcdef", defaultRegion: "LON1" } } }),
    });
    expect(created.status).toBe(200);
    const body = (await created.json()) as { connection: { slug: string; credentialVersion: number; details: unknown } };
    expect(body.connection.slug).toBe("dev-civo-london");
    expect(body.connection.credentialVersion).toBe(1);
    expect(JSON.stringify(body)).not.toContain("civo-api-token-0123456789abcdef");

    // authz runs beside them: authorize, then a deployment resolves the credentials.
    const call = (method: string, payload: unknown) =>
      fetch(`http://${started.httpAddress}/planton.connect.v1.EnvironmentAuthorizationService/${method}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${started.token}` },
        body: JSON.stringify(payload),
      });
    expect((await call("AuthorizeConnection", { connection: "dev-civo-london", scope: "AUTHORIZATION_SCOPE_ORGANIZATION" })).status).toBe(200);
    const resolved = await call("ResolveCredentials", {
      deploymentId: "deploy-1",
      environment: "prod",
      provider: "PROVIDER_CIVO",
      connection: "dev-civo-london",
    });
    expect(resolved.status).toBe(200);
    const credentials = (await resolved.json()) as { credentialVersion: number; inline: { civo: { apiToken: string } } };
    expect(credentials.credentialVersion).toBe(1);
    expect(credentials.inline.civo.apiToken).toBe("civo-api-token-0123456789abcdef");

    expect(await started.stop()).toBe(0);
    expect(started.output()).not.toContain("aGVsbG8"); // the payload never reaches the logs
    // No other token is printed or logged: the process mints no service token at all.
    // The development token appears twice: on its own line and in the console's sign-in link.
    expect(started.output().match(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g)).toEqual([started.token, started.token]);
    expect(started.output()).toContain(`/#token=${started.token}\n`);
    expect(started.output()).not.toContain("civo-api-token-0123456789abcdef");
  }, 90_000);
});
