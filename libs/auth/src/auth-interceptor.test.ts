import type { DescMethod } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, createRouterTransport, type Client } from "@connectrpc/connect";
import { Health, HealthCheckResponse_ServingStatus } from "@planton/proto/grpc/health/v1/health_pb";
import { SignJWT } from "jose";
import { beforeEach, describe, expect, it } from "vitest";
import type { AccessPolicy, AccessRule } from "./access-rule.js";
import { createAuthInterceptor } from "./auth-interceptor.js";
import { signDevToken } from "./dev-token.js";
import { requirePrincipal, type Principal } from "./principal.js";
import { createTokenVerifier, type TokenVerifier } from "./token-verifier.js";

const SECRET = "interceptor-test-secret-0123456789abcdef";

// Health.Check needs a scope, Health.List is public, Health.Watch has no rule.
const RULES: Record<string, AccessRule> = {
  Check: { scopes: ["connections:read"] },
  List: { public: true },
};
const policy: AccessPolicy = (method: DescMethod) => RULES[method.name];

async function rejection(promise: Promise<unknown>): Promise<ConnectError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectError);
    return error as ConnectError;
  }
  throw new Error("expected the call to fail");
}

describe("createAuthInterceptor", () => {
  let seen: { principal: Principal | undefined; calls: number };
  let client: Client<typeof Health>;
  let verifyCalls: number;

  const token = (scopes: string[], orgId = "org-1") => signDevToken(SECRET, { subject: "user-1", orgId, scopes });
  const auth = (value: string) => ({ headers: { authorization: value } });

  beforeEach(() => {
    seen = { principal: undefined, calls: 0 };
    verifyCalls = 0;
    const real = createTokenVerifier({ kind: "hs256", secret: SECRET });
    const verifier: TokenVerifier = {
      verify: (t) => {
        verifyCalls++;
        return real.verify(t);
      },
    };
    const transport = createRouterTransport(
      (router) => {
        router.service(Health, {
          check(_request, context) {
            seen.calls++;
            seen.principal = requirePrincipal(context);
            return { status: HealthCheckResponse_ServingStatus.SERVING };
          },
          list(_request, context) {
            seen.calls++;
            // A public method runs without a principal: requirePrincipal fails closed.
            try {
              requirePrincipal(context);
            } catch (error) {
              if (ConnectError.from(error).code === Code.Unauthenticated) return { statuses: {} };
            }
            throw new ConnectError("principal unexpectedly present", Code.Internal);
          },
          async *watch() {
            seen.calls++;
            yield { status: HealthCheckResponse_ServingStatus.SERVING };
          },
        });
      },
      { router: { interceptors: [createAuthInterceptor({ verifier, policy })] } },
    );
    client = createClient(Health, transport);
  });

  it("lets a token with the required scope through and hands the handler its principal", async () => {
    const response = await client.check({ service: "" }, auth(`Bearer ${await token(["connections:read", "other"], "org-42")}`));
    expect(response.status).toBe(HealthCheckResponse_ServingStatus.SERVING);
    expect(seen.calls).toBe(1);
    expect(seen.principal?.subject).toBe("user-1");
    expect(seen.principal?.orgId).toBe("org-42");
    expect(seen.principal?.scopes.has("connections:read")).toBe(true);
  });

  it("accepts any case of the Bearer keyword and surrounding spaces", async () => {
    const t = await token(["connections:read"]);
    await client.check({}, auth(`bearer ${t}`));
    await client.check({}, auth(`BEARER   ${t}  `));
    expect(seen.calls).toBe(2);
  });

  it("refuses a call without Authorization header as UNAUTHENTICATED before the handler runs", async () => {
    const error = await rejection(client.check({}));
    expect(error.code).toBe(Code.Unauthenticated);
    expect(error.rawMessage).toContain("missing bearer token");
    expect(seen.calls).toBe(0);
    expect(verifyCalls).toBe(0);
  });

  it("refuses a blank Authorization header as UNAUTHENTICATED", async () => {
    const error = await rejection(client.check({}, auth("   ")));
    expect(error.code).toBe(Code.Unauthenticated);
    expect(seen.calls).toBe(0);
  });

  it("refuses malformed Authorization headers as UNAUTHENTICATED without echoing them", async () => {
    const t = await token(["connections:read"]);
    for (const header of [t, `Basic ${t}`, `Bearer`, `Bearer ${t} extra`, `Token ${t}`, `Bearer${t}`]) {
      const error = await rejection(client.check({}, auth(header)));
      expect(error.code).toBe(Code.Unauthenticated);
      expect(error.message).not.toContain(t);
    }
    expect(seen.calls).toBe(0);
    expect(verifyCalls).toBe(0);
  });

  it("refuses an invalid token as UNAUTHENTICATED without echoing it", async () => {
    const forged = await signDevToken("another-secret-0123456789abcdefghijkl", {
      subject: "user-1",
      orgId: "org-1",
      scopes: ["connections:read"],
    });
    const error = await rejection(client.check({}, auth(`Bearer ${forged}`)));
    expect(error.code).toBe(Code.Unauthenticated);
    expect(error.message).not.toContain(forged);
    expect(seen.calls).toBe(0);
  });

  it("refuses an expired token as UNAUTHENTICATED", async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({ org: "org-1", scope: "connections:read" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("user-1")
      .setIssuedAt(now - 7200)
      .setExpirationTime(now - 3600)
      .sign(new TextEncoder().encode(SECRET));
    const error = await rejection(client.check({}, auth(`Bearer ${expired}`)));
    expect(error.code).toBe(Code.Unauthenticated);
    expect(seen.calls).toBe(0);
  });

  it("refuses a valid token without the required scope as PERMISSION_DENIED naming the scope", async () => {
    const error = await rejection(client.check({}, auth(`Bearer ${await token(["connections:write", "internal"])}`)));
    expect(error.code).toBe(Code.PermissionDenied);
    expect(error.rawMessage).toContain('"connections:read"');
    expect(error.rawMessage).toContain("Check");
    expect(seen.calls).toBe(0);
  });

  it("requires every listed scope", async () => {
    RULES["Check"] = { scopes: ["connections:read", "environments:admin"] };
    try {
      const error = await rejection(client.check({}, auth(`Bearer ${await token(["connections:read"])}`)));
      expect(error.code).toBe(Code.PermissionDenied);
      expect(error.rawMessage).toContain('"environments:admin"');
      expect(error.rawMessage).not.toContain('"connections:read"');
      await client.check({}, auth(`Bearer ${await token(["connections:read", "environments:admin"])}`));
      expect(seen.calls).toBe(1);
    } finally {
      RULES["Check"] = { scopes: ["connections:read"] };
    }
  });

  it("lets a public method through without a token and without verifying anything", async () => {
    const response = await client.list({});
    expect(response.statuses).toEqual({});
    expect(seen.calls).toBe(1);
    expect(verifyCalls).toBe(0);
  });

  it("lets a public method through even with a bad token", async () => {
    await client.list({}, auth("Bearer not-a-token"));
    expect(seen.calls).toBe(1);
  });

  it("refuses a method without rule as PERMISSION_DENIED, even with a valid token", async () => {
    const all = await token(["connections:read", "connections:write", "environments:admin", "credentials:resolve", "internal"]);
    const error = await rejection(
      (async () => {
        for await (const _ of client.watch({}, auth(`Bearer ${all}`))) {
          // drain
        }
      })(),
    );
    expect(error.code).toBe(Code.PermissionDenied);
    expect(error.rawMessage).toContain("grpc.health.v1.Health/Watch");
    expect(seen.calls).toBe(0);
  });

  it("keeps each call's principal separate", async () => {
    await client.check({}, auth(`Bearer ${await token(["connections:read"], "org-a")}`));
    expect(seen.principal?.orgId).toBe("org-a");
    await client.check({}, auth(`Bearer ${await token(["connections:read"], "org-b")}`));
    expect(seen.principal?.orgId).toBe("org-b");
  });
});
