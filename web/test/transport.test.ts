import { describe, expect, it } from "vitest";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { RunnerService } from "@planton/proto/planton/connect/v1/runner_service_pb";
import { createApiTransport } from "../src/transport.js";

/** A fetch that records requests and answers with the given Connect JSON status and body. */
function fakeFetch(status: number, body: unknown) {
  const requests: Request[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    requests.push(new Request(input, init));
    return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  };
  return { requests, fetch };
}

describe("createApiTransport", () => {
  it("sends the session's token as the bearer header only, to the configured origin", async () => {
    const fake = fakeFetch(200, { runners: [] });
    let signedOut = 0;
    const client = createClient(
      RunnerService,
      createApiTransport({ baseUrl: "https://api.example.com", token: () => "aaa.bbb.ccc", onUnauthenticated: () => signedOut++, fetch: fake.fetch }),
    );
    await client.listRunners({});
    const request = fake.requests[0]!;
    expect(request.url).toBe("https://api.example.com/planton.connect.v1.RunnerService/ListRunners");
    expect(request.headers.get("authorization")).toBe("Bearer aaa.bbb.ccc");
    expect(request.url).not.toContain("aaa.bbb.ccc");
    expect(signedOut).toBe(0);
  });

  it("signs the tab out when the services refuse the token, and only then", async () => {
    let signedOut = 0;
    const refused = fakeFetch(401, { code: "unauthenticated", message: "token expired" });
    const client = createClient(
      RunnerService,
      createApiTransport({ baseUrl: "https://api.example.com", token: () => "aaa.bbb.ccc", onUnauthenticated: () => signedOut++, fetch: refused.fetch }),
    );
    await expect(client.listRunners({})).rejects.toSatisfy((e) => e instanceof ConnectError && e.code === Code.Unauthenticated);
    expect(signedOut).toBe(1);
    const denied = fakeFetch(403, { code: "permission_denied", message: "needs connections:write" });
    const other = createClient(
      RunnerService,
      createApiTransport({ baseUrl: "https://api.example.com", token: () => "aaa.bbb.ccc", onUnauthenticated: () => signedOut++, fetch: denied.fetch }),
    );
    await expect(other.listRunners({})).rejects.toThrow(/connections:write/);
    expect(signedOut).toBe(1);
  });
});
