// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cleanup, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createRouterTransport, type ConnectRouter } from "@connectrpc/connect";
import { BadRequestSchema } from "@planton/proto/google/rpc/error_details_pb";
import { ConnectionService, type CreateConnectionRequest, type ListConnectionsRequest } from "@planton/proto/planton/connect/v1/connection_service_pb";
import { AwsTrustService, AwsTrustSetupState, type StartSetupRequest } from "@planton/proto/planton/connect/v1/aws_trust_service_pb";
import { ConnectionSchema, RotationDueReason, type Connection, VerificationSchema } from "@planton/proto/planton/connect/v1/connection_pb";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { AuthMode, ConnectionStatus, Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import { App } from "../src/app.js";

const TOKEN = `x.${btoa(JSON.stringify({ org: "acme" }))}.y`;

function connection(init: Omit<Partial<Connection>, "$typeName">): Connection {
  return create(ConnectionSchema, {
    id: "civoconn_1",
    orgId: "acme",
    name: "civo-production",
    slug: "civo-production",
    provider: Provider.CIVO,
    authMode: AuthMode.INLINE,
    credentialVersion: 1,
    status: ConnectionStatus.VERIFIED,
    etag: "e1",
    ...init,
  });
}

function renderAt(path: string, routes: (router: ConnectRouter) => void) {
  window.history.replaceState(null, "", path);
  window.sessionStorage.setItem("planton.token", TOKEN);
  return render(<App storage={window.sessionStorage} transport={createRouterTransport(routes)} />);
}

beforeEach(() => window.sessionStorage.clear());
afterEach(() => cleanup());

describe("Connections", () => {
  it("lists connections with status, failure reason and version, shows the provider cards, and filters by provider", async () => {
    const requests: ListConnectionsRequest[] = [];
    renderAt("/connections", (router) =>
      router.service(ConnectionService, {
        listConnections(request) {
          requests.push(request);
          const all = [
            connection({}),
            connection({
              id: "doconn_2",
              name: "do-staging",
              slug: "do-staging",
              provider: Provider.DIGITALOCEAN,
              credentialVersion: 3,
              status: ConnectionStatus.VERIFICATION_FAILED,
              lastVerification: create(VerificationSchema, {
                ok: false,
                reason: "INVALID_CREDENTIALS",
                message: "Create a new token in the DigitalOcean control panel.",
              }),
            }),
          ];
          return { connections: all.filter((c) => request.provider === Provider.UNSPECIFIED || c.provider === request.provider), nextPageToken: "" };
        },
      }),
    );
    const table = await screen.findByRole("table");
    const rows = within(table).getAllByRole("row");
    expect(rows).toHaveLength(3);
    expect(rows[2]!.textContent).toContain("Verification failed (INVALID_CREDENTIALS): Create a new token in the DigitalOcean control panel.");
    expect(rows[2]!.textContent).toContain("v3");
    const cards = within(screen.getByRole("region", { name: "Infrastructure" })).getAllByRole("link");
    expect(cards.map((a) => a.querySelector(".card-title")?.textContent)).toEqual(["AWS", "GCP", "Azure", "DigitalOcean", "Civo", "Cloudflare"]);
    expect(cards.map((a) => a.getAttribute("href"))).toContain("/connections/new/cloudflare");
    await userEvent.selectOptions(screen.getByLabelText("Provider"), "DigitalOcean");
    await waitFor(() => expect(within(screen.getByRole("table")).getAllByRole("row")).toHaveLength(2));
    expect(requests.at(-1)?.provider).toBe(Provider.DIGITALOCEAN);
  });

  it("shows each credential's age and expiry, says when rotation is due, and filters on it", async () => {
    const requests: ListConnectionsRequest[] = [];
    const DAY = 86_400_000;
    renderAt("/connections", (router) =>
      router.service(ConnectionService, {
        listConnections(request) {
          requests.push(request);
          const all = [
            connection({ credentialSealTime: timestampFromDate(new Date(Date.now() - 3.5 * DAY)) }),
            connection({
              id: "cfconn_2",
              name: "cf-dns",
              slug: "cf-dns",
              provider: Provider.CLOUDFLARE,
              credentialSealTime: timestampFromDate(new Date(Date.now() - 2 * DAY)),
              credentialCreateTime: timestampFromDate(new Date(Date.now() - 120.5 * DAY)),
              credentialExpireTime: timestampFromDate(new Date("2027-02-03T00:00:00Z")),
              rotationDueReasons: [RotationDueReason.AGE, RotationDueReason.EXPIRY],
            }),
          ];
          return { connections: request.rotationDue ? all.filter((c) => c.rotationDueReasons.length > 0) : all, nextPageToken: "" };
        },
      }),
    );
    const table = await screen.findByRole("table");
    const headers = within(table)
      .getAllByRole("columnheader")
      .map((h) => h.textContent);
    expect(headers).toEqual(expect.arrayContaining(["Credential age", "Expires"]));
    const rows = within(table).getAllByRole("row");
    expect(rows[1]!.textContent).toContain("3 days");
    expect(rows[1]!.textContent).toContain("not reported");
    expect(rows[2]!.textContent).toContain("120 days");
    expect(rows[2]!.textContent).toContain("Rotate: past the age limit, expires soon");
    expect(rows[2]!.textContent).toContain("2027-02-03");
    await userEvent.click(screen.getByLabelText("Rotation due only"));
    await waitFor(() => expect(within(screen.getByRole("table")).getAllByRole("row")).toHaveLength(2));
    expect(requests.at(-1)?.rotationDue).toBe(true);
  });
});

describe("Connections paging", () => {
  it("follows next_page_token forward and goes back to the previous page", async () => {
    const tokens: string[] = [];
    renderAt("/connections", (router) =>
      router.service(ConnectionService, {
        listConnections(request) {
          tokens.push(request.pageToken);
          return request.pageToken === ""
            ? { connections: [connection({ id: "c1", name: "first-page", slug: "first-page" })], nextPageToken: "page-2" }
            : { connections: [connection({ id: "c2", name: "second-page", slug: "second-page" })], nextPageToken: "" };
        },
      }),
    );
    await screen.findByRole("link", { name: "first-page" });
    expect(screen.getByRole<HTMLButtonElement>("button", { name: "Previous page" }).disabled).toBe(true);
    await userEvent.click(screen.getByRole("button", { name: "Next page" }));
    await screen.findByRole("link", { name: "second-page" });
    expect(tokens).toContain("page-2");
    expect(screen.getByRole<HTMLButtonElement>("button", { name: "Next page" }).disabled).toBe(true);
    await userEvent.click(screen.getByRole("button", { name: "Previous page" }));
    await screen.findByRole("link", { name: "first-page" });
  });
});

describe("Create a Civo connection", () => {
  it("previews the slug, shows the server's field violation at its field, and never keeps the secret", async () => {
    const sent: CreateConnectionRequest[] = [];
    renderAt("/connections/new/civo", (router) =>
      router.service(ConnectionService, {
        createConnection(request) {
          sent.push(request);
          const detail = create(BadRequestSchema, { fieldViolations: [{ field: "spec.civo.api_token", description: "must be at least 20 characters" }] });
          throw new ConnectError("invalid connection", Code.InvalidArgument, undefined, [{ desc: BadRequestSchema, value: detail }]);
        },
      }),
    );
    await userEvent.type(screen.getByLabelText(/^Name/), "Civo Équipe Prod!");
    expect(screen.getByTestId("slug-preview").textContent).toBe("civo-equipe-prod");
    const token = screen.getByLabelText(/^API token/);
    expect(token.getAttribute("type")).toBe("password");
    expect(token.getAttribute("autocomplete")).toBe("new-password");
    await userEvent.type(token, "short-secret");
    await userEvent.selectOptions(screen.getByLabelText(/^Default region/), "LON1");
    await userEvent.click(screen.getByRole("button", { name: "Create connection" }));
    await waitFor(() => expect(token.getAttribute("aria-invalid")).toBe("true"));
    const describedBy = token.getAttribute("aria-describedby") ?? "";
    expect(describedBy.split(" ").map((id) => document.getElementById(id)?.textContent)).toContain("must be at least 20 characters");
    expect(document.activeElement).toBe(token);
    expect(sent[0]?.spec?.provider).toMatchObject({ case: "civo", value: { apiToken: "short-secret", defaultRegion: "LON1" } });
    expect(sent[0]?.name).toBe("Civo Équipe Prod!");
    // Write-only: not in the URL or any storage.
    expect(window.location.href).not.toContain("short-secret");
    expect(JSON.stringify({ ...window.sessionStorage })).not.toContain("short-secret");
    expect(JSON.stringify({ ...window.localStorage })).not.toContain("short-secret");
  });

  it("checks required fields before calling the server", async () => {
    let calls = 0;
    renderAt("/connections/new/digitalocean", (router) =>
      router.service(ConnectionService, {
        createConnection() {
          calls++;
          return {};
        },
      }),
    );
    await userEvent.click(screen.getByRole("button", { name: "Create connection" }));
    expect(await screen.findByRole("alert")).toBeTruthy();
    expect(screen.getByLabelText(/^Name/).getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByLabelText(/^Default region/).getAttribute("aria-invalid")).toBe("true");
    expect(calls).toBe(0);
  });
});

describe("AWS cross-account trust", () => {
  it("sends all ten capabilities by default and follows WatchSetup until the role is verified", async () => {
    let started: StartSetupRequest | undefined;
    const base = connection({
      id: "awsconn_1",
      name: "aws-production",
      slug: "aws-production",
      provider: Provider.AWS,
      authMode: AuthMode.CROSS_ACCOUNT_TRUST,
      credentialVersion: 0,
      status: ConnectionStatus.AWAITING_TRUST_SETUP,
    });
    renderAt("/connections/new/aws", (router) =>
      router.service(AwsTrustService, {
        startSetup(request) {
          started = request;
          return {
            setupId: "awstrust_1",
            quickCreateUrl: "https://us-west-2.console.aws.amazon.com/cloudformation/home#/stacks/quickcreate?x=1",
            connection: base,
            setup: { setupId: "awstrust_1", accountId: "210987654321", state: AwsTrustSetupState.PENDING },
          };
        },
        async *watchSetup() {
          yield { setup: { setupId: "awstrust_1", state: AwsTrustSetupState.PENDING }, connection: base };
          yield {
            setup: { setupId: "awstrust_1", state: AwsTrustSetupState.COMPLETED, roleArn: "arn:aws:iam::210987654321:role/planton" },
            connection: { ...base, status: ConnectionStatus.PENDING_VERIFICATION },
          };
          yield {
            setup: { setupId: "awstrust_1", state: AwsTrustSetupState.COMPLETED, roleArn: "arn:aws:iam::210987654321:role/planton" },
            connection: { ...base, status: ConnectionStatus.VERIFIED },
          };
        },
      }),
    );
    await userEvent.type(screen.getByLabelText(/^Name/), "aws-production");
    await userEvent.type(screen.getByLabelText(/^Account ID/), "210987654321");
    expect(screen.getByLabelText<HTMLSelectElement>(/^Region/).value).toBe("us-west-2");
    await userEvent.click(screen.getByLabelText(/Cross-account trust/));
    const boxes = within(screen.getByRole("group", { name: "What the role may deploy" })).getAllByRole("checkbox");
    expect(boxes).toHaveLength(10);
    expect(boxes.every((b) => (b as HTMLInputElement).checked)).toBe(true);
    await userEvent.click(screen.getByRole("button", { name: /Create and get the AWS link/ }));
    const link = await screen.findByTestId("quick-create-link");
    expect(link.getAttribute("target")).toBe("_blank");
    expect(link.getAttribute("rel")).toContain("noopener");
    expect(started?.capabilities).toHaveLength(10);
    expect(started?.region).toBe("us-west-2");
    await waitFor(() => expect(screen.getByTestId("trust-state").textContent).toContain("Verified"));
    expect(screen.getByTestId("trust-state").textContent).toContain("Role captured");
    expect(screen.getByTestId("trust-state").textContent).toContain("arn:aws:iam::210987654321:role/planton");
  });
});
