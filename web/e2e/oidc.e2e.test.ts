import { generateKeyPairSync } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { chromium, type Browser } from "playwright-core";
import Provider from "oidc-provider";
import { cleanUpAllInOne, createTestDatabase, startAllInOne, type TestDatabase } from "@planton/testing";

// Sign-in beyond development: the console runs OIDC Authorization Code with
// PKCE against a local issuer (the oidc-provider package) that the services
// trust through AUTH_JWKS_URL / AUTH_ISSUER / AUTH_AUDIENCE. The issuer's
// access token is a JWT carrying the services' `scope` and the `org` claim.

const RESOURCE = "https://connect.planton.test";
const SCOPES = "connections:read connections:write environments:admin";

let db: TestDatabase;
let base: string;
let issuerServer: Server;
let issuer: string;
let browser: Browser;

beforeAll(async () => {
  db = await createTestDatabase(inject("databaseUrl"), "console_oidc");
  // The issuer's address first (the services need it), its configuration once the console's address is known.
  issuerServer = createServer();
  await new Promise<void>((r) => issuerServer.listen(0, "127.0.0.1", r));
  issuer = `http://127.0.0.1:${(issuerServer.address() as AddressInfo).port}`;
  const app = await startAllInOne(
    {
      DATABASE_URL: db.url,
      LOG_LEVEL: "warn",
      AUTH_JWKS_URL: `${issuer}/jwks`,
      AUTH_ISSUER: issuer,
      AUTH_AUDIENCE: RESOURCE,
      CONSOLE_OIDC_ISSUER: issuer,
      CONSOLE_OIDC_CLIENT_ID: "planton-console",
      CONSOLE_OIDC_SCOPE: `openid ${SCOPES}`,
      CONSOLE_OIDC_RESOURCE: RESOURCE,
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials",
      AWS_CONFIG_FILE: "/nonexistent/config",
      AWS_EC2_METADATA_DISABLED: "true",
    },
    { timeoutMs: 60_000 },
  );
  base = app.consoleUrl!;

  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: "planton-console",
        token_endpoint_auth_method: "none",
        redirect_uris: [`${base}/oidc/callback`],
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
    ],
    jwks: { keys: [{ ...privateKey.export({ format: "jwk" }), kid: "test-key", alg: "RS256", use: "sig" }] },
    cookies: { keys: ["console-oidc-e2e-cookie-key"] },
    pkce: { required: () => true },
    scopes: ["openid", ...SCOPES.split(" ")],
    features: {
      devInteractions: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: SCOPES, audience: RESOURCE, accessTokenFormat: "jwt", jwt: { sign: { alg: "RS256" } } }),
      },
    },
    extraTokenClaims: () => ({ org: "oidc-org" }),
    findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
  });
  // Koa's request handler answers its own failures (ctx.onerror), so the
  // promise it returns settles without rejecting: nothing to wait for here.
  const handle = provider.callback();
  issuerServer.on("request", (request, response) => void handle(request, response));
  browser = await chromium.launch({
    executablePath: process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium",
    // playwright-core gives every launch a fresh temporary --user-data-dir of its own.
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await cleanUpAllInOne();
  issuerServer?.closeAllConnections();
  await new Promise((r) => issuerServer?.close(r));
  await db?.drop();
});

describe("OIDC sign-in", { timeout: 90_000 }, () => {
  it("signs in with Authorization Code + PKCE at the issuer and calls the services with its access token", async () => {
    const config = await (await fetch(`${base}/config.json`)).json();
    expect(config).toEqual({ oidcIssuer: issuer, oidcClientId: "planton-console", oidcScope: `openid ${SCOPES}`, oidcResource: RESOURCE });
    const csp = (await fetch(`${base}/`)).headers.get("content-security-policy") ?? "";
    expect(csp).toContain(`connect-src 'self' ${issuer}`);

    const context = await browser.newContext();
    context.setDefaultTimeout(20_000);
    const page = await context.newPage();
    const authorizeRequests: URL[] = [];
    page.on("request", (request) => {
      if (request.url().startsWith(`${issuer}/auth`)) authorizeRequests.push(new URL(request.url()));
    });
    await page.goto(`${base}/`);
    await page.getByRole("button", { name: `Sign in with ${new URL(issuer).host}` }).click();
    // The issuer's own login page (oidc-provider's development interactions).
    await page.locator('input[name="login"]').fill("alice");
    await page.locator('input[name="password"]').fill("any");
    await page.locator('button[type="submit"]').click();
    // The issuer's consent page, listing the services' scopes.
    await page.getByRole("listitem").filter({ hasText: "environments:admin" }).first().waitFor();
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByRole("heading", { level: 1, name: "Connections" }).waitFor();
    expect(authorizeRequests[0]?.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorizeRequests[0]?.searchParams.get("response_type")).toBe("code");
    // The code and state left the address bar; nothing in localStorage.
    expect(page.url()).toBe(`${base}/`);
    expect(await page.evaluate("JSON.stringify(window.localStorage)")).toBe("{}");
    // Only the access token stays, in this tab's sessionStorage (the PKCE state is gone).
    expect(await page.evaluate("Object.keys(window.sessionStorage)")).toEqual(["planton.token"]);
    await page.getByText("Organization oidc-org").waitFor();
    // The services accept the issuer's token: a write, then a read.
    await page.getByRole("link", { name: "Runners" }).click();
    await page.getByLabel("Runner name").fill("oidc-runner");
    await page.getByLabel("Principal").fill("arn:aws:iam::345678901234:role/planton-runner");
    await page.getByRole("button", { name: "Register runner" }).click();
    await page.getByRole("cell", { name: /^oidc-runner/ }).waitFor();
    await context.close();
  });
});
