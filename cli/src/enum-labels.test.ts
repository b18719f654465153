import { describe, expect, it } from "vitest";
import {
  AuthMode,
  AuthModeSchema,
  ConnectionStatus,
  ConnectionStatusSchema,
  Provider,
  ProviderSchema,
  RunnerIdentityKind,
  RunnerIdentityKindSchema,
} from "@planton/proto/planton/connect/v1/provider_pb";
import { enumChoices, enumLabel, parseEnum } from "./enum-labels.js";

describe("enum labels", () => {
  it("show values in lower case without the enum prefix", () => {
    expect(enumLabel(ConnectionStatusSchema, ConnectionStatus.PENDING_VERIFICATION)).toBe("pending_verification");
    expect(enumLabel(ConnectionStatusSchema, ConnectionStatus.AWAITING_TRUST_SETUP)).toBe("awaiting_trust_setup");
    expect(enumLabel(ProviderSchema, Provider.AWS)).toBe("aws");
    expect(enumLabel(AuthModeSchema, AuthMode.CROSS_ACCOUNT_TRUST)).toBe("cross_account_trust");
    expect(enumLabel(ProviderSchema, 0)).toBe("-");
    expect(enumLabel(ProviderSchema, 99)).toBe("99");
  });

  it("list choices without UNSPECIFIED", () => {
    expect(enumChoices(ProviderSchema)).toEqual(["aws", "gcp", "azure", "digitalocean", "civo", "cloudflare"]);
  });

  it("parse labels with any case and dashes", () => {
    expect(parseEnum(RunnerIdentityKindSchema, "aws-irsa", "--kind")).toBe(RunnerIdentityKind.AWS_IRSA);
    expect(parseEnum(ConnectionStatusSchema, "VERIFICATION_FAILED", "--status")).toBe(ConnectionStatus.VERIFICATION_FAILED);
    expect(() => parseEnum(ProviderSchema, "unspecified", "--provider")).toThrow(/--provider must be one of aws, gcp/);
  });
});
