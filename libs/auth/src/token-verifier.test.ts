import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Code, ConnectError } from "@connectrpc/connect";
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, UnsecuredJWT, type JWK, type JWTPayload } from "jose";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { signDevToken } from "./dev-token.js";
import { createTokenVerifier } from "./token-verifier.js";

const SECRET = "test-secret-0123456789-0123456789-abcdef";
const OTHER_SECRET = "other-secret-0123456789-0123456789-abcde";
const encode = (secret: string) => new TextEncoder().encode(secret);
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Signs an HS256 token with exactly the given claims. */
function signHs256(claims: JWTPayload, secret = SECRET, alg = "HS256"): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg, typ: "JWT" }).sign(encode(secret));
}

/** Awaits a rejection and returns it as a ConnectError. */
async function rejection(promise: Promise<unknown>): Promise<ConnectError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectError);
    return error as ConnectError;
  }
  throw new Error("expected the promise to reject");
}

/** Expects `token` refused as UNAUTHENTICATED with a message that does not repeat it. */
async function expectUnauthenticated(verify: (token: string) => Promise<unknown>, token: string): Promise<ConnectError> {
  const error = await rejection(verify(token));
  expect(error.code).toBe(Code.Unauthenticated);
  expect(error.message).not.toContain(token);
  for (const part of token.split(".").filter((p) => p.length > 8)) {
    expect(error.message).not.toContain(part);
  }
  return error;
}

describe("createTokenVerifier (hs256)", () => {
  const verifier = createTokenVerifier({ kind: "hs256", secret: SECRET });
  const verify = (token: string) => verifier.verify(token);

  it("turns a dev token into a principal", async () => {
    const token = await signDevToken(SECRET, { subject: "user-1", orgId: "org-1", scopes: ["connections:read", "connections:write"] });
    const principal = await verifier.verify(token);
    expect(principal.subject).toBe("user-1");
    expect(principal.orgId).toBe("org-1");
    expect(principal.scopes).toBeInstanceOf(Set);
    expect([...principal.scopes].sort()).toEqual(["connections:read", "connections:write"]);
  });

  it("gives an empty scope set for a token without scopes or with an empty scope", async () => {
    const none = await signDevToken(SECRET, { subject: "s", orgId: "o", scopes: [] });
    expect((await verifier.verify(none)).scopes.size).toBe(0);
    const absent = await signHs256({ sub: "s", org: "o", exp: nowSeconds() + 60 });
    expect((await verifier.verify(absent)).scopes.size).toBe(0);
  });

  it("splits the scope claim on spaces, ignoring repeated spaces", async () => {
    const token = await signHs256({ sub: "s", org: "o", exp: nowSeconds() + 60, scope: "  a   b a " });
    expect([...(await verifier.verify(token)).scopes].sort()).toEqual(["a", "b"]);
  });

  it("honours expiresIn of signDevToken", async () => {
    const token = await signDevToken(SECRET, { subject: "s", orgId: "o", scopes: [], expiresIn: "-2m" });
    const error = await expectUnauthenticated(verify, token);
    expect(error.rawMessage).toContain("expired");
  });

  it("refuses a token signed with another secret", async () => {
    const token = await signDevToken(OTHER_SECRET, { subject: "s", orgId: "o", scopes: ["internal"] });
    await expectUnauthenticated(verify, token);
  });

  it("refuses a token expired beyond the 30 s tolerance", async () => {
    const token = await signHs256({ sub: "s", org: "o", iat: nowSeconds() - 3600, exp: nowSeconds() - 120 });
    const error = await expectUnauthenticated(verify, token);
    expect(error.rawMessage).toBe("bearer token has expired");
  });

  it("accepts a token expired within the 30 s clock tolerance", async () => {
    const token = await signHs256({ sub: "s", org: "o", exp: nowSeconds() - 5 });
    expect((await verifier.verify(token)).orgId).toBe("o");
  });

  it("refuses a token not yet valid beyond the tolerance", async () => {
    const token = await signHs256({ sub: "s", org: "o", nbf: nowSeconds() + 600, exp: nowSeconds() + 3600 });
    await expectUnauthenticated(verify, token);
  });

  it("refuses a token without org, or with an empty or non-string org", async () => {
    for (const org of [undefined, "", "   ", 42, ["org"]]) {
      const claims: JWTPayload = { sub: "s", exp: nowSeconds() + 60, scope: "a" };
      if (org !== undefined) claims["org"] = org;
      const error = await expectUnauthenticated(verify, await signHs256(claims));
      expect(error.rawMessage).toContain("org");
    }
  });

  it("refuses org and sub claims with control characters or over 256 characters as INVALID_ARGUMENT, naming the claim", async () => {
    const cases: [string, string][] = [
      ["org", "org\u0000x"],
      ["org", "org\nx"],
      ["org", "o".repeat(257)],
      ["sub", "user\u0000"],
    ];
    for (const [claim, value] of cases) {
      const claims: JWTPayload = { sub: "s", org: "o", exp: nowSeconds() + 60, scope: "a", [claim]: value };
      const error = await verify(await signHs256(claims)).then(
        () => undefined,
        (e: unknown) => ConnectError.from(e),
      );
      expect(error?.code, `${claim}=${JSON.stringify(value.slice(0, 10))}`).toBe(Code.InvalidArgument);
      expect(error?.rawMessage).toContain(`"${claim}"`);
      expect(error?.rawMessage).not.toContain("\u0000");
    }
    expect((await verify(await signHs256({ sub: "s", org: "o".repeat(256), exp: nowSeconds() + 60 }))).orgId).toHaveLength(256);
  });

  it("refuses a token without exp", async () => {
    const token = await signHs256({ sub: "s", org: "o" });
    const error = await expectUnauthenticated(verify, token);
    expect(error.rawMessage).toContain("exp");
  });

  it("refuses a token without sub", async () => {
    const token = await signHs256({ org: "o", exp: nowSeconds() + 60 });
    const error = await expectUnauthenticated(verify, token);
    expect(error.rawMessage).toContain("sub");
  });

  it("refuses an unsigned token (alg: none)", async () => {
    const token = new UnsecuredJWT({ sub: "s", org: "o", scope: "internal" }).setExpirationTime("1h").encode();
    await expectUnauthenticated(verify, token);
  });

  it("refuses another HMAC algorithm even with the right secret", async () => {
    const token = await signHs256({ sub: "s", org: "o", exp: nowSeconds() + 60 }, SECRET, "HS512");
    await expectUnauthenticated(verify, token);
  });

  it("refuses a scope claim that is not a string", async () => {
    for (const scope of [["internal"], 1, { internal: true }]) {
      const token = await signHs256({ sub: "s", org: "o", exp: nowSeconds() + 60, scope });
      const error = await expectUnauthenticated(verify, token);
      expect(error.rawMessage).toContain("scope");
    }
  });

  it("refuses malformed tokens", async () => {
    for (const token of ["", "not-a-jwt", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzIn0"]) {
      const error = await rejection(verifier.verify(token));
      expect(error.code).toBe(Code.Unauthenticated);
    }
  });

  it("refuses a tampered payload", async () => {
    const token = await signDevToken(SECRET, { subject: "s", orgId: "org-a", scopes: [] });
    const [header, , signature] = token.split(".");
    const forged = Buffer.from(JSON.stringify({ sub: "s", org: "org-b", exp: nowSeconds() + 60 })).toString("base64url");
    await expectUnauthenticated(verify, `${header}.${forged}.${signature}`);
  });

  it("checks issuer and audience when configured", async () => {
    const strict = createTokenVerifier({ kind: "hs256", secret: SECRET, issuer: "https://iss.example.com", audience: "planton" });
    const base = { sub: "s", org: "o", exp: nowSeconds() + 60 };
    const good = await signHs256({ ...base, iss: "https://iss.example.com", aud: "planton" });
    expect((await strict.verify(good)).subject).toBe("s");
    const strictVerify = (token: string) => strict.verify(token);
    await expectUnauthenticated(strictVerify, await signHs256(base));
    await expectUnauthenticated(strictVerify, await signHs256({ ...base, iss: "https://evil.example.com", aud: "planton" }));
    await expectUnauthenticated(strictVerify, await signHs256({ ...base, iss: "https://iss.example.com", aud: "other" }));
  });
});

type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];

describe("createTokenVerifier (jwks)", () => {
  const KID = "test-key-1";
  let server: Server;
  let jwksUrl: URL;
  let privateKey: SigningKey;
  let publicJwk: JWK;
  let publicPem: string;
  let jwksRequests = 0;
  /** What the JWKS endpoint answers; tests may change it. */
  let respond: (res: import("node:http").ServerResponse) => void;

  const signRs256 = (claims: JWTPayload, key: SigningKey = privateKey, kid = KID) =>
    new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid, typ: "JWT" }).sign(key);

  const listen = (s: Server) => new Promise<AddressInfo>((resolve) => s.listen(0, "127.0.0.1", () => resolve(s.address() as AddressInfo)));

  beforeAll(async () => {
    const pair = await generateKeyPair("RS256", { extractable: true });
    privateKey = pair.privateKey;
    publicJwk = { ...(await exportJWK(pair.publicKey)), kid: KID, alg: "RS256", use: "sig" };
    publicPem = await exportSPKI(pair.publicKey);
    respond = (res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ keys: [publicJwk] }));
    };
    server = createServer((_req, res) => {
      jwksRequests++;
      respond(res);
    });
    const address = await listen(server);
    jwksUrl = new URL(`http://127.0.0.1:${address.port}/.well-known/jwks.json`);
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("verifies an RS256 token against the JWKS", async () => {
    const verifier = createTokenVerifier({ kind: "jwks", url: jwksUrl });
    const token = await signRs256({ sub: "svc-deployer", org: "org-9", scope: "credentials:resolve", exp: nowSeconds() + 300 });
    const principal = await verifier.verify(token);
    expect(principal).toEqual({ subject: "svc-deployer", orgId: "org-9", scopes: new Set(["credentials:resolve"]) });
    expect(jwksRequests).toBeGreaterThan(0);
  });

  it("refuses an RS256 token signed by a key that is not in the JWKS", async () => {
    const verifier = createTokenVerifier({ kind: "jwks", url: jwksUrl });
    const stranger = await generateKeyPair("RS256");
    const token = await signRs256({ sub: "s", org: "o", exp: nowSeconds() + 300 }, stranger.privateKey);
    await expectUnauthenticated((t) => verifier.verify(t), token);
  });

  it("refuses an HS256 token (algorithm confusion), even one keyed with the public key", async () => {
    const verifier = createTokenVerifier({ kind: "jwks", url: jwksUrl });
    const claims = { sub: "attacker", org: "o", scope: "internal", exp: nowSeconds() + 300 };
    for (const secret of [publicPem, SECRET, JSON.stringify(publicJwk)]) {
      const token = await new SignJWT(claims).setProtectedHeader({ alg: "HS256", kid: KID }).sign(encode(secret));
      await expectUnauthenticated((t) => verifier.verify(t), token);
    }
  });

  it("refuses an unsigned token", async () => {
    const verifier = createTokenVerifier({ kind: "jwks", url: jwksUrl });
    const token = new UnsecuredJWT({ sub: "s", org: "o" }).setExpirationTime("1h").encode();
    await expectUnauthenticated((t) => verifier.verify(t), token);
  });

  it("applies the same claim checks as HS256", async () => {
    const verifier = createTokenVerifier({ kind: "jwks", url: jwksUrl });
    const verify = (t: string) => verifier.verify(t);
    await expectUnauthenticated(verify, await signRs256({ sub: "s", org: "o", exp: nowSeconds() - 120 }));
    await expectUnauthenticated(verify, await signRs256({ sub: "s", exp: nowSeconds() + 60 }));
    await expectUnauthenticated(verify, await signRs256({ sub: "s", org: "o" }));
    await expectUnauthenticated(verify, await signRs256({ sub: "s", org: "o", exp: nowSeconds() + 60, scope: ["a"] }));
  });

  it("reports an unreachable JWKS as UNAVAILABLE", async () => {
    const closed = createServer();
    const address = await listen(closed);
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const verifier = createTokenVerifier({ kind: "jwks", url: new URL(`http://127.0.0.1:${address.port}/jwks.json`) });
    const token = await signRs256({ sub: "s", org: "o", exp: nowSeconds() + 300 });
    const error = await rejection(verifier.verify(token));
    expect(error.code).toBe(Code.Unavailable);
    expect(error.message).not.toContain(token);
  });

  // The interface promises UNAVAILABLE "when the JWKS cannot be fetched"; an
  // identity provider answering 503 is that case, not a bad token.
  it("reports a JWKS endpoint answering 503 as UNAVAILABLE", async () => {
    const failing = createServer((_req, res) => {
      res.writeHead(503);
      res.end("maintenance");
    });
    const address = await listen(failing);
    try {
      const verifier = createTokenVerifier({ kind: "jwks", url: new URL(`http://127.0.0.1:${address.port}/jwks.json`) });
      const token = await signRs256({ sub: "s", org: "o", exp: nowSeconds() + 300 });
      const error = await rejection(verifier.verify(token));
      expect(error.code).toBe(Code.Unavailable);
    } finally {
      await new Promise<void>((resolve) => failing.close(() => resolve()));
    }
  });
});

describe("verified-token cache", () => {
  const cacheSecret = "cache-secret-0123456789-0123456789-abcdef";

  it("never serves a cached principal past the token's expiry", async () => {
    vi.useFakeTimers({ now: new Date("2026-11-27T12:00:00Z"), toFake: ["Date"] });
    try {
      const verifier = createTokenVerifier({ kind: "hs256", secret: cacheSecret });
      const token = await signDevToken(cacheSecret, { subject: "svc", orgId: "org-1", scopes: ["internal"], expiresIn: "10s" });
      expect((await verifier.verify(token)).orgId).toBe("org-1");
      // 45 s later: past exp plus the 30 s clock tolerance, but within the
      // cache's one-minute lifetime, so only the expiry cap refuses it.
      vi.setSystemTime(new Date("2026-11-27T12:00:45Z"));
      await expect(verifier.verify(token)).rejects.toMatchObject({ code: Code.Unauthenticated });
    } finally {
      vi.useRealTimers();
    }
  });

  it("accepts only the exact token that verified: a changed signature is checked and refused", async () => {
    const verifier = createTokenVerifier({ kind: "hs256", secret: cacheSecret });
    const token = await signDevToken(cacheSecret, { subject: "svc", orgId: "org-1", scopes: ["internal"] });
    await verifier.verify(token);
    const [header, payload, signature] = token.split(".");
    // Change the first signature character: every bit of it is significant.
    const forged = `${header}.${payload}.${signature!.startsWith("A") ? "B" : "A"}${signature!.slice(1)}`;
    await expect(verifier.verify(forged)).rejects.toMatchObject({ code: Code.Unauthenticated });
  });
});
