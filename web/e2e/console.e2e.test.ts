import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { AxeBuilder } from "@axe-core/playwright";
import { signDevToken, USER_SCOPES } from "@planton/auth";
import { cleanUpAllInOne, createTestDatabase, startAllInOne, type TestDatabase } from "@planton/testing";
import { startFakeCivo, type FakeCivo } from "../../services/verifier/test/support/fake-civo.js";
import { startFakeDigitalOcean, type FakeDigitalOcean } from "../../services/verifier/test/support/fake-digitalocean.js";
import { startFakeSts, type FakeSts } from "../../services/verifier/test/support/fake-sts.js";
import { startFakeAzure, type FakeAzure } from "../../services/verifier/test/support/fake-azure.js";
import { startFakeCloudflare, type FakeCloudflare } from "../../services/verifier/test/support/fake-cloudflare.js";
import { startFakeGoogleToken, type FakeGoogleToken } from "../../services/verifier/test/support/fake-google-token.js";

// End to end: the built all-in-one (`npm start`) on its own database, local
// fake provider APIs so verification completes offline, and Debian's
// Chromium driven by playwright-core (never a downloaded browser). Each test
// continues from the previous one's state, as a person would.

const screens = resolve(import.meta.dirname, "../../docs/screens");
const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";
// The platform's runner principal and its key, as the fake STS knows them.
const PRINCIPAL = "arn:aws:iam::210987654321:role/planton-runner";
const PLATFORM_KEY = { id: "AKIAPLATFORM00000001", secret: "platformSecret0000000000000000000000000000".slice(0, 40) };
const CUSTOMER_ACCOUNT = "345678901234";
const SETUP_TTL_MS = 30_000;
const CIVO_TOKEN = "civo0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH";
const CIVO_TOKEN_2 = "civo2222222222abcdefghijklmnopqrstuvwxyzABCDEFGH";
const DO_TOKEN = `dop_v1_${"a1".repeat(32)}`;

let db: TestDatabase;
let dataDir: string;
let base: string;
let signInLink: string;
let otherOrgToken: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let civo: FakeCivo;
let digitalocean: FakeDigitalOcean;
let sts: FakeSts;
let azure: FakeAzure;
let cloudflare: FakeCloudflare;
let google: FakeGoogleToken;

beforeAll(async () => {
  db = await createTestDatabase(inject("databaseUrl"), "console_e2e");
  [civo, digitalocean, sts, azure, cloudflare, google] = await Promise.all([
    startFakeCivo(),
    startFakeDigitalOcean(),
    startFakeSts(),
    startFakeAzure(),
    startFakeCloudflare(),
    startFakeGoogleToken(),
  ]);
  civo.setApiKey(CIVO_TOKEN);
  digitalocean.addToken(DO_TOKEN, { email: "sammy@example.com" });
  sts.addKey(PLATFORM_KEY.id, PLATFORM_KEY.secret, { account: "210987654321", arn: PRINCIPAL });
  const secret = randomBytes(32).toString("base64url");
  const app = await startAllInOne(
    {
      DATABASE_URL: db.url,
      AUTH_JWT_SECRET: secret,
      LOG_LEVEL: "warn",
      CIVO_API_URL: civo.url,
      DIGITALOCEAN_API_URL: digitalocean.url,
      AWS_STS_URL: sts.url,
      // Reads after a verification (dates, the trust-policy review): a closed local port, never the internet.
      AWS_IAM_URL: "http://127.0.0.1:9",
      AZURE_GRAPH_URL: "http://127.0.0.1:9",
      GCP_IAM_URL: "http://127.0.0.1:9",
      GCP_RESOURCE_MANAGER_URL: "http://127.0.0.1:9",
      AZURE_LOGIN_URL: azure.url,
      AZURE_MANAGEMENT_URL: azure.url,
      CLOUDFLARE_API_URL: cloudflare.url,
      GCP_TOKEN_URI: google.url,
      AWS_TRUST_PRINCIPAL_ARN: PRINCIPAL,
      AWS_ACCESS_KEY_ID: PLATFORM_KEY.id,
      AWS_SECRET_ACCESS_KEY: PLATFORM_KEY.secret,
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials",
      AWS_CONFIG_FILE: "/nonexistent/config",
      AWS_EC2_METADATA_DISABLED: "true",
      // Short enough for the expired-link test to wait out, long enough for the trust flows.
      AWS_TRUST_SETUP_TTL_MS: String(SETUP_TTL_MS),
    },
    { timeoutMs: 60_000 },
  );
  dataDir = app.dataDir;
  base = app.consoleUrl!;
  signInLink = app.signInLink!;
  otherOrgToken = await signDevToken(secret, { subject: "someone-else", orgId: "other-org", scopes: USER_SCOPES, expiresIn: "1h" });
  await mkdir(screens, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    // playwright-core gives every launch a fresh temporary --user-data-dir of its own.
  });
  context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  // Fail a step with the locator in the message, not at the test's timeout
  // (generous: the whole suite may run beside this file on two cores).
  context.setDefaultTimeout(20_000);
  page = await context.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await cleanUpAllInOne();
  await Promise.all([civo?.close(), digitalocean?.close(), sts?.close(), azure?.close(), cloudflare?.close(), google?.close()]);
  await db?.drop();
});

/** Serious or critical accessibility violations of the page as it is now. */
async function axeViolations(target: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page: target }).analyze();
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

/**
 * Takes the screenshot either way (it must render), and writes it into
 * docs/screens only with CONSOLE_SCREENSHOTS=1, so `npm test` leaves the
 * working tree as it found it.
 */
async function screenshot(name: string): Promise<void> {
  const image = await page.screenshot({ fullPage: true });
  expect(image.length).toBeGreaterThan(1_000);
  if (process.env["CONSOLE_SCREENSHOTS"] === "1") await writeFile(join(screens, `${name}.png`), image);
}

/** Calls an RPC over the Connect protocol's JSON, as a non-browser client would. */
async function rpc(path: string, body: unknown, token?: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${base}/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe("the web console against the real services", { timeout: 90_000 }, () => {
  it("is served at / with the security headers, and the sign-in link's token leaves the URL at once", async () => {
    const res = await fetch(`${base}/connections`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toMatch(/script-src 'self';.*frame-ancestors 'none'/);
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");

    expect(signInLink).toMatch(new RegExp(`^${base}/#token=`));
    await page.goto(signInLink);
    await page.getByRole("heading", { level: 1, name: "Connections" }).waitFor();
    expect(page.url()).toBe(`${base}/`);
    const token = signInLink.split("#token=")[1]!;
    expect(await page.evaluate("window.sessionStorage.getItem('planton.token')")).toBe(token);
    expect(await page.evaluate("JSON.stringify(window.localStorage)")).toBe("{}");
    await expect(axeViolations(page)).resolves.toEqual([]);
  });

  it("creates a Civo connection and shows it VERIFIED by the provider", async () => {
    await page.getByRole("link", { name: /^Civo/ }).click();
    await page.getByRole("heading", { level: 1, name: "Connect Civo" }).waitFor();
    // Focus moves to the new page's heading for screen readers and keyboards.
    expect(await page.evaluate("document.activeElement?.tagName")).toBe("H1");
    await page.getByLabel("Name").fill("Civo Production");
    expect(await page.getByTestId("slug-preview").textContent()).toBe("civo-production");
    await page.getByLabel("API token").fill(CIVO_TOKEN);
    await page.getByLabel("Default region").selectOption("LON1");
    await expect(axeViolations(page)).resolves.toEqual([]);
    await screenshot("create-civo");
    await page.getByRole("button", { name: "Create connection" }).click();
    await page.waitForURL(`${base}/connections/civo-production`);
    await page.getByTestId("connection-status").getByText("Verified", { exact: true }).waitFor({ timeout: 20_000 });
    expect(civo.requests).toContain("/v2/regions");
    // Masked hint only: the token is nowhere on the page.
    expect(await page.content()).not.toContain(CIVO_TOKEN);
    await expect(axeViolations(page)).resolves.toEqual([]);
  });

  it("shows the server's validation error next to its field", async () => {
    await page.goto(`${base}/connections/new/civo`);
    await page.getByLabel("Name").fill("civo-staging");
    await page.getByLabel("API token").fill("too-short");
    await page.getByLabel("Default region").selectOption("FRA1");
    await page.getByRole("button", { name: "Create connection" }).click();
    const field = page.getByLabel("API token");
    await expect.poll(() => field.getAttribute("aria-invalid")).toBe("true");
    const describedBy = (await field.getAttribute("aria-describedby")) ?? "";
    const errorText = await page.locator(`[id="${describedBy.split(" ").pop()}"]`).textContent();
    expect(errorText).toMatch(/characters|format|must/);
    expect(await page.evaluate("document.activeElement?.getAttribute('name')")).toBe("spec.civo.api_token");
    // The secret typed is not echoed anywhere else on the page.
    expect(await page.locator("body").innerText()).not.toContain("too-short");
    await screenshot("validation-error");
  });

  it("creates a DigitalOcean connection and shows it VERIFIED", async () => {
    await page.goto(`${base}/connections/new/digitalocean`);
    await page.getByLabel("Name").fill("digitalocean-staging");
    await page.getByLabel("API token").fill(DO_TOKEN);
    await page.getByLabel("Default region").selectOption("ams3");
    await page.getByRole("button", { name: "Create connection" }).click();
    await page.waitForURL(`${base}/connections/digitalocean-staging`);
    await page.getByTestId("connection-status").getByText("Verified", { exact: true }).waitFor({ timeout: 20_000 });
    await screenshot("connection");
  });

  it("connects AWS by cross-account trust: the page follows WatchSetup until the role is VERIFIED", async () => {
    await page.goto(`${base}/connections/new/aws`);
    await page.getByLabel("Name").fill("aws-production");
    await page.getByLabel("Account ID").fill(CUSTOMER_ACCOUNT);
    expect(await page.getByLabel("Region").inputValue()).toBe("us-west-2");
    await page.getByLabel(/Cross-account trust/).check();
    const boxes = page.getByRole("group", { name: "What the role may deploy" }).getByRole("checkbox");
    expect(await boxes.count()).toBe(10);
    for (let i = 0; i < 10; i++) expect(await boxes.nth(i).isChecked()).toBe(true);
    await expect(axeViolations(page)).resolves.toEqual([]);
    await screenshot("create-aws-trust");
    await page.getByRole("button", { name: /Create and get the AWS link/ }).click();
    const link = page.getByTestId("quick-create-link");
    await link.waitFor();
    expect(await link.getAttribute("target")).toBe("_blank");
    const href = (await link.getAttribute("href"))!;
    // Play CloudFormation: read the link's parameters, create the role, report it.
    const fragment = new URL(href).hash;
    const params = new URLSearchParams(fragment.slice(fragment.indexOf("?") + 1));
    const roleArn = `arn:aws:iam::${CUSTOMER_ACCOUNT}:role/planton-connect`;
    sts.addRole({ roleArn, trustedPrincipalArn: params.get("param_TrustedPrincipalArn")!, externalId: params.get("param_ExternalId")! });
    expect(params.get("param_TrustedPrincipalArn")).toBe(PRINCIPAL);
    await page.getByTestId("trust-state").getByText("Waiting for the CloudFormation stack").waitFor();
    await screenshot("aws-trust-waiting");
    const completed = await rpc("planton.connect.v1.AwsTrustService/CompleteSetup", {
      setupId: params.get("param_SetupId"),
      token: params.get("param_CallbackToken"),
      roleArn,
      accountId: CUSTOMER_ACCOUNT,
      stackId: `arn:aws:cloudformation:us-west-2:${CUSTOMER_ACCOUNT}:stack/planton-connect/1a2b3c4d-0000-1111-2222-333344445555`,
    });
    expect(completed.status).toBe(200);
    await page.getByTestId("trust-state").getByText("Verified", { exact: true }).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId("trust-state").innerText()).toContain(roleArn);
    await screenshot("aws-trust-verified");
  });

  it("lists the connections with filters and paging controls", async () => {
    await page.goto(`${base}/connections`);
    const table = page.getByRole("table");
    await table.waitFor();
    await expect.poll(async () => await table.getByRole("row").count()).toBe(4);
    await page.getByLabel("Provider").selectOption({ label: "Civo" });
    await expect.poll(async () => await table.getByRole("row").count()).toBe(2);
    await page.getByLabel("Provider").selectOption({ label: "All providers" });
    await page.getByLabel("Status").selectOption({ label: "Verified" });
    await expect.poll(async () => await table.getByRole("row").count()).toBe(4);
    await page.getByLabel("Status").selectOption({ label: "All statuses" });
    await expect.poll(async () => await table.getByRole("row").count()).toBe(4);
    await screenshot("connections");
  });

  it("authorizes environments, sets defaults, and rotates while a deployment is pinned", async () => {
    await page.goto(`${base}/connections/civo-production`);
    await page.getByRole("heading", { level: 1, name: "Civo Production" }).waitFor();
    await page.getByRole("textbox", { name: "Environments" }).fill("production, staging");
    await page.getByRole("button", { name: "Authorize" }).click();
    await page.getByText("Environment production").waitFor();
    await page.getByText("Environment staging").waitFor();
    // The organization default needs an organization-wide authorization: the server says so.
    await page.getByRole("button", { name: "Make organization default" }).click();
    await page.getByRole("alert").filter({ hasText: "not authorized for the whole organization" }).waitFor();
    const defaults = page.getByRole("form", { name: "Default for an environment" });
    await defaults.getByRole("textbox", { name: "Environment" }).fill("production");
    await defaults.getByRole("button", { name: "Make default for this environment" }).click();
    await page.getByText("Now the default for production.").waitFor();
    // A deployment resolves (pins) version 1.
    const token = signInLink.split("#token=")[1]!;
    const resolved = await rpc(
      "planton.connect.v1.EnvironmentAuthorizationService/ResolveCredentials",
      { deploymentId: "dep-e2e-1", environment: "production", provider: "PROVIDER_CIVO" },
      token,
    );
    expect(resolved.status).toBe(200);
    expect(resolved.json["credentialVersion"]).toBe(1);
    const rotate = page.getByRole("form", { name: "Rotate credentials" });
    // Civo now accepts only the new key: the rotated version verifies against it.
    civo.setApiKey(CIVO_TOKEN_2);
    await rotate.getByLabel("API token").fill(CIVO_TOKEN_2);
    await rotate.getByRole("button", { name: "Rotate" }).click();
    await page.getByText("Rotated: a new credential version is being verified.").waitFor();
    await page.getByText("v2", { exact: true }).first().waitFor();
    expect(await page.content()).not.toContain(CIVO_TOKEN_2);
    await page.getByTestId("connection-status").getByText("Verified", { exact: true }).waitFor({ timeout: 20_000 });
    // The pinned deployment keeps version 1.
    const again = await rpc(
      "planton.connect.v1.EnvironmentAuthorizationService/ResolveCredentials",
      { deploymentId: "dep-e2e-1", environment: "production", provider: "PROVIDER_CIVO" },
      token,
    );
    expect(again.json["credentialVersion"]).toBe(1);
    await page.reload();
    await page.getByRole("heading", { name: "Audit trail" }).waitFor();
    await page.getByRole("cell", { name: "dep-e2e-1" }).first().waitFor();
    await expect(axeViolations(page)).resolves.toEqual([]);
    await screenshot("connection-civo");
  });

  it("refuses to delete while a deployment is pinned, then deletes with force after confirmation", async () => {
    await page.getByRole("button", { name: "Delete connection" }).click();
    const guard = page.getByRole("alert").filter({ hasText: /pinned|deployment/ });
    await guard.waitFor();
    const force = page.getByRole("button", { name: "Delete anyway" });
    expect(await force.isDisabled()).toBe(true);
    await page.getByLabel(/I understand/).check();
    await force.click();
    await page.waitForURL(`${base}/connections`);
    await page.getByRole("table").waitFor();
    await expect.poll(async () => await page.getByRole("table").getByRole("row").count()).toBe(3);
  });

  it("registers and deletes a runner", async () => {
    await page.getByRole("link", { name: "Runners" }).click();
    await page.getByRole("heading", { level: 1, name: "Runners" }).waitFor();
    await page.getByLabel("Runner name").fill("eks-runner");
    await page.getByLabel("Principal").fill("arn:aws:iam::345678901234:role/planton-runner");
    await page.getByRole("button", { name: "Register runner" }).click();
    await page.getByText("Its token is shown once").waitFor();
    await page.getByRole("cell", { name: /^eks-runner/ }).waitFor();
    await expect(axeViolations(page)).resolves.toEqual([]);
    await screenshot("runners");
    await page.getByRole("button", { name: "I have stored it" }).click();
    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: "Delete runner eks-runner" }).click();
    await page.getByText("No runners yet.").waitFor();
  });

  it("is usable in a narrow window", async () => {
    // The same tab: the session lives in this tab's sessionStorage only.
    await page.setViewportSize({ width: 375, height: 740 });
    await page.goto(`${base}/connections`);
    await page.getByRole("table").waitFor();
    // Nothing but the table's own scroller is wider than the window.
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(375);
    await screenshot("connections-narrow");
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it("shows a second organization none of it", async () => {
    const other = await browser.newContext();
    const otherPage = await other.newPage();
    await otherPage.goto(`${base}/#token=${otherOrgToken}`);
    await otherPage.getByRole("heading", { level: 1, name: "Connections" }).waitFor();
    await otherPage.getByText("No connections yet").waitFor();
    expect(await otherPage.getByRole("table").count()).toBe(0);
    await otherPage.goto(`${base}/connections/digitalocean-staging`);
    await otherPage.getByText('No connection "digitalocean-staging" in your organization.').waitFor();
    await otherPage.goto(`${base}/runners`);
    await otherPage.getByText("No runners yet.").waitFor();
    await other.close();
  });
  it("creates an Azure connection and shows it VERIFIED, and explains the provider's refusal of a wrong secret", async () => {
    const tenant = "11111111-2222-4333-8444-555555555555";
    const subscription = "66666666-7777-4888-9999-000000000000";
    const client = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
    azure.addApp(tenant, client, "azure-client-secret-value~1234567890");
    azure.addSubscription(subscription, { tenantId: tenant, displayName: "Production", readers: [client] });
    for (const [name, secret] of [
      ["azure-production", "azure-client-secret-value~1234567890"],
      ["azure-staging", "a-wrong-secret-value~000000000000000"],
    ] as const) {
      await page.goto(`${base}/connections/new/azure`);
      await page.getByLabel("Name").fill(name);
      await page.getByLabel("Tenant ID").fill(tenant);
      await page.getByLabel("Subscription ID").fill(subscription);
      await page.getByLabel("Client ID").fill(client);
      await page.getByLabel("Client secret").fill(secret);
      await page.getByRole("button", { name: "Create connection" }).click();
      await page.waitForURL(`${base}/connections/${name}`);
    }
    // The second one: refused by Entra ID, with the reason and what to fix.
    const status = page.getByTestId("connection-status");
    await status.getByText("Verification failed").waitFor({ timeout: 20_000 });
    expect(await status.innerText()).toMatch(/\(([A-Z_]+)\): \S+/);
    await page.goto(`${base}/connections/azure-production`);
    await status.getByText("Verified", { exact: true }).waitFor({ timeout: 20_000 });
  });

  it("creates Cloudflare connections with a scoped token and with the legacy key and email, both VERIFIED", async () => {
    const token = "cfTokenAbcdefghijklmnopqrstuvwxyz0123456";
    cloudflare.addToken(token, { id: "tok-1" });
    cloudflare.addLegacyKey("owner@example.com", "0123456789abcdef0123456789abcdef01234");
    await page.goto(`${base}/connections/new/cloudflare`);
    await page.getByLabel("Name").fill("cloudflare-dns");
    await page.getByRole("textbox", { name: "API token" }).fill(token);
    await page.getByRole("button", { name: "Create connection" }).click();
    await page.waitForURL(`${base}/connections/cloudflare-dns`);
    await page.getByTestId("connection-status").getByText("Verified", { exact: true }).waitFor({ timeout: 20_000 });

    await page.goto(`${base}/connections/new/cloudflare`);
    await page.getByLabel("Name").fill("cloudflare-legacy");
    await page.getByLabel(/Global API key and email/).check();
    expect(await page.getByRole("textbox", { name: "API token" }).count()).toBe(0);
    await page.getByRole("textbox", { name: "Global API key" }).fill("0123456789abcdef0123456789abcdef01234");
    await page.getByLabel("Account email").fill("owner@example.com");
    await page.getByRole("button", { name: "Create connection" }).click();
    await page.waitForURL(`${base}/connections/cloudflare-legacy`);
    await page.getByTestId("connection-status").getByText("Verified", { exact: true }).waitFor({ timeout: 20_000 });
  });

  it("creates a GCP connection from a chosen key file, encoded in the browser, VERIFIED", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const clientEmail = "deployer@analytics-prod.iam.gserviceaccount.com";
    google.registerKey(clientEmail, publicKey.export({ type: "spki", format: "pem" }).toString());
    const keyFile = join(dataDir, "key.json");
    await writeFile(
      keyFile,
      JSON.stringify({
        type: "service_account",
        project_id: "analytics-prod",
        private_key_id: "0123456789abcdef",
        private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
        client_email: clientEmail,
        token_uri: "https://oauth2.googleapis.com/token",
      }),
    );
    await page.goto(`${base}/connections/new/gcp`);
    await page.getByLabel("Name").fill("gcp-analytics-project");
    await page.getByLabel(/Service account key/).setInputFiles(keyFile);
    await page.getByText(`Service account ${clientEmail} of project analytics-prod.`).waitFor();
    await page.getByRole("button", { name: "Create connection" }).click();
    await page.waitForURL(`${base}/connections/gcp-analytics-project`);
    await page.getByTestId("connection-status").getByText("Verified", { exact: true }).waitFor({ timeout: 20_000 });
    expect(await page.content()).not.toContain("PRIVATE KEY");
  });

  it("creates AWS connections with inline keys (VERIFIED) and with a self-hosted runner of the right kind", async () => {
    sts.addKey("AKIACUSTOMER00000001", "customerSecret00000000000000000000000000", {
      account: CUSTOMER_ACCOUNT,
      arn: `arn:aws:iam::${CUSTOMER_ACCOUNT}:user/deployer`,
    });
    await page.goto(`${base}/connections/new/aws`);
    await page.getByLabel("Name").fill("aws-dev-sandbox");
    await page.getByLabel("Account ID").fill(CUSTOMER_ACCOUNT);
    await page.getByLabel("Access key ID").fill("AKIACUSTOMER00000001");
    await page.getByLabel("Secret access key").fill("customerSecret00000000000000000000000000");
    await page.getByRole("button", { name: "Create connection" }).click();
    await page.waitForURL(`${base}/connections/aws-dev-sandbox`);
    await page.getByTestId("connection-status").getByText("Verified", { exact: true }).waitFor({ timeout: 20_000 });
    expect(await page.content()).not.toContain("customerSecret");

    // A GCP runner exists; it is not offered for AWS. An AWS IRSA runner is registered inline.
    const token = signInLink.split("#token=")[1]!;
    expect(
      (
        await rpc(
          "planton.connect.v1.RunnerService/RegisterRunner",
          { name: "gke-runner", identity: { kind: "RUNNER_IDENTITY_KIND_GCP_WORKLOAD_IDENTITY", principal: "runner@analytics-prod.iam.gserviceaccount.com" } },
          token,
        )
      ).status,
    ).toBe(200);
    await page.goto(`${base}/connections/new/aws`);
    await page.getByLabel("Name").fill("aws-runner");
    await page.getByLabel("Account ID").fill(CUSTOMER_ACCOUNT);
    await page.getByLabel(/Self-hosted runner/).check();
    const runner = page.locator('select[name="spec.aws.runner.runner_id"]');
    await runner.locator("option", { hasText: "No runner of this kind yet" }).waitFor({ state: "attached" });
    expect((await runner.locator("option").allTextContents()).join("|")).not.toMatch(/gke-runner/);
    await page.getByRole("button", { name: "Register a new runner" }).click();
    await page.getByLabel("Runner name").fill("eks-runner");
    await page.getByLabel("Runner IAM role (principal)").fill("arn:aws:iam::345678901234:role/planton-runner");
    await page.getByRole("button", { name: "Register runner" }).click();
    await page.getByText("Runner registered and selected.").waitFor();
    await expect.poll(async () => await runner.locator("option:checked").textContent()).toBe("eks-runner (arn:aws:iam::345678901234:role/planton-runner)");
    await page.getByRole("button", { name: "I have stored it" }).click();
    await page.getByRole("button", { name: "Create connection" }).click();
    await page.waitForURL(`${base}/connections/aws-runner`);
    await page.getByTestId("connection-status").getByText("Verified by runner").waitFor();
    // The runner is in use: deleting it is refused, and the page says why.
    await page.goto(`${base}/runners`);
    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: "Delete runner eks-runner" }).click();
    await page.getByRole("alert").waitFor();
    await page.getByRole("cell", { name: /^eks-runner/ }).waitFor();
  });

  it("reconnects the AWS trust connection with narrower capabilities; the new role is captured and verified", async () => {
    await page.goto(`${base}/connections/aws-production`);
    await page.getByRole("heading", { name: "Reconnect (new role)" }).waitFor();
    await page.getByRole("checkbox", { name: "KMS encryption" }).uncheck();
    await page.getByRole("checkbox", { name: "Lambda compute" }).uncheck();
    await page.getByRole("button", { name: "Get a new AWS link" }).click();
    const href = (await page.getByTestId("quick-create-link").getAttribute("href"))!;
    const fragment = new URL(href).hash;
    const params = new URLSearchParams(fragment.slice(fragment.indexOf("?") + 1));
    expect(params.get("param_EnableKms")).toBe("false");
    expect(params.get("param_EnableEks")).toBe("true");
    const roleArn = `arn:aws:iam::${CUSTOMER_ACCOUNT}:role/planton-connect-v2`;
    sts.addRole({ roleArn, trustedPrincipalArn: PRINCIPAL, externalId: params.get("param_ExternalId")! });
    const completed = await rpc("planton.connect.v1.AwsTrustService/CompleteSetup", {
      setupId: params.get("param_SetupId"),
      token: params.get("param_CallbackToken"),
      roleArn,
      accountId: CUSTOMER_ACCOUNT,
      stackId: `arn:aws:cloudformation:us-west-2:${CUSTOMER_ACCOUNT}:stack/planton-connect-v2/1a2b3c4d-0000-1111-2222-333344445556`,
    });
    expect(completed.status).toBe(200);
    // The connection stayed VERIFIED on its old role all along; now the new role is in.
    await page.getByTestId("trust-state").getByText("Role captured").waitFor({ timeout: 30_000 });
    await page.getByTestId("trust-state").getByText(roleArn).waitFor();
    await page.getByTestId("trust-state").getByText("Verified", { exact: true }).waitFor({ timeout: 30_000 });
    await page.reload();
    await page.getByText(roleArn).first().waitFor();
    expect(await page.getByText("KMS encryption").count()).toBe(1); // the checklist only, not the role's capabilities
  });
  it(
    "says what to do when the AWS link expires, and starts again",
    async () => {
      await page.goto(`${base}/connections/new/aws`);
      await page.getByLabel("Name").fill("aws-expiring");
      await page.getByLabel("Account ID").fill("456789012345");
      await page.getByLabel(/Cross-account trust/).check();
      await page.getByRole("button", { name: /Create and get the AWS link/ }).click();
      const href = (await page.getByTestId("quick-create-link").getAttribute("href"))!;
      const params = new URLSearchParams(new URL(href).hash.split("?")[1]);
      const expired = page.getByRole("alert").filter({ hasText: "The link expired" });
      await expired.waitFor({ timeout: SETUP_TTL_MS + 15_000 });
      expect(await page.getByTestId("trust-state").innerText()).toContain("Link expired");
      // The stack reporting late is refused; the page already said to start again.
      const late = await rpc("planton.connect.v1.AwsTrustService/CompleteSetup", {
        setupId: params.get("param_SetupId"),
        token: params.get("param_CallbackToken"),
        roleArn: "arn:aws:iam::456789012345:role/planton-connect",
        accountId: "456789012345",
        stackId: "arn:aws:cloudformation:us-west-2:456789012345:stack/planton-connect/1a2b3c4d-0000-1111-2222-333344445557",
      });
      expect(late.status).not.toBe(200);
      await expired.getByRole("button", { name: "Start again" }).click();
      // The form keeps what was typed; a new link sets up the same connection.
      expect(await page.getByLabel("Name").inputValue()).toBe("aws-expiring");
      await page.getByRole("button", { name: /Create and get the AWS link/ }).click();
      const again = (await page.getByTestId("quick-create-link").getAttribute("href"))!;
      expect(new URLSearchParams(new URL(again).hash.split("?")[1]).get("param_SetupId")).not.toBe(params.get("param_SetupId"));
      await page.getByTestId("trust-state").getByText("Waiting for the CloudFormation stack").waitFor();
    },
    SETUP_TTL_MS + 60_000,
  );
  it("shows the server's naming advice after creating a vaguely named connection", async () => {
    await page.goto(`${base}/connections/new/civo`);
    await page.getByLabel("Name").fill("my-cloud");
    await page.getByLabel("API token").fill(CIVO_TOKEN_2);
    await page.getByLabel("Default region").selectOption("NYC1");
    await page.getByRole("button", { name: "Create connection" }).click();
    await page.waitForURL(`${base}/connections/my-cloud`);
    const advice = page.getByRole("status").filter({ hasText: "NAME_CONVENTION" });
    await advice.waitFor();
    expect(await advice.innerText()).toMatch(/Prefer <provider>-<purpose>/);
  });
  it("signs the tab out when the services refuse its token", async () => {
    const other = await browser.newContext();
    const otherPage = await other.newPage();
    await otherPage.goto(`${base}/#token=eyJhbGciOiJIUzI1NiJ9.eyJvcmciOiJ4In0.bm90LXNpZ25lZA`);
    await otherPage.getByRole("heading", { level: 1, name: "Sign in to Planton Connect" }).waitFor();
    await otherPage.getByRole("alert").filter({ hasText: "Your sign-in expired or was refused" }).waitFor();
    expect(await otherPage.evaluate("window.sessionStorage.getItem('planton.token')")).toBeNull();
    await other.close();
  });
});
