import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AWS_CAPABILITY_CHECKS } from "./aws-capability-actions.js";
import { AZURE_FAMILY_CHECKS } from "./azure-family-actions.js";
import { GCP_FAMILY_CHECKS } from "./gcp-family-permissions.js";

// docs/permission-checks.md documents the tables users rely on: it must list
// exactly what the verifier checks.
const doc = readFileSync(new URL("../../../../docs/permission-checks.md", import.meta.url), "utf8");
const rows = doc.split("\n").filter((line) => line.startsWith("| "));

/** The backticked names in the table cell `column` of each row whose first cell is `name`. */
function documented(name: string, column: number): string[][] {
  return rows
    .map((line) => line.split(" | "))
    .filter((cells) => cells[0] === `| ${name}`)
    .map((cells) => [...(cells[column] ?? "").matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? ""));
}

describe("docs/permission-checks.md", () => {
  it("lists every AWS simulation: its resource and exactly its actions", () => {
    for (const check of AWS_CAPABILITY_CHECKS) {
      const documentedRows = documented(check.name, 2);
      expect(documentedRows, check.name).toEqual(check.groups.map((g) => [...g.actions]));
      expect(
        documented(check.name, 1).map((cells) => cells[0]),
        check.name,
      ).toEqual(check.groups.map((g) => g.resource));
    }
  });

  it("lists exactly the GCP permissions and the Azure actions of each family", () => {
    const gcpSection = doc.slice(doc.indexOf("## GCP"), doc.indexOf("## Azure"));
    const azureSection = doc.slice(doc.indexOf("## Azure"));
    for (const family of GCP_FAMILY_CHECKS) {
      const line = gcpSection.split("\n").find((l) => l.startsWith(`| ${family.family} |`));
      expect(
        [...(line ?? "").split(" | ")[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]),
        family.family,
      ).toEqual([...family.permissions]);
    }
    for (const family of AZURE_FAMILY_CHECKS) {
      const line = azureSection.split("\n").find((l) => l.startsWith(`| ${family.family} |`));
      expect(
        [...(line ?? "").split(" | ")[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]),
        family.family,
      ).toEqual([...family.actions]);
    }
  });
});
