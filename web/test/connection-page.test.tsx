// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createRouterTransport } from "@connectrpc/connect";
import { ConnectionService, type DeleteConnectionRequest, type UpdateConnectionRequest } from "@planton/proto/planton/connect/v1/connection_service_pb";
import { EnvironmentAuthorizationService } from "@planton/proto/planton/connect/v1/authz_service_pb";
import {
  CapabilityCheckResult,
  ConnectionSchema,
  TrustPolicyReviewResult,
  VerificationSchema,
  type Connection,
} from "@planton/proto/planton/connect/v1/connection_pb";
import { AuthMode, ConnectionStatus, Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import { App } from "../src/app.js";

const civo = create(ConnectionSchema, {
  id: "civoconn_1",
  orgId: "acme",
  name: "civo-production",
  slug: "civo-production",
  provider: Provider.CIVO,
  authMode: AuthMode.INLINE,
  credentialVersion: 1,
  status: ConnectionStatus.VERIFIED,
  etag: "etag-1",
  details: { provider: { case: "civo", value: { apiTokenHint: "****WXYZ", defaultRegion: "LON1" } } },
});

afterEach(() => {
  cleanup();
  window.sessionStorage.clear();
});

function renderPage(handlers: { update?: (r: UpdateConnectionRequest) => void; remove?: (r: DeleteConnectionRequest) => void; connection?: Connection }) {
  window.history.replaceState(null, "", "/connections/civo-production");
  window.sessionStorage.setItem("planton.token", "a.b.c");
  const transport = createRouterTransport((router) => {
    router.service(ConnectionService, {
      getConnection: () => ({ connection: handlers.connection ?? civo }),
      updateConnection(request) {
        handlers.update?.(request);
        return { connection: { ...civo, credentialVersion: 2, status: ConnectionStatus.VERIFIED }, rotated: true };
      },
      deleteConnection(request) {
        handlers.remove?.(request);
        if (!request.force) throw new ConnectionError();
        return {};
      },
    });
    router.service(EnvironmentAuthorizationService, {
      listAuthorizations: () => ({ authorizations: [] }),
      getDefaultConnection: () => {
        throw new ConnectError("no default", Code.NotFound);
      },
      listAuditEvents: () => ({ events: [] }),
    });
  });
  render(<App storage={window.sessionStorage} transport={transport} />);
}

/** The registry's refusal while deployments are pinned. */
class ConnectionError extends ConnectError {
  constructor() {
    super("connection civo-production has 2 pinned deployments: delete with force to remove it anyway", Code.FailedPrecondition);
  }
}

describe("Connection page", () => {
  it("shows masked hints only and rotates with the secret fields alone, sending just the filled paths", async () => {
    const updates: UpdateConnectionRequest[] = [];
    renderPage({ update: (r) => updates.push(r) });
    await screen.findByRole("heading", { level: 1, name: "civo-production" });
    expect(screen.getByText("****WXYZ")).toBeTruthy();
    const rotate = screen.getByRole("form", { name: "Rotate credentials" });
    // Only secret inputs: the token and the object-store secret, both write-only.
    expect(rotate.querySelectorAll("input").length).toBe(2);
    for (const input of rotate.querySelectorAll("input")) expect(input.getAttribute("type")).toBe("password");
    await userEvent.type(within(rotate).getByLabelText("API token"), "new-civo-token-value-0123456789");
    await userEvent.click(within(rotate).getByRole("button", { name: "Rotate" }));
    await screen.findByText("Rotated: a new credential version is being verified.");
    expect(updates[0]?.etag).toBe("etag-1");
    expect(updates[0]?.updateMask?.paths).toEqual(["spec.civo.api_token"]);
    expect(updates[0]?.spec?.provider).toMatchObject({ case: "civo", value: { apiToken: "new-civo-token-value-0123456789", objectStoreSecretKey: "" } });
    // The field is cleared after the rotation.
    expect(within(rotate).getByLabelText<HTMLInputElement>("API token").value).toBe("");
  });

  it("shows the delete guard's message and deletes with force only after the confirmation", async () => {
    const deletes: DeleteConnectionRequest[] = [];
    renderPage({ remove: (r) => deletes.push(r) });
    await userEvent.click(await screen.findByRole("button", { name: "Delete connection" }));
    const guard = await screen.findByText(/2 pinned deployments/);
    expect(guard.closest('[role="alert"]')).toBeTruthy();
    const force = screen.getByRole<HTMLButtonElement>("button", { name: "Delete anyway" });
    expect(force.disabled).toBe(true);
    await userEvent.click(screen.getByLabelText(/I understand/));
    await userEvent.click(force);
    await waitFor(() => expect(window.location.pathname).toBe("/connections"));
    expect(deletes.map((d) => d.force)).toEqual([false, true]);
    expect(deletes.every((d) => d.etag === "etag-1")).toBe(true);
  });

  it("shows what the credential may do per capability, the warnings with their fixes and the trust policy review", async () => {
    const checked = create(ConnectionSchema, {
      ...civo,
      lastVerification: create(VerificationSchema, {
        credentialVersion: 1,
        ok: true,
        identity: "arn:aws:sts::123456789012:assumed-role/planton/awsconn_1",
        capabilityChecks: [
          { capability: "EKS", enabled: true, result: CapabilityCheckResult.GRANTED, checkedActionCount: 9 },
          { capability: "S3_STORAGE", enabled: true, result: CapabilityCheckResult.MISSING, missingActions: ["s3:DeleteBucket"], checkedActionCount: 10 },
          {
            capability: "KMS",
            enabled: false,
            result: CapabilityCheckResult.NOT_CHECKABLE,
            reason: "AWS IAM refused iam:SimulatePrincipalPolicy (AccessDenied)",
          },
        ],
        warnings: [
          { code: "CAPABILITY_NOT_USABLE", capability: "S3_STORAGE", message: "S3_STORAGE is not usable.", fix: "Re-run the setup for this connection." },
        ],
        trustPolicyReview: { result: TrustPolicyReviewResult.SOUND, attachedPolicyArns: ["arn:aws:iam::123456789012:policy/planton-eks"] },
      }),
    });
    renderPage({ connection: checked });
    const table = await screen.findByRole("table", { name: "Capability checks" });
    const rows = within(table)
      .getAllByRole("row")
      .slice(1)
      .map((row) => Array.from(row.querySelectorAll("th, td")).map((cell) => cell.textContent));
    expect(rows).toEqual([
      ["EKS", "yes", "Granted (9 actions checked)"],
      ["S3_STORAGE", "yes", "Missing 1 of 10: s3:DeleteBucket"],
      ["KMS", "no", "Not checkable: AWS IAM refused iam:SimulatePrincipalPolicy (AccessDenied)"],
    ]);
    const warnings = screen.getByRole("list", { name: "Verification warnings" });
    expect(warnings.textContent).toBe("CAPABILITY_NOT_USABLE (S3_STORAGE): S3_STORAGE is not usable.Fix: Re-run the setup for this connection.");
    expect(screen.getByText("Sound: as the template made it")).toBeTruthy();
    expect(screen.getByText("arn:aws:iam::123456789012:policy/planton-eks")).toBeTruthy();
  });

  it("shows no permission findings for a verification without them", async () => {
    renderPage({
      connection: create(ConnectionSchema, { ...civo, lastVerification: create(VerificationSchema, { credentialVersion: 1, ok: true, identity: "civo" }) }),
    });
    await screen.findByText("Accepted by the provider");
    expect(screen.queryByRole("table", { name: "Capability checks" })).toBeNull();
    expect(screen.queryByRole("list", { name: "Verification warnings" })).toBeNull();
  });
});
