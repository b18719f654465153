import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { validateCompose, validateKubernetesObject } from "./schemas.mjs";

// The schema checks of deploy/check.mjs refuse what kubectl or docker compose
// would refuse, and accept the files as they are.

const read = (file) => parse(readFileSync(join(import.meta.dirname, "..", file), "utf8"), { merge: true });
const clone = (value) => structuredClone(value);

describe("validateKubernetesObject (Kubernetes 1.33 API schemas)", () => {
  const deployment = read("deploy/base/vault/deployment.yaml");
  const policy = read("deploy/base/network/egress-postgres.yaml");

  it("accepts the manifests as they are", () => {
    expect(validateKubernetesObject(deployment)).toEqual([]);
    expect(validateKubernetesObject(policy)).toEqual([]);
  });

  it("refuses a field of the wrong type, naming where it is", () => {
    const broken = clone(deployment);
    broken.spec.template.spec.containers[0].ports[0].containerPort = "8080";
    expect(validateKubernetesObject(broken)).toEqual(["/spec/template/spec/containers/0/ports/0/containerPort must be integer"]);
  });

  it("refuses a missing required field, unless the object is a patch", () => {
    const broken = clone(deployment);
    delete broken.spec.selector;
    expect(validateKubernetesObject(broken)).toEqual(["/spec must have required property selector"]);
    expect(validateKubernetesObject(broken, { partial: true })).toEqual([]);
  });

  it("refuses a malformed NetworkPolicy", () => {
    const broken = clone(policy);
    broken.spec.policyTypes = "Egress";
    broken.spec.egress[0].ports[0].port = { number: 5432 };
    const problems = validateKubernetesObject(broken);
    expect(problems).toContain("/spec/policyTypes must be array");
    expect(problems.some((p) => p.startsWith("/spec/egress/0/ports/0/port"))).toBe(true);
  });

  it("refuses a kind it has no schema for", () => {
    expect(validateKubernetesObject({ apiVersion: "apps/v1beta1", kind: "Deployment", metadata: { name: "old" } })).toEqual([
      "no schema for apps/v1beta1/Deployment: not a kind these manifests use (deploy/schemas.mjs MODELS)",
    ]);
  });
});

describe("validateCompose (the Compose Specification's JSON schema)", () => {
  const compose = read("docker-compose.yml");

  it("accepts docker-compose.yml as it is (anchors and merge keys resolved)", () => {
    expect(validateCompose(compose)).toEqual([]);
  });

  it("refuses a misspelt key and a value of the wrong type", () => {
    const broken = clone(compose);
    broken.services.vault.healthcheck.intervall = "5s";
    broken.services.registry.depends_on.vault.condition = "service_ready";
    broken.services.authz.ports = "127.0.0.1:8082:8080";
    const problems = validateCompose(broken);
    expect(problems).toContain("/services/vault/healthcheck must NOT have additional properties (intervall)");
    expect(problems.some((p) => p.startsWith("/services/registry/depends_on/vault/condition"))).toBe(true);
    expect(problems.some((p) => p.startsWith("/services/authz/ports"))).toBe(true);
  });
});
