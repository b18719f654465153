// Schema validation of the deployment files, offline (no cluster, no Docker
// engine), with schemas that npm packages ship:
//
// - Kubernetes objects: kubernetes-models (MIT), whose validators are the
//   Kubernetes API's OpenAPI schemas compiled with Ajv. Version 4.5.1 carries
//   the schemas of Kubernetes v1.33.0 (its changelog) and supports Node 20;
//   5.x (Kubernetes 1.36) requires Node 22 and newer.
// - docker-compose.yml: the Compose Specification's JSON schema
//   (compose-spec/compose-spec schema/compose-spec.json, Apache-2.0) as the
//   Compose linter dclint ships it (schemas/compose.schema.json); dclint 3.1.0
//   carries the compose-spec revision of 2025-07-20, compiled here with Ajv.
//
// The versions are pinned in package.json; KUBERNETES_VERSION below names
// the one the manifests are checked against.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Ajv } from "ajv";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";

const require = createRequire(import.meta.url);
const draft07 = require("ajv/dist/refs/json-schema-draft-07.json");

/** The Kubernetes version whose API schemas the manifests are validated against. */
export const KUBERNETES_VERSION = "1.33";

// apiVersion/kind to the kubernetes-models class that validates it. Every
// kind the manifests use is listed: an object of another kind is refused
// until it is added here, so nothing goes unvalidated.
const MODELS = {
  "v1/ConfigMap": ConfigMap,
  "v1/Namespace": Namespace,
  "v1/Secret": Secret,
  "v1/Service": Service,
  "v1/ServiceAccount": ServiceAccount,
  "apps/v1/Deployment": Deployment,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
};

/** Ajv's errors as lines: where (a JSON pointer) and what. */
function describe(errors) {
  return (errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}${e.params?.additionalProperty ? ` (${e.params.additionalProperty})` : ""}`);
}

/**
 * validateKubernetesObject checks one Kubernetes object (a manifest's parsed
 * document) against the API schema of its apiVersion and kind for
 * KUBERNETES_VERSION. Returns the violations, empty when it is valid; an
 * unknown apiVersion/kind is a violation. With `partial` (a strategic merge
 * patch, which names only what it changes) missing required fields are not.
 */
export function validateKubernetesObject(object, { partial = false } = {}) {
  const key = `${object?.apiVersion}/${object?.kind}`;
  const Model = MODELS[key];
  if (!Model) return [`no schema for ${key}: not a kind these manifests use (deploy/schemas.mjs MODELS)`];
  try {
    new Model(object).validate();
    return [];
  } catch (err) {
    if (!err.errors) return [err.message];
    return describe(err.errors.filter((e) => !(partial && e.keyword === "required")));
  }
}

let compose;
/** The Compose Specification schema as dclint ships it. */
function composeValidator() {
  if (compose) return compose;
  const schemaFile = join(dirname(require.resolve("dclint/package.json")), "schemas/compose.schema.json");
  const schema = JSON.parse(readFileSync(schemaFile, "utf8"));
  // allErrors: every violation at once; strict: false because the schema uses
  // annotations Ajv's strict mode does not know (e.g. "deprecated" in draft-07).
  const ajv = new Ajv({ allErrors: true, strict: false });
  // The schema names draft-07 by its https address; Ajv knows it by http.
  ajv.addMetaSchema({ ...draft07, $id: schema.$schema });
  compose = ajv.compile(schema);
  return compose;
}

/**
 * validateCompose checks a parsed Compose file (anchors and merge keys
 * resolved) against the Compose Specification's JSON schema. Returns the
 * violations, empty when it is valid.
 */
export function validateCompose(document) {
  const validate = composeValidator();
  return validate(document) ? [] : describe(validate.errors);
}
