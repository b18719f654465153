import { describe, expect, it } from "vitest";
import { AuthorizationScope } from "@planton/proto/planton/connect/v1/authz_service_pb";
import { authorizationScope, defaultScope } from "./authorization-scope.js";

describe("authorizationScope", () => {
  it("reads --org or --environments", () => {
    expect(authorizationScope(true, undefined)).toEqual({ scope: AuthorizationScope.ORGANIZATION, environments: [] });
    expect(authorizationScope(undefined, "prod, staging,,prod")).toEqual({ scope: AuthorizationScope.ENVIRONMENTS, environments: ["prod", "staging"] });
  });

  it("wants exactly one of them, and a non-empty list", () => {
    expect(() => authorizationScope(true, "prod")).toThrow(/cannot be used together/);
    expect(() => authorizationScope(undefined, undefined)).toThrow(/--org/);
    expect(() => authorizationScope(undefined, " , ")).toThrow(/at least one/);
  });
});

describe("defaultScope", () => {
  it("is the organization without --environment", () => {
    expect(defaultScope(undefined)).toEqual({ scope: AuthorizationScope.ORGANIZATION, environment: "" });
    expect(defaultScope("prod")).toEqual({ scope: AuthorizationScope.ENVIRONMENTS, environment: "prod" });
  });
});
