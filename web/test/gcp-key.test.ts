import { describe, expect, it } from "vitest";
import { readGcpKeyFile } from "../src/gcp-key.js";

const key = {
  type: "service_account",
  project_id: "analytics-prod",
  private_key_id: "abc123",
  private_key: "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n",
  client_email: "deployer@analytics-prod.iam.gserviceaccount.com",
};

describe("readGcpKeyFile", () => {
  it("base64-encodes a service-account key exactly as downloaded (UTF-8 bytes)", () => {
    const text = JSON.stringify({ ...key, note: "Équipe" }, null, 2);
    const result = readGcpKeyFile(text);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(Buffer.from(result.keyBase64, "base64").toString("utf8")).toBe(text);
    expect(result.projectId).toBe("analytics-prod");
    expect(result.clientEmail).toBe("deployer@analytics-prod.iam.gserviceaccount.com");
  });

  it("refuses files that are not a service-account key, saying why", () => {
    expect(readGcpKeyFile("not json")).toEqual({ ok: false, problem: expect.stringMatching(/not JSON/) });
    expect(readGcpKeyFile(JSON.stringify({ ...key, type: "authorized_user" }))).toEqual({
      ok: false,
      problem: expect.stringMatching(/not a service-account key/),
    });
    const { private_key: _omit, ...noPrivateKey } = key;
    expect(readGcpKeyFile(JSON.stringify(noPrivateKey))).toEqual({ ok: false, problem: 'The key has no "private_key".' });
    expect(readGcpKeyFile(JSON.stringify({ ...key, pad: "x".repeat(20_000) }))).toEqual({ ok: false, problem: expect.stringMatching(/too large/) });
  });
});
