import { describe, expect, it } from "vitest";
import { azureActionMatches, azureAllows } from "./azure-action-match.js";

describe("azureActionMatches", () => {
  it("matches exact actions case-insensitively", () => {
    expect(azureActionMatches("Microsoft.ContainerService/managedClusters/write", "microsoft.containerservice/MANAGEDCLUSTERS/write")).toBe(true);
    expect(azureActionMatches("Microsoft.ContainerService/managedClusters/write", "Microsoft.ContainerService/managedClusters/read")).toBe(false);
  });

  it("lets * stand for any run of characters, slashes included", () => {
    expect(azureActionMatches("*", "Microsoft.Compute/virtualMachines/write")).toBe(true);
    expect(azureActionMatches("Microsoft.Compute/*", "Microsoft.Compute/virtualMachines/write")).toBe(true);
    expect(azureActionMatches("Microsoft.Compute/*", "Microsoft.ComputeSchedule/x/write")).toBe(false);
    expect(azureActionMatches("*/read", "Microsoft.Network/virtualNetworks/read")).toBe(true);
    expect(azureActionMatches("*/read", "Microsoft.Network/virtualNetworks/write")).toBe(false);
    expect(azureActionMatches("Microsoft.Storage/storageAccounts/*/read", "Microsoft.Storage/storageAccounts/blobServices/containers/read")).toBe(true);
    expect(azureActionMatches("Microsoft.Storage/storageAccounts/*/read", "Microsoft.Storage/storageAccounts/read")).toBe(false);
  });

  it("treats regular-expression characters in a pattern literally", () => {
    expect(azureActionMatches("Microsoft.Web/sites/write", "MicrosoftXWeb/sites/write")).toBe(false);
    expect(azureActionMatches("Microsoft.Web/(sites)/write", "Microsoft.Web/(sites)/write")).toBe(true);
  });
});

describe("azureAllows", () => {
  // Contributor as the permissions API returns it.
  const contributor = {
    actions: ["*"],
    notActions: [
      "Microsoft.Authorization/*/Delete",
      "Microsoft.Authorization/*/Write",
      "Microsoft.Authorization/elevateAccess/Action",
      "Microsoft.Blueprint/blueprintAssignments/write",
    ],
  };
  const reader = { actions: ["*/read"], notActions: [] };

  it("allows what a permission's actions cover unless that permission's notActions exclude it", () => {
    expect(azureAllows([contributor], "Microsoft.ContainerService/managedClusters/write")).toBe(true);
    expect(azureAllows([contributor], "Microsoft.Authorization/roleAssignments/write")).toBe(false);
    expect(azureAllows([reader], "Microsoft.Network/dnsZones/read")).toBe(true);
    expect(azureAllows([reader], "Microsoft.Network/dnsZones/write")).toBe(false);
  });

  it("lets another role grant what one role's notActions exclude (notActions are not denies)", () => {
    const userAccessAdmin = { actions: ["*/read", "Microsoft.Authorization/*"], notActions: [] };
    expect(azureAllows([contributor, userAccessAdmin], "Microsoft.Authorization/roleAssignments/write")).toBe(true);
  });

  it("allows nothing with no permissions", () => {
    expect(azureAllows([], "Microsoft.Compute/virtualMachines/read")).toBe(false);
  });
});
