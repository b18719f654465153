import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { AuthorizationScope, type ResolveCredentialsResponse } from "@planton/proto/planton/connect/v1/authz_service_pb";
import { CompleteSetupRequestSchema, StartSetupRequestSchema, type StartSetupResponse } from "@planton/proto/planton/connect/v1/aws_trust_service_pb";
import { AuthMode, Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import { captureLogs, rpcFailure } from "@planton/testing";
import { startPlatform, type PlatformHarness } from "./support/platform-harness.js";

// Resolving AWS cross-account trust connections: deployments get the role and
// its external id from the sealed version they are pinned to, so a reconnect
// replaces the role without breaking deployments already running.

const logs = captureLogs();
let p: PlatformHarness;
const ACCOUNT = "123456789012";
const org = "org-trust-resolve";
const caller = { orgId: org, subject: `deployer@${org}` };

beforeAll(async () => {
  p = await startPlatform({ logger: logs.logger });
});
afterAll(async () => {
  await p?.dispose();
});

const failure = rpcFailure;

function linkValues(started: StartSetupResponse) {
  const params = new URLSearchParams(started.quickCreateUrl.slice(started.quickCreateUrl.indexOf("?", started.quickCreateUrl.indexOf("#")) + 1));
  return { token: params.get("param_CallbackToken")!, externalId: params.get("param_ExternalId")! };
}

async function completeWith(started: StartSetupResponse, roleName: string) {
  await p.registry.trust.complete(
    create(CompleteSetupRequestSchema, {
      setupId: started.setupId,
      token: linkValues(started).token,
      roleArn: `arn:aws:iam::${ACCOUNT}:role/${roleName}`,
      accountId: ACCOUNT,
      stackId: `arn:aws:cloudformation:us-west-2:${ACCOUNT}:stack/${started.setup!.stackName}/5b6c7d8e-1234-11ef-9a1b-0a1b2c3d4e5f`,
    }),
  );
}

const role = (r: ResolveCredentialsResponse) => (r.credentials.case === "awsRole" ? r.credentials.value : undefined);

describe("cross-account trust resolution", () => {
  it("refuses until the role is captured, then hands out the role and its external id, and keeps pinned deployments on the old role through a reconnect", async () => {
    const { authz } = await p.clients(org);
    const first = await p.registry.trust.start(caller, create(StartSetupRequestSchema, { name: "deploy-prod-aws", accountId: ACCOUNT }));
    const slug = first.connection!.slug;
    await authz.authorizeConnection({ connection: slug, scope: AuthorizationScope.ORGANIZATION });
    const resolve = (deploymentId: string) => authz.resolveCredentials({ deploymentId, environment: "prod", provider: Provider.AWS, connection: slug });

    const early = await failure(resolve("trust-d0"));
    expect(early.code).toBe(Code.FailedPrecondition);
    expect(early.rawMessage).toMatch(/trust setup has not completed/);

    await completeWith(first, "RoleA");
    // The refused resolve pinned nothing: the same deployment works now.
    expect(role(await resolve("trust-d0"))?.roleArn).toBe(`arn:aws:iam::${ACCOUNT}:role/RoleA`);
    const a = await resolve("trust-d1");
    expect(a.authMode).toBe(AuthMode.CROSS_ACCOUNT_TRUST);
    expect(role(a)).toMatchObject({ roleArn: `arn:aws:iam::${ACCOUNT}:role/RoleA`, externalId: linkValues(first).externalId });

    // A reconnect in progress changes nothing for anyone.
    const second = await p.registry.trust.start(caller, create(StartSetupRequestSchema, { reconnect: slug }));
    expect(role(await resolve("trust-d2"))?.roleArn).toBe(`arn:aws:iam::${ACCOUNT}:role/RoleA`);

    await completeWith(second, "RoleB");
    const fresh = await resolve("trust-d3");
    expect(role(fresh)).toMatchObject({ roleArn: `arn:aws:iam::${ACCOUNT}:role/RoleB`, externalId: linkValues(second).externalId });
    expect(fresh.credentialVersion).toBeGreaterThan(a.credentialVersion);
    // Deployments pinned before the new role was captured keep the old role and external id.
    const pinned = await resolve("trust-d1");
    expect(pinned.credentialVersion).toBe(a.credentialVersion);
    expect(role(pinned)).toMatchObject({ roleArn: `arn:aws:iam::${ACCOUNT}:role/RoleA`, externalId: linkValues(first).externalId });

    // authz retired the replaced version for the retention job.
    await p.registry.relay.drain(5_000);
    await p.bus.idle();
    const retired = await p.authz.db.selectFrom("retired_versions").select("version").where("connection_id", "=", first.connection!.id).execute();
    expect(retired.map((r) => r.version)).toEqual([a.credentialVersion]);
  });

  it("keeps a pinned deployment on what its version seals when the connection changes auth mode", async () => {
    const { authz, connections } = await p.clients(org);
    const created = await connections.createConnection({
      name: "mode-prod-aws",
      spec: {
        provider: {
          case: "aws",
          value: {
            accountId: ACCOUNT,
            auth: { case: "inlineKeys", value: { accessKeyId: "AKIAMODECHANGE000001", secretAccessKey: "modeChangeSecret0000000000000000000000aa" } },
          },
        },
      },
    });
    const slug = created.connection!.slug;
    await authz.authorizeConnection({ connection: slug, scope: AuthorizationScope.ORGANIZATION });
    const resolve = (deploymentId: string) => authz.resolveCredentials({ deploymentId, environment: "prod", provider: Provider.AWS, connection: slug });
    const keys = await resolve("mode-d1");
    expect(keys.authMode).toBe(AuthMode.INLINE);

    // Keys -> role: the deployment pinned to the keys keeps the keys.
    await completeWith(await p.registry.trust.start(caller, create(StartSetupRequestSchema, { reconnect: slug })), "ModeRole");
    const stillKeys = await resolve("mode-d1");
    expect(stillKeys.authMode).toBe(AuthMode.INLINE);
    expect(stillKeys.credentials.case).toBe("inline");
    const roleNow = await resolve("mode-d2");
    expect(roleNow.authMode).toBe(AuthMode.CROSS_ACCOUNT_TRUST);
    expect(role(roleNow)?.roleArn).toBe(`arn:aws:iam::${ACCOUNT}:role/ModeRole`);

    // Role -> keys: the deployment pinned to the role keeps the role.
    const current = (await connections.getConnection({ connection: slug })).connection!;
    await connections.updateConnection({
      connection: slug,
      etag: current.etag,
      spec: {
        provider: {
          case: "aws",
          value: { auth: { case: "inlineKeys", value: { accessKeyId: "AKIAMODECHANGE000002", secretAccessKey: "modeChangeSecret0000000000000000000000bb" } } },
        },
      },
      updateMask: { paths: ["spec.aws.inline_keys"] },
    });
    const stillRole = await resolve("mode-d2");
    expect(stillRole.authMode).toBe(AuthMode.CROSS_ACCOUNT_TRUST);
    expect(role(stillRole)?.roleArn).toBe(`arn:aws:iam::${ACCOUNT}:role/ModeRole`);
    expect((await resolve("mode-d3")).authMode).toBe(AuthMode.INLINE);
  });
});
