#!/usr/bin/env node
// Checks of the deployment files, offline: no cluster, no Docker engine.
//
//   node deploy/check.mjs
//
// Schemas first (deploy/schemas.mjs): every Kubernetes object, patch and
// generated ConfigMap against the Kubernetes API schema of its kind for
// KUBERNETES_VERSION, and docker-compose.yml against the Compose
// Specification's JSON schema. Then what a schema cannot say: every file a
// kustomization.yaml names exists (and every manifest in a
// kustomization folder is named); the Kubernetes objects each service needs
// are there and agree with each other (labels, ports, probes, Secrets,
// ConfigMaps, security settings); every environment variable a Deployment,
// ConfigMap or docker-compose.yml sets is one of KNOWN_ENV below;
// docker-compose.yml has every service, each with a health check or depending
// only on healthy services; the Dockerfile and the local-kms seed agree with
// compose. Prints one line per check; exits 1 if any failed.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments, visit } from "yaml";
import { KUBERNETES_VERSION, validateCompose, validateKubernetesObject } from "./schemas.mjs";

// ---------------------------------------------------------------------------
// The configuration contract: every environment variable the deployment files
// may set, and which services read it. A variable that is not listed here is a
// typo or a new setting: add it here (and to the service's config) first.
const KNOWN_ENV = {
  // every service
  SERVICE: "all: which service the image runs (deploy/docker/start.sh)",
  PORT: "all: Connect/gRPC-Web/gRPC over HTTP/1.1 and h2c (default 8080)",
  GRPC_PORT: "all: native gRPC, grpc.health.v1.Health (default 9090)",
  METRICS_PORT: "all: Prometheus GET /metrics (default 9464), never on the public ports",
  DATABASE_URL: "all: PostgreSQL; each service uses its own schema, migrates at start",
  NATS_URL: "all: NATS with JetStream",
  AUTH_JWT_SECRET: "all: HS256 secret (development)",
  AUTH_JWKS_URL: "all: JWKS URL (production); never together with AUTH_JWT_SECRET",
  AUTH_ISSUER: "all: expected token issuer (optional)",
  AUTH_AUDIENCE: "all: expected token audience (optional)",
  HOST: "all: listen address (default 0.0.0.0)",
  DATA_DIR: "all: local state for embedded mode (default .data; read-only in the image)",
  CORS_ORIGINS: "public services: comma-separated browser origins",
  LOG_LEVEL: "all: pino level (info)",
  SHUTDOWN_GRACE_MS: "all: drain time after SIGTERM (default 10000)",
  // calls between services
  VAULT_URL: "registry, authz, verifier: the vault's native gRPC endpoint",
  REGISTRY_URL: "authz, verifier: the registry's native gRPC endpoint",
  SERVICE_TOKEN: "registry, authz, verifier: bearer token (internal scope) for calls to other services",
  SERVICE_TOKEN_FILE: "registry, authz, verifier: file holding that token, re-read (projected tokens rotate)",
  // authz
  PIN_TTL_MS: "authz: how long a deployment's credential pin holds without a release (default 24 h)",
  VERSION_RETENTION_MS: "authz: how long a retired, unpinned credential version is kept before it is destroyed (default 7 days)",
  RETENTION_INTERVAL_MS: "authz: how often the retention job runs (default 5 min)",
  AUTHZ_URL: "registry: authz's native gRPC endpoint (refuses deletes while deployments are pinned)",
  // verifier
  AWS_STS_URL: "verifier, authz: AWS STS endpoint (default https://sts.amazonaws.com)",
  AWS_STS_MAX_ATTEMPTS: "authz: SDK attempts per AssumeRole for session credentials (default 3)",
  AWS_STS_REQUEST_TIMEOUT_MS: "authz: bound on one AssumeRole attempt (default 5000)",
  AZURE_LOGIN_URL: "verifier: Entra ID token host (default https://login.microsoftonline.com)",
  AZURE_MANAGEMENT_URL: "verifier: Azure Resource Manager (default https://management.azure.com)",
  DIGITALOCEAN_API_URL: "verifier: DigitalOcean API (default https://api.digitalocean.com)",
  CIVO_API_URL: "verifier: Civo API (default https://api.civo.com)",
  CLOUDFLARE_API_URL: "verifier: Cloudflare API (default https://api.cloudflare.com)",
  GCP_TOKEN_URI: "verifier: overrides the service-account key's token_uri (tests only)",
  CHECK_TIMEOUT_MS: "verifier: per-request timeout of a provider call (default 10000)",
  VERIFY_MAX_ATTEMPTS: "verifier: deliveries before a provider outage is recorded as a failure (default 10)",
  // registry
  REVERIFY_INTERVAL_MS: "registry: periodic re-verification of every connection (default 24 h, spread +-10%)",
  REVERIFY_TICK_MS: "registry: how often due re-verifications are queued (default 60000)",
  OUTBOX_POLL_MS: "registry: how often the outbox relay looks for unpublished events (default 500)",
  PUBLIC_URL: "registry: its address as AWS Lambda reaches it; the trust callback goes to PUBLIC_URL/planton.connect.v1.AwsTrustService/CompleteSetup",
  AWS_TRUST_PRINCIPAL_ARN:
    "registry: the runner principal AWS trust roles trust (the verifier's IRSA role); verifier: the one principal a deployed trust policy may name (trust-policy review)",
  AWS_TRUST_TEMPLATE_URL: "registry: the published CloudFormation template (S3) that Quick Create links point at",
  AWS_TRUST_CALLBACK_KEY: "registry: HMAC key of setup callback tokens, shared by the replicas (Secret)",
  AWS_TRUST_CALLBACK_KEY_FILE: "registry: file holding that key (alternative to AWS_TRUST_CALLBACK_KEY)",
  AWS_TRUST_SETUP_TTL_MS: "registry: how long a trust setup link works (default 600000)",
  AWS_TRUST_WATCH_POLL_MS: "registry: how often WatchSetup looks for changes (default 1000)",
  AWS_TRUST_TEMPLATE_BUCKET: "registry publish-template: the S3 bucket hosting the template",
  AWS_TRUST_TEMPLATE_KEY: "registry publish-template: the object key (default aws-trust/<version>/template.json)",
  AWS_TRUST_TEMPLATE_S3_ENDPOINT: "registry publish-template: an S3-compatible endpoint (path style)",
  AWS_TRUST_PROPAGATION_MS: "verifier: how long a new trust role that cannot be assumed is retried (IAM propagation, default 300000)",
  // vault
  KEY_PROVIDER: "vault: aws-kms | local",
  KMS_KEY_ID: "vault: KMS key id, ARN or alias",
  AWS_REGION: "vault: AWS SDK region (or AWS_DEFAULT_REGION)",
  AWS_DEFAULT_REGION: "vault: AWS SDK region when AWS_REGION is not set",
  AWS_ENDPOINT_URL_KMS: "vault: AWS SDK endpoint override (compose: local-kms)",
  KMS_ENDPOINT: "vault: KMS endpoint override, takes precedence over AWS_ENDPOINT_URL_KMS",
  KMS_MAX_ATTEMPTS: "vault: KMS call attempts (default 3)",
  KMS_REQUEST_TIMEOUT_MS: "vault: KMS call timeout (default 5000)",
  LOCAL_KEY_DIR: "vault: local key provider's key folder (default DATA_DIR/vault/keys)",
  LOCAL_KEY_ID: "vault: local key provider's key id (default master-1)",
  AWS_ACCESS_KEY_ID: "vault: AWS SDK credentials (compose only; IRSA in Kubernetes)",
  AWS_SECRET_ACCESS_KEY: "vault: AWS SDK credentials (compose only; IRSA in Kubernetes)",
  DATA_KEY_CACHE_MAX_ENTRIES: "vault: decrypted data key cache size",
  DATA_KEY_CACHE_MAX_AGE_MS: "vault: decrypted data key cache age",
  DATA_KEY_CACHE_MAX_USES: "vault: decrypted data key cache uses per key",
};

// The health service name each Deployment's readiness probe asks for.
const READINESS_SERVICE = {
  registry: "planton.connect.v1.ConnectionService",
  authz: "planton.connect.v1.EnvironmentAuthorizationService",
  vault: "planton.connect.v1.VaultService",
  verifier: "planton.connect.v1.Verifier",
};

// Services, their compose host ports [http, grpc], and who may call the vault.
// The verifier has no database (its work comes from NATS, its results go to the registry).
const SERVICES = {
  registry: { ports: ["8080", "9090"], hpa: true, database: true },
  vault: { ports: ["8081", "9091"], hpa: false, database: true },
  authz: { ports: ["8082", "9092"], hpa: true, database: true },
  verifier: { ports: ["8083", "9093"], hpa: false, database: false },
};
// Prometheus scrapes every pod here (METRICS_PORT), never through a Service.
const METRICS_PORT = 9464;
const VAULT_CALLERS = ["registry", "authz", "verifier"];
const KMS_ALIAS = "alias/planton-connect";
// Settings that Deployments take from Secrets (auth settings stay together in connect-auth).
const FROM_SECRETS = ["DATABASE_URL", "AUTH_JWT_SECRET", "AUTH_JWKS_URL", "AUTH_ISSUER", "AUTH_AUDIENCE", "AWS_TRUST_CALLBACK_KEY"];
// AWS settings that are not KMS access: the trust flow's (registry, verifier, authz).
const TRUST_SETTING = /^(AWS_TRUST_|AWS_STS_)/;
// Services whose ServiceAccount names an IAM role: the vault (KMS), and the
// verifier and authz (the runner principal customer trust roles name: the
// verifier proves roles with it, authz mints deployments' session credentials).
const IRSA_SERVICES = ["vault", "verifier", "authz"];
const PRESTOP_SECONDS_MAX = 10;

// ---------------------------------------------------------------------------
// YAML: the `yaml` library (YAML 1.2 core schema, with merge keys for the
// compose file's anchors). Any parse error or warning fails the file, and so
// do plain scalars that YAML 1.1 tools (docker compose, older kubectl) read
// differently: yes/no/on/off/y/n and base-60 numbers must be quoted.

function parseYaml(text, file = "<yaml>") {
  const out = [];
  for (const doc of parseAllDocuments(text, { merge: true, prettyErrors: false })) {
    const problem = doc.errors[0] ?? doc.warnings[0];
    if (problem) throw new Error(`${file}:${lineOf(text, problem.pos[0])}: ${problem.message.split("\n")[0]}`);
    visit(doc, {
      Scalar(key, node) {
        // Mapping keys are strings whatever they look like.
        if (key === "key" || node.type !== "PLAIN" || typeof node.source !== "string") return;
        const at = () => `${file}:${lineOf(text, node.range?.[0] ?? 0)}`;
        if (/^(yes|no|on|off|y|n)$/i.test(node.source)) throw new Error(`${at()}: ambiguous scalar ${node.source} (YAML 1.1 boolean): quote it`);
        if (/^\d+(:\d+)+$/.test(node.source)) throw new Error(`${at()}: ambiguous scalar ${node.source} (YAML 1.1 base 60 number): quote it`);
      },
    });
    let value;
    try {
      value = doc.toJS({ maxAliasCount: -1 });
    } catch (err) {
      throw new Error(`${file}: ${err.message}`);
    }
    // A document of comments only is no document.
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

function lineOf(text, offset) {
  return text.slice(0, offset).split("\n").length;
}

// KEY=VALUE lines (kustomize `envs` files); # comments and blank lines skipped.
function parseEnvFile(text) {
  const out = {};
  for (const line of text.split("\n")) {
    const t = line.trim();
    if (t === "" || t.startsWith("#")) continue;
    const eq = t.indexOf("=");
    if (eq <= 0) throw new Error(`not KEY=VALUE: ${t}`);
    out[t.slice(0, eq)] = t.slice(eq + 1);
  }
  return out;
}

// ---------------------------------------------------------------------------
// The checks.

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const rel = (p) => relative(root, p) || ".";
let passed = 0;
let failed = 0;
const notes = [];

function check(ok, what, detail = "") {
  if (ok) {
    passed++;
    console.log(`ok    ${what}`);
  } else {
    failed++;
    console.log(`FAIL  ${what}${detail ? `: ${detail}` : ""}`);
  }
  return ok;
}

function readYaml(path) {
  return parseYaml(readFileSync(path, "utf8"), rel(path));
}

const get = (obj, path) => path.split(".").reduce((o, k) => (o == null ? undefined : o[k]), obj);
const sameLabels = (a, b) => a && b && Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);
const matches = (selector, labels) => selector && labels && Object.entries(selector).every(([k, v]) => labels[k] === v);

// A Kubernetes object against its API schema (a patch: without required fields).
function checkSchema(object, file, options) {
  const problems = validateKubernetesObject(object, options);
  check(
    problems.length === 0,
    `${file}: ${object?.kind} ${object?.metadata?.name} is valid against the Kubernetes ${KUBERNETES_VERSION} API schema`,
    problems.join("; "),
  );
}

// Kustomizations: walk from each root, collecting objects and generated ConfigMaps.
const walked = new Set();
function loadKustomization(dir, acc, seen = walked) {
  if (seen.has(resolve(dir))) return acc;
  seen.add(resolve(dir));
  const file = ["kustomization.yaml", "kustomization.yml", "Kustomization"].map((f) => join(dir, f)).find(existsSync);
  if (!check(Boolean(file), `${rel(dir)}: has a kustomization.yaml`)) return acc;
  const [k] = readYaml(file);
  const named = new Set();
  const refer = (entry, what) => {
    const path = join(dir, entry);
    named.add(resolve(path));
    check(existsSync(path), `${rel(file)}: ${what} ${entry} exists`);
    return path;
  };
  for (const r of k.resources ?? []) {
    if (/^[a-z]+:\/\//.test(r)) continue;
    const path = refer(r, "resource");
    if (!existsSync(path)) continue;
    if (statSync(path).isDirectory()) loadKustomization(path, acc, seen);
    else
      for (const doc of readYaml(path)) {
        checkSchema(doc, rel(path));
        acc.objects.push({ ...doc, __file: rel(path) });
      }
  }
  for (const entry of [...(k.patches ?? []).map((p) => p.path).filter(Boolean), ...(k.patchesStrategicMerge ?? [])]) {
    const path = refer(entry, "patch");
    if (existsSync(path)) for (const doc of readYaml(path)) checkSchema(doc, rel(path), { partial: true });
  }
  for (const c of k.components ?? []) refer(c, "component");
  for (const gen of [...(k.configMapGenerator ?? []), ...(k.secretGenerator ?? [])]) {
    const data = {};
    for (const e of gen.envs ?? []) {
      const path = refer(e, `${gen.name} env file`);
      if (existsSync(path)) Object.assign(data, parseEnvFile(readFileSync(path, "utf8")));
    }
    for (const f of gen.files ?? []) refer(String(f).split("=").pop(), `${gen.name} file`);
    for (const l of gen.literals ?? []) data[l.slice(0, l.indexOf("="))] = l.slice(l.indexOf("=") + 1);
    const kind = (k.secretGenerator ?? []).includes(gen) ? "Secret" : "ConfigMap";
    checkSchema({ apiVersion: "v1", kind, metadata: { name: gen.name }, [kind === "Secret" ? "stringData" : "data"]: data }, `${rel(file)} (generated)`);
    const prior = acc.generated.get(gen.name);
    acc.generated.set(gen.name, { kind, data: { ...(gen.behavior === "merge" ? prior?.data : {}), ...data }, file: rel(file) });
  }
  // Every manifest in the folder is used (a forgotten file is a forgotten object).
  for (const f of readdirSync(dir)) {
    const path = resolve(dir, f);
    if (/\.ya?ml$/.test(f) && !/^kustomization\.ya?ml$/.test(f) && statSync(path).isFile()) {
      check(named.has(path), `${rel(path)}: named by ${rel(file)}`);
    }
  }
  return acc;
}

function checkKubernetes(dir) {
  const { objects, generated } = loadKustomization(dir, { objects: [], generated: new Map() });
  const byKind = (kind) => objects.filter((o) => o.kind === kind);
  const find = (kind, name) => objects.find((o) => o.kind === kind && o.metadata?.name === name);
  const where = rel(dir);
  let trustPrincipal;
  let verifierRole;
  let verifierPrincipal;
  let authzRole;

  for (const [svc, meta] of Object.entries(SERVICES)) {
    const name = `connect-${svc}`;
    const dep = find("Deployment", name);
    if (!check(Boolean(dep), `${where}: Deployment ${name}`)) continue;
    const podLabels = get(dep, "spec.template.metadata.labels");
    const selector = get(dep, "spec.selector.matchLabels");
    check(
      matches(selector, podLabels) && podLabels?.["app.kubernetes.io/name"] === name,
      `${name}: selector matches the pod labels, app.kubernetes.io/name=${name}`,
    );
    const pod = get(dep, "spec.template.spec") ?? {};
    const containers = pod.containers ?? [];
    check(containers.length === 1, `${name}: one container`);
    const c = containers[0] ?? {};

    // Replicas: 2 or more, or an autoscaler with at least 2.
    const hpa = byKind("HorizontalPodAutoscaler").find((h) => get(h, "spec.scaleTargetRef.name") === name);
    if (meta.hpa) {
      check(
        hpa && get(hpa, "spec.scaleTargetRef.kind") === "Deployment" && hpa.spec.minReplicas >= 2 && hpa.spec.maxReplicas >= hpa.spec.minReplicas,
        `${name}: HorizontalPodAutoscaler with minReplicas >= 2`,
      );
      check(dep.spec.replicas === undefined, `${name}: no spec.replicas (the autoscaler owns them)`);
    } else {
      check(!hpa && dep.spec.replicas >= 2, `${name}: replicas >= 2`, `replicas=${dep.spec.replicas}`);
    }
    check(get(dep, "spec.strategy.rollingUpdate.maxUnavailable") === 0, `${name}: rolling update keeps every replica until the new one is ready`);

    // Ports and probes.
    const ports = Object.fromEntries((c.ports ?? []).map((p) => [p.name, p.containerPort]));
    check(ports.http === 8080 && ports.grpc === 9090, `${name}: container ports http 8080, grpc 9090`, JSON.stringify(ports));
    check(ports.metrics === METRICS_PORT, `${name}: container port metrics ${METRICS_PORT}`, JSON.stringify(ports));
    const podAnnotations = get(dep, "spec.template.metadata.annotations") ?? {};
    check(
      podAnnotations["prometheus.io/scrape"] === "true" &&
        podAnnotations["prometheus.io/port"] === String(METRICS_PORT) &&
        podAnnotations["prometheus.io/path"] === "/metrics",
      `${name}: pod annotations prometheus.io/scrape, port ${METRICS_PORT}, path /metrics`,
      JSON.stringify(podAnnotations),
    );
    for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
      check(get(c, `${probe}.grpc.port`) === 9090, `${name}: ${probe} is a gRPC health probe on 9090`);
    }
    // Readiness names the service, so it follows the dependencies; liveness
    // and startup ask for "" (the process), so a dependency outage never
    // restarts a pod.
    const readiness = READINESS_SERVICE[name.replace(/^connect-/, "")];
    check(get(c, "readinessProbe.grpc.service") === readiness, `${name}: readinessProbe asks for ${readiness}`, get(c, "readinessProbe.grpc.service"));
    for (const probe of ["startupProbe", "livenessProbe"]) {
      check(get(c, `${probe}.grpc.service`) === undefined, `${name}: ${probe} asks for the process ("")`);
    }

    // Security.
    check(pod.securityContext?.runAsNonRoot === true && pod.securityContext?.runAsUser > 0, `${name}: pod runs as non-root`);
    check(get(pod, "securityContext.seccompProfile.type") === "RuntimeDefault", `${name}: seccomp RuntimeDefault`);
    const sc = c.securityContext ?? {};
    check(
      sc.readOnlyRootFilesystem === true && sc.allowPrivilegeEscalation === false && (sc.capabilities?.drop ?? []).includes("ALL"),
      `${name}: read-only root filesystem, no privilege escalation, capabilities dropped`,
    );
    const tmpMount = (c.volumeMounts ?? []).find((m) => m.mountPath === "/tmp");
    const tmpVol = (pod.volumes ?? []).find((v) => v.name === tmpMount?.name);
    check(Boolean(tmpVol && "emptyDir" in tmpVol), `${name}: /tmp is an emptyDir`);
    check(
      (pod.topologySpreadConstraints ?? []).length > 0 && pod.topologySpreadConstraints.every((t) => matches(t.labelSelector?.matchLabels, podLabels)),
      `${name}: topology spread constraints select its own pods`,
    );
    check(
      Boolean(c.resources?.requests?.cpu && c.resources?.requests?.memory && c.resources?.limits?.memory),
      `${name}: cpu and memory requests, memory limit`,
    );

    // Shutdown: the grace period covers preStop and the drain.
    const pre = get(c, "lifecycle.preStop.exec.command") ?? [];
    const preStop = pre[0] === "sleep" ? Number(pre[1]) : 0;
    check(preStop <= PRESTOP_SECONDS_MAX, `${name}: preStop sleep is short (${preStop} s)`);

    // Environment: known names, Secrets for secret values, ConfigMaps that exist.
    const env = {};
    const names = [];
    for (const ref of c.envFrom ?? []) {
      const cmName = ref.configMapRef?.name;
      const gen = generated.get(cmName) ?? (find("ConfigMap", cmName) && { data: find("ConfigMap", cmName).data ?? {} });
      check(Boolean(cmName && gen), `${name}: envFrom ConfigMap ${cmName} is generated by a kustomization`);
      check(!ref.secretRef, `${name}: no envFrom Secret (every secret variable is named)`);
      for (const [k, v] of Object.entries(gen?.data ?? {})) {
        env[k] = v;
        names.push(k);
      }
    }
    for (const e of c.env ?? []) {
      names.push(e.name);
      if (e.value !== undefined) env[e.name] = e.value;
      if (FROM_SECRETS.includes(e.name)) {
        check(Boolean(e.valueFrom?.secretKeyRef?.name) && e.value === undefined, `${name}: ${e.name} comes from a Secret`);
      }
      const cmRef = e.valueFrom?.configMapKeyRef;
      if (cmRef) check(Boolean(generated.get(cmRef.name)?.data?.[cmRef.key] !== undefined), `${name}: ${e.name} ConfigMap key exists`);
    }
    const unknown = names.filter((n) => !Object.hasOwn(KNOWN_ENV, n));
    check(unknown.length === 0, `${name}: every environment variable is in KNOWN_ENV`, unknown.join(", "));
    check(env.SERVICE === svc, `${name}: SERVICE=${svc}`);
    check(names.includes("AUTH_JWT_SECRET") || names.includes("AUTH_JWKS_URL"), `${name}: AUTH settings are set`);
    check(
      names.includes("DATABASE_URL") === meta.database,
      meta.database ? `${name}: DATABASE_URL is set` : `${name}: no DATABASE_URL (no database, no Secret to require)`,
    );
    const grace = Number(env.SHUTDOWN_GRACE_MS ?? 10000);
    check(
      (pod.terminationGracePeriodSeconds ?? 30) * 1000 > grace + preStop * 1000,
      `${name}: terminationGracePeriodSeconds exceeds preStop + SHUTDOWN_GRACE_MS`,
      `${pod.terminationGracePeriodSeconds} s vs ${preStop} s + ${grace} ms`,
    );
    if (env.PORT) check(env.PORT === "8080" && env.GRPC_PORT === "9090", `${name}: PORT/GRPC_PORT match the container ports`);
    check((env.METRICS_PORT ?? String(METRICS_PORT)) === String(METRICS_PORT), `${name}: METRICS_PORT matches the metrics container port`, env.METRICS_PORT);
    for (const url of ["VAULT_URL", "REGISTRY_URL"]) {
      if (!env[url]) continue;
      const target = url === "VAULT_URL" ? "connect-vault" : "connect-registry";
      check(new RegExp(`^http://${target}(\\.[a-z0-9.-]+)?:9090$`).test(env[url]), `${name}: ${url} points at ${target}:9090`, env[url]);
    }
    if (VAULT_CALLERS.includes(svc)) check(Boolean(env.VAULT_URL), `${name}: VAULT_URL is set`);
    if (svc === "authz" || svc === "verifier") check(Boolean(env.REGISTRY_URL), `${name}: REGISTRY_URL is set`);
    if (svc === "vault") {
      check(["aws-kms", "local"].includes(env.KEY_PROVIDER) && Boolean(env.KMS_KEY_ID || env.KEY_PROVIDER === "local"), `${name}: KEY_PROVIDER and KMS_KEY_ID`);
      check(!names.includes("AWS_ACCESS_KEY_ID") && !names.includes("AWS_SECRET_ACCESS_KEY"), `${name}: no static AWS keys (IRSA)`);
    } else {
      check(
        !names.some((n) => (n.startsWith("AWS_") && !TRUST_SETTING.test(n)) || n.startsWith("KMS_")),
        `${name}: no AWS or KMS settings beyond the trust flow's (only the vault has KMS access)`,
      );
    }
    if (svc === "registry") {
      // Replicas must share the callback key, or a callback reaching another replica fails.
      check(
        names.includes("AWS_TRUST_CALLBACK_KEY") || names.includes("AWS_TRUST_CALLBACK_KEY_FILE"),
        `${name}: AWS_TRUST_CALLBACK_KEY is set (shared by the replicas)`,
      );
      check(/^https:\/\//.test(env.PUBLIC_URL ?? ""), `${name}: PUBLIC_URL is an https URL (AWS Lambda calls back there)`, env.PUBLIC_URL);
      trustPrincipal = env.AWS_TRUST_PRINCIPAL_ARN;
    }

    // ServiceAccount: exists; only the vault's has an IAM role.
    const sa = find("ServiceAccount", pod.serviceAccountName);
    check(Boolean(sa) && pod.serviceAccountName === name, `${name}: ServiceAccount ${name}`);
    const role = get(sa ?? {}, "metadata.annotations")?.["eks.amazonaws.com/role-arn"];
    if (IRSA_SERVICES.includes(svc))
      check(
        /^arn:aws:iam::\d{12}:role\//.test(role ?? "") && sa?.automountServiceAccountToken !== false,
        `${name}: ServiceAccount has the IRSA role annotation`,
      );
    else check(!role && sa?.automountServiceAccountToken === false, `${name}: ServiceAccount has no IAM role and no token`);
    if (svc === "verifier") {
      verifierRole = role;
      verifierPrincipal = env.AWS_TRUST_PRINCIPAL_ARN;
    }
    if (svc === "authz") authzRole = role;

    // Service.
    const service = find("Service", name);
    if (check(Boolean(service), `${name}: Service`)) {
      check(sameLabels(service.spec.selector, podLabels), `${name}: Service selects the pods`);
      const sp = Object.fromEntries((service.spec.ports ?? []).map((p) => [p.name, p]));
      check(
        sp.http?.port === 8080 && sp.grpc?.port === 9090 && Boolean(sp.http?.appProtocol && sp.grpc?.appProtocol),
        `${name}: Service ports http 8080 and grpc 9090 with appProtocol`,
      );
      check(
        (service.spec.ports ?? []).every((p) => p.port !== METRICS_PORT && p.targetPort !== METRICS_PORT && p.targetPort !== "metrics"),
        `${name}: Service does not expose the metrics port`,
      );
    }

    // PodDisruptionBudget.
    const pdb = find("PodDisruptionBudget", name);
    check(Boolean(pdb) && sameLabels(get(pdb, "spec.selector.matchLabels"), selector), `${name}: PodDisruptionBudget selects the pods`);
  }

  checkNetworkPolicies(byKind("NetworkPolicy"), find, where);
  const roles = objects.filter((o) => o.kind === "ServiceAccount" && o.metadata?.annotations?.["eks.amazonaws.com/role-arn"]);
  check(
    roles.length === IRSA_SERVICES.length && roles.every((r) => IRSA_SERVICES.map((s) => `connect-${s}`).includes(r.metadata.name)),
    `${where}: only the vault's, the verifier's and authz's ServiceAccounts have an IAM role`,
    roles.map((r) => r.metadata.name).join(", "),
  );
  // The verifier proves roles as the principal they trust: the same ARN.
  check(
    Boolean(trustPrincipal) && trustPrincipal === verifierRole,
    `${where}: registry AWS_TRUST_PRINCIPAL_ARN is the verifier's IRSA role`,
    `${trustPrincipal} vs ${verifierRole}`,
  );
  // The verifier's trust-policy review compares deployed trust policies with the same ARN.
  check(verifierPrincipal === trustPrincipal, `${where}: verifier AWS_TRUST_PRINCIPAL_ARN is the registry's`, `${verifierPrincipal} vs ${trustPrincipal}`);
  // authz assumes the same roles for deployments' session credentials.
  check(
    Boolean(trustPrincipal) && trustPrincipal === authzRole,
    `${where}: registry AWS_TRUST_PRINCIPAL_ARN is authz's IRSA role`,
    `${trustPrincipal} vs ${authzRole}`,
  );
  for (const [cm, g] of generated) {
    const unknown = Object.keys(g.data).filter((k) => !Object.hasOwn(KNOWN_ENV, k));
    check(unknown.length === 0, `${g.kind} ${cm} (${g.file}): every key is in KNOWN_ENV`, unknown.join(", "));
    const secret = Object.keys(g.data).filter((k) => FROM_SECRETS.includes(k));
    check(g.kind === "Secret" || secret.length === 0, `${g.kind} ${cm}: holds no secret setting (${FROM_SECRETS.join(", ")})`, secret.join(", "));
  }
  return objects;
}

// A label selector (matchLabels and matchExpressions) against a pod's labels.
function selects(selector, labels) {
  if (!selector || !labels) return false;
  const exprOk = (e) => {
    const has = Object.hasOwn(labels, e.key);
    if (e.operator === "In") return has && e.values.includes(labels[e.key]);
    if (e.operator === "NotIn") return !has || !e.values.includes(labels[e.key]);
    if (e.operator === "Exists") return has;
    if (e.operator === "DoesNotExist") return !has;
    return false;
  };
  return Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v) && (selector.matchExpressions ?? []).every(exprOk);
}

// NetworkPolicies: who reaches the vault, and where each service's pods may
// connect to (DNS, each other, PostgreSQL, NATS, HTTPS out).
function checkNetworkPolicies(policies, find, where) {
  const podLabels = (svc) => get(find("Deployment", `connect-${svc}`) ?? {}, "spec.template.metadata.labels");
  const portsOf = (rule) => (rule.ports ?? []).map((p) => `${p.port}/${p.protocol ?? "TCP"}`);

  // The vault: ingress only from the callers on 9090, and the metrics port for Prometheus.
  const np = policies.find((n) => (n.spec?.policyTypes ?? []).includes("Ingress") && selects(n.spec?.podSelector, podLabels("vault")));
  if (check(Boolean(np), `${where}: an ingress NetworkPolicy selects the vault pods`)) {
    const allowed = new Set();
    let ok = true;
    for (const rule of np.spec.ingress ?? []) {
      const ports = portsOf(rule);
      if (ports.length > 0 && ports.every((p) => p === `${METRICS_PORT}/TCP`)) continue;
      for (const from of rule.from ?? []) {
        const exprs = get(from, "podSelector.matchExpressions") ?? [];
        const nameIn = exprs.find((e) => e.key === "app.kubernetes.io/name" && e.operator === "In");
        const nameEq = get(from, "podSelector.matchLabels")?.["app.kubernetes.io/name"];
        if (from.namespaceSelector || from.ipBlock || (!nameIn && !nameEq)) ok = false;
        for (const v of nameIn?.values ?? [nameEq]) allowed.add(v);
      }
      if (!(rule.from ?? []).length || !ports.length || ports.some((p) => p !== "9090/TCP")) ok = false;
    }
    const want = VAULT_CALLERS.map((s) => `connect-${s}`);
    check(
      ok && allowed.size === want.length && want.every((w) => allowed.has(w)),
      `vault NetworkPolicy: only registry, authz and verifier pods on 9090 (and the metrics port ${METRICS_PORT})`,
      [...allowed].join(", "),
    );
  }

  // Egress of each service: the rules of every policy that selects its pods.
  for (const [svc, meta] of Object.entries(SERVICES)) {
    const name = `connect-${svc}`;
    const labels = podLabels(svc);
    const egress = policies.filter((n) => (n.spec?.policyTypes ?? []).includes("Egress") && selects(n.spec?.podSelector, labels));
    if (!check(egress.length > 0, `${name}: its egress is restricted by NetworkPolicies`)) continue;
    const rules = egress.flatMap((n) => n.spec.egress ?? []);
    check(
      rules.every((r) => portsOf(r).length > 0 && (r.to ?? []).length > 0),
      `${name}: every egress rule names its ports and destinations`,
    );
    const dns = rules.filter((r) =>
      (r.to ?? []).some(
        (t) => t.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] === "kube-system" && t.podSelector?.matchLabels?.["k8s-app"] === "kube-dns",
      ),
    );
    check(
      ["53/UDP", "53/TCP"].every((p) => dns.some((r) => portsOf(r).includes(p))),
      `${name}: may ask the cluster DNS (53 UDP and TCP)`,
    );
    const to = (port) => rules.filter((r) => portsOf(r).includes(port)).flatMap((r) => r.to);
    const anywhere = (t) => t.ipBlock?.cidr === "0.0.0.0/0" || t.ipBlock?.cidr === "::/0";
    const pg = to("5432/TCP");
    check(
      meta.database ? pg.length > 0 && !pg.some(anywhere) : pg.length === 0,
      meta.database ? `${name}: may reach PostgreSQL (5432) at a named place only` : `${name}: may not reach PostgreSQL (no database)`,
    );
    const nats = to("4222/TCP");
    check(nats.length > 0 && !nats.some(anywhere), `${name}: may reach NATS (4222) at a named place only`);
    if (svc !== "vault") {
      check(
        to("9090/TCP").some((t) => selects(t.podSelector, podLabels("vault")) && !t.namespaceSelector),
        `${name}: may call the vault (9090) in its namespace`,
      );
    }
  }
}

function checkCompose() {
  const file = join(root, "docker-compose.yml");
  if (!check(existsSync(file), "docker-compose.yml exists")) return;
  const [compose] = readYaml(file);
  const problems = validateCompose(compose);
  check(problems.length === 0, "docker-compose.yml: valid against the Compose Specification's JSON schema", problems.join("; "));
  const services = compose.services ?? {};
  for (const infra of ["postgres", "nats", "local-kms"]) check(Boolean(services[infra]), `compose: ${infra}`);
  check(/^postgres:16/.test(services.postgres?.image ?? ""), "compose: postgres is postgres:16");
  const natsCmd = [].concat(services.nats?.command ?? []).join(" ");
  check(
    /^nats:2/.test(services.nats?.image ?? "") && /(^|\s)(-js|--jetstream)(\s|$)/.test(natsCmd) && /(-m|--http_port) 8222/.test(natsCmd),
    "compose: nats:2 with JetStream and monitoring on 8222",
  );
  check(/8222\/healthz/.test([].concat(services.nats?.healthcheck?.test ?? []).join(" ")), "compose: nats health check is /healthz on 8222");

  const secrets = new Set();
  const hostPorts = new Map();
  for (const [svc, meta] of Object.entries(SERVICES)) {
    const s = services[svc];
    if (!check(Boolean(s), `compose: service ${svc}`)) continue;
    check(s.build?.context === "." && (s.build?.dockerfile ?? "Dockerfile") === "Dockerfile", `compose ${svc}: built from ./Dockerfile`);
    const env = s.environment ?? {};
    if (!check(!Array.isArray(env), `compose ${svc}: environment is a mapping`)) continue;
    const unknown = Object.keys(env).filter((k) => !Object.hasOwn(KNOWN_ENV, k));
    check(unknown.length === 0, `compose ${svc}: every environment variable is in KNOWN_ENV`, unknown.join(", "));
    check(env.SERVICE === svc, `compose ${svc}: SERVICE=${svc}`);
    check(Boolean(env.NATS_URL && env.AUTH_JWT_SECRET), `compose ${svc}: NATS_URL, AUTH_JWT_SECRET`);
    check(Boolean(env.DATABASE_URL) === meta.database, meta.database ? `compose ${svc}: DATABASE_URL` : `compose ${svc}: no DATABASE_URL (no database)`);
    secrets.add(env.AUTH_JWT_SECRET);
    // On 127.0.0.1 only: the stack runs with a development secret.
    const want = meta.ports.map((host, k) => `127.0.0.1:${host}:${k === 0 ? 8080 : 9090}`);
    check(JSON.stringify((s.ports ?? []).map(String)) === JSON.stringify(want), `compose ${svc}: ports ${want.join(", ")}`, JSON.stringify(s.ports));
    for (const p of s.ports ?? []) hostPorts.set(String(p).split(":").slice(0, -1).join(":"), svc);
    if (VAULT_CALLERS.includes(svc)) check(env.VAULT_URL === "http://vault:9090", `compose ${svc}: VAULT_URL=http://vault:9090`);
    if (svc === "authz" || svc === "verifier") check(env.REGISTRY_URL === "http://registry:9090", `compose ${svc}: REGISTRY_URL=http://registry:9090`);
    if (svc === "vault") {
      check(env.KEY_PROVIDER === "aws-kms" && env.KMS_KEY_ID === KMS_ALIAS, `compose vault: KEY_PROVIDER=aws-kms, KMS_KEY_ID=${KMS_ALIAS}`);
      check(
        /^http:\/\/local-kms:\d+$/.test(env.AWS_ENDPOINT_URL_KMS ?? "") && Boolean(env.AWS_REGION && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY),
        "compose vault: AWS SDK pointed at local-kms with a region and dummy keys",
      );
      check(!(s.profiles ?? []).length, "compose vault: starts without a profile");
      check(
        String(env.KMS_KEY_ID).startsWith("alias/") && env.AWS_REGION === services["local-kms"]?.environment?.KMS_REGION,
        "compose vault: AWS_REGION matches local-kms KMS_REGION",
      );
    } else {
      check(
        !Object.keys(env).some((k) => (k.startsWith("AWS_") && !TRUST_SETTING.test(k)) || k.startsWith("KMS_") || k === "KEY_PROVIDER"),
        `compose ${svc}: no KMS settings (only the vault has KMS access)`,
      );
    }
    // A service whose code has not landed yet must not start by default.
    const landed = existsSync(join(root, "services", svc, "package.json"));
    if (!landed) check((s.profiles ?? []).length > 0, `compose ${svc}: behind a profile until services/${svc} exists`);
    else if ((s.profiles ?? []).length) notes.push(`services/${svc} exists now: drop \`profiles\` from its compose entry once it runs`);
  }
  check(secrets.size === 1, "compose: one shared AUTH_JWT_SECRET");
  check(hostPorts.size === Object.keys(SERVICES).length * 2, "compose: host ports are distinct");

  // Health: every service has a health check, or depends only on healthy services.
  for (const [name, s] of Object.entries(services)) {
    const deps = Array.isArray(s.depends_on) ? Object.fromEntries(s.depends_on.map((d) => [d, { condition: "service_started" }])) : (s.depends_on ?? {});
    const hasCheck = Boolean(s.healthcheck?.test) && !s.healthcheck?.disable;
    const depsHealthy = Object.keys(deps).length > 0 && Object.values(deps).every((d) => d?.condition === "service_healthy");
    check(hasCheck || depsHealthy, `compose ${name}: has a health check or depends only on healthy services`);
    for (const [dep, d] of Object.entries(deps)) {
      check(Boolean(services[dep]), `compose ${name}: depends on existing service ${dep}`);
      if (d?.condition === "service_healthy") check(Boolean(services[dep]?.healthcheck?.test), `compose ${name}: ${dep} has the health check it waits for`);
      const depProfiles = services[dep]?.profiles ?? [];
      check(!depProfiles.length || depProfiles.every((p) => (s.profiles ?? []).includes(p)), `compose ${name}: ${dep} is started whenever ${name} is`);
    }
  }
  const volumes = [].concat(services["local-kms"]?.volumes ?? []).map(String);
  check(
    volumes.some((v) => /^\.\/deploy\/local-kms:\/init(:ro)?$/.test(v)) && services["local-kms"]?.environment?.KMS_SEED_PATH === "/init/seed.yaml",
    "compose local-kms: deploy/local-kms mounted at /init, KMS_SEED_PATH=/init/seed.yaml",
  );
}

function checkSeed() {
  const file = join(root, "deploy/local-kms/seed.yaml");
  if (!check(existsSync(file), "deploy/local-kms/seed.yaml exists")) return;
  const [seed] = readYaml(file);
  const keys = get(seed, "Keys.Symmetric.Aes") ?? [];
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  check(
    keys.length >= 1 &&
      keys.every(
        (k) =>
          uuid.test(get(k, "Metadata.KeyId") ?? "") && (k.BackingKeys ?? []).length >= 1 && k.BackingKeys.every((b) => /^[0-9a-fA-F]{64}$/.test(String(b))),
      ),
    "local-kms seed: symmetric AES keys with a UUID KeyId and 32-byte hex backing keys",
  );
  const alias = (seed.Aliases ?? []).find((a) => a.AliasName === KMS_ALIAS);
  check(Boolean(alias) && keys.some((k) => k.Metadata.KeyId === alias.TargetKeyId), `local-kms seed: ${KMS_ALIAS} targets a seeded key`);
}

function checkDockerfile() {
  const file = join(root, "Dockerfile");
  if (!check(existsSync(file), "Dockerfile exists")) return;
  const text = readFileSync(file, "utf8");
  const runtime = text.split(/^FROM\s/m).pop();
  // The images run Node 24 LTS (Node 20 reached end of life in April 2026).
  check(
    /^FROM node:\$\{NODE_VERSION\}-bookworm-slim|^FROM node:24[\w.-]*-bookworm-slim/m.test(text) && /ARG NODE_VERSION=24\b/.test(text),
    "Dockerfile: node:24 bookworm-slim",
  );
  check(/npm ci/.test(text) && /npm run build/.test(text) && /npm prune --omit=dev/.test(text), "Dockerfile: npm ci, npm run build, npm prune --omit=dev");
  check(/^USER\s+(?!0\b|root\b)\S+/m.test(runtime), "Dockerfile: runtime stage runs as a non-root user");
  check(/^EXPOSE\s+8080\s+9090\s*$/m.test(runtime), "Dockerfile: EXPOSE 8080 9090");
  check(/\bSERVICE\b/.test(runtime) && /deploy\/docker\/start\.sh/.test(runtime), "Dockerfile: SERVICE selects the service (deploy/docker/start.sh)");
  const start = readFileSync(join(root, "deploy/docker/start.sh"), "utf8");
  check(
    /exec node .*services\/\$\{SERVICE\}\/dist\/src\/main\.js|exec node [^\n]*"\$main"/.test(start) &&
      /main="services\/\$\{SERVICE\}\/dist\/src\/main\.js"/.test(start),
    "deploy/docker/start.sh: execs node services/$SERVICE/dist/src/main.js",
  );
  for (const f of ["deploy/docker/start.sh", "deploy/docker/grpc-health.mjs"]) {
    check(existsSync(join(root, f)) && text.includes(f), `Dockerfile: copies ${f}`);
  }
  const ignore = existsSync(join(root, ".dockerignore")) ? readFileSync(join(root, ".dockerignore"), "utf8") : "";
  check(/^\*\*\/node_modules$/m.test(ignore) && /^!deploy\/docker$/m.test(ignore), ".dockerignore: leaves node_modules out, keeps deploy/docker");
}

function checkReadme(objects) {
  const file = join(root, "deploy/README.md");
  if (!check(existsSync(file), "deploy/README.md exists")) return;
  const text = readFileSync(file, "utf8");
  const secretNames = new Set();
  for (const o of objects.filter((x) => x.kind === "Deployment")) {
    for (const c of get(o, "spec.template.spec.containers") ?? []) {
      for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) secretNames.add(e.valueFrom.secretKeyRef.name);
    }
  }
  for (const s of secretNames) check(text.includes(s), `deploy/README.md: explains Secret ${s}`);
  check(/migration/i.test(text) && /additive|expand/i.test(text), "deploy/README.md: migrations at start need additive changes");
}

console.log(`Checking deployment files under ${root}\n`);
// Each part runs even when another could not be parsed.
// ---------------------------------------------------------------------------
// The Grafana dashboard: valid JSON, every panel has PromQL targets, and every
// metric a query names is one the services export (a prom-client definition
// in libs/*/src or services/*/src, or one of the standard process metrics the
// scrape test sees) and is documented in the README's Metrics section.

// Standard process metrics (collectDefaultMetrics) the dashboard may use.
const DEFAULT_METRICS = ["process_cpu_seconds_total", "process_resident_memory_bytes", "nodejs_eventloop_lag_p99_seconds", "nodejs_heap_size_used_bytes"];
// PromQL functions, aggregations and keywords (not metric names).
const PROMQL_WORDS = new Set([
  "sum",
  "min",
  "max",
  "avg",
  "count",
  "topk",
  "bottomk",
  "quantile",
  "stddev",
  "rate",
  "irate",
  "increase",
  "delta",
  "deriv",
  "histogram_quantile",
  "clamp_min",
  "clamp_max",
  "abs",
  "ceil",
  "floor",
  "round",
  "absent",
  "vector",
  "scalar",
  "time",
  "max_over_time",
  "min_over_time",
  "avg_over_time",
  "and",
  "or",
  "unless",
  "bool",
  "offset",
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "e",
  "inf",
  "nan",
]);

function sourceFiles(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir)) {
    const path = join(dir, f);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (f.endsWith(".ts") && !f.endsWith(".test.ts") && !f.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

/** The metrics the services define: name to type (counter, gauge, histogram). */
function exportedMetrics() {
  const metrics = new Map();
  for (const top of ["libs", "services"]) {
    for (const pkg of readdirSync(join(root, top))) {
      for (const file of sourceFiles(join(root, top, pkg, "src"))) {
        for (const m of readFileSync(file, "utf8").matchAll(/new (Counter|Gauge|Histogram)\(\{\s*name:\s*"([a-z0-9_]+)"/g))
          metrics.set(m[2], m[1].toLowerCase());
      }
    }
  }
  return metrics;
}

/** The metric names a PromQL expression reads. */
function metricNames(expr) {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, " ")
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
  return [...bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)].map((m) => m[0]).filter((w) => !PROMQL_WORDS.has(w.toLowerCase()));
}

function checkDashboards() {
  const dir = join(root, "deploy/grafana");
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".json")) : [];
  check(files.length > 0, "deploy/grafana: has a dashboard");
  const exported = exportedMetrics();
  check(exported.size > 0, "the services define Prometheus metrics", "no prom-client definitions found");
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const metricsSection = /^## Metrics\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1] ?? "";
  check(metricsSection !== "", "README.md: has a Metrics section");
  for (const name of exported.keys()) check(metricsSection.includes(`\`${name}\``), `README.md Metrics: documents ${name}`);
  const known = (name) => {
    if (DEFAULT_METRICS.includes(name) || exported.has(name)) return true;
    const base = /^(.*)_(bucket|count|sum)$/.exec(name)?.[1];
    return base !== undefined && exported.get(base) === "histogram";
  };
  for (const f of files) {
    const file = `deploy/grafana/${f}`;
    let dashboard;
    try {
      dashboard = JSON.parse(readFileSync(join(dir, f), "utf8"));
    } catch (err) {
      check(false, `${file}: is JSON`, err.message);
      continue;
    }
    check(
      typeof dashboard.title === "string" && typeof dashboard.uid === "string" && Array.isArray(dashboard.panels),
      `${file}: a dashboard with title, uid and panels`,
    );
    const panels = (dashboard.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.type !== "row");
    check(panels.length > 0, `${file}: has panels`);
    const used = new Set();
    for (const panel of panels) {
      const exprs = (panel.targets ?? []).map((t) => t.expr);
      check(exprs.length > 0 && exprs.every((e) => typeof e === "string" && e.trim() !== ""), `${file}: panel "${panel.title}" has PromQL queries`);
      const unknown = exprs.flatMap((e) => metricNames(e ?? "")).filter((n) => !known(n));
      for (const n of exprs.flatMap((e) => metricNames(e ?? ""))) used.add(n.replace(/_(bucket|count|sum)$/, ""));
      check(unknown.length === 0, `${file}: panel "${panel.title}" reads only exported metrics`, unknown.join(", "));
    }
    const unshown = [...exported.keys()].filter((n) => !used.has(n) && !used.has(n.replace(/_(bucket|count|sum)$/, "")));
    if (unshown.length > 0) notes.push(`${file}: not shown: ${unshown.join(", ")}`);
  }
}

function section(name, fn) {
  try {
    return fn();
  } catch (err) {
    check(false, `${name}: could be read`, err.message);
    return undefined;
  }
}
const objects = section("deploy/base", () => checkKubernetes(join(root, "deploy/base"))) ?? [];
section("deploy/overlays", () => {
  const overlays = join(root, "deploy/overlays");
  if (!existsSync(overlays)) return;
  for (const o of readdirSync(overlays)) {
    if (!statSync(join(overlays, o)).isDirectory()) continue;
    // The base was checked above and is not walked again.
    const { generated } = loadKustomization(join(overlays, o), { objects: [], generated: new Map() });
    for (const [cm, g] of generated) {
      const unknown = Object.keys(g.data).filter((k) => !Object.hasOwn(KNOWN_ENV, k) || FROM_SECRETS.includes(k));
      check(unknown.length === 0, `${g.kind} ${cm} (${g.file}): every key is a known, non-secret setting`, unknown.join(", "));
    }
  }
});
section("docker-compose.yml", checkCompose);
section("deploy/local-kms/seed.yaml", checkSeed);
section("Dockerfile", checkDockerfile);
section("deploy/README.md", () => checkReadme(objects));
section("deploy/grafana", checkDashboards);
for (const n of notes) console.log(`note  ${n}`);
console.log(`\ndeploy: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
