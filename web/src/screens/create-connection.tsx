import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "@connectrpc/connect-query";
import { ConnectionService } from "@planton/proto/planton/connect/v1/connection_service_pb";
import { AwsTrustService, type StartSetupResponse } from "@planton/proto/planton/connect/v1/aws_trust_service_pb";
import { RunnerService } from "@planton/proto/planton/connect/v1/runner_service_pb";
import { RunnerIdentityKind, type AwsCapability } from "@planton/proto/planton/connect/v1/provider_pb";
import type { Warning } from "@planton/proto/planton/connect/v1/connection_pb";
import { AWS_REGIONS_BY_PARTITION } from "@planton/providers/browser";
import { SelectField, TextField, options } from "../fields.js";
import { fieldError, formErrors, NO_ERRORS, unclaimedErrors, type FormErrors } from "../errors.js";
import { CAPABILITIES, PROVIDERS, type ProviderKey } from "../labels.js";
import { buildSpec, clientChecks, PROVIDER_FIELDS, visibleFields, type FieldDef, type FormValues } from "../provider-forms.js";
import { readGcpKeyFile, type GcpKeyFile } from "../gcp-key.js";
import { setFlash } from "../flash.js";
import { navigate } from "../router.js";
import { clientErrors, useFormErrors } from "../use-form-errors.js";
import { NameField } from "./name-field.js";
import { AwsTrustProgress } from "./aws-trust-progress.js";

/** CreateConnectionPage is the create form of one provider. */
export function CreateConnectionPage({ provider }: { provider: ProviderKey }) {
  const label = PROVIDERS.find((p) => p.key === provider)?.label ?? provider;
  return (
    <>
      <h1 tabIndex={-1}>Connect {label}</h1>
      {provider === "aws" ? <AwsForm /> : provider === "gcp" ? <GcpForm /> : <FieldsForm provider={provider} />}
    </>
  );
}

/** A stored connection: keep the server's advice for the next page and go to the connection. */
function created(response: { connection?: { slug: string } | undefined; warnings: readonly Warning[] }) {
  setFlash(response.warnings);
  if (response.connection !== undefined) navigate(`/connections/${encodeURIComponent(response.connection.slug)}`);
}

/** FieldControls renders field definitions with their errors. */
export function FieldControls({
  fields,
  values,
  setValue,
  errors,
}: {
  fields: readonly FieldDef[];
  values: FormValues;
  setValue: (path: string, value: string) => void;
  errors: FormErrors;
}) {
  return (
    <>
      {visibleFields(fields, values).map((field) =>
        field.options !== undefined ? (
          <SelectField
            key={field.path}
            label={field.label}
            name={`spec.${field.path}`}
            value={values[field.path] ?? ""}
            onChange={(value) => setValue(field.path, value)}
            options={options(field.options)}
            placeholder="Choose…"
            required={field.required}
            hint={field.hint}
            error={fieldError(errors, `spec.${field.path}`)}
          />
        ) : (
          <TextField
            key={field.path}
            label={field.label}
            name={`spec.${field.path}`}
            value={values[field.path] ?? ""}
            onChange={(value) => setValue(field.path, value)}
            secret={field.secret}
            required={field.required}
            hint={field.hint}
            error={fieldError(errors, `spec.${field.path}`)}
          />
        ),
      )}
    </>
  );
}

function FieldsForm({ provider }: { provider: Exclude<ProviderKey, "aws" | "gcp"> }) {
  const fields = PROVIDER_FIELDS[provider];
  const [name, setName] = useState("");
  const [values, setValues] = useState<FormValues>({ scheme: "api_token" });
  const [errors, setErrors, form] = useFormErrors();
  const create = useMutation(ConnectionService.method.createConnection);
  const setValue = (path: string, value: string) => setValues((v) => ({ ...v, [path]: value }));
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problems = clientChecks(fields, values);
    if (name.trim() === "") problems["name"] = "is required";
    const local = clientErrors(problems);
    if (local !== undefined) return setErrors(local);
    try {
      const response = await create.mutateAsync({ name: name.trim(), spec: buildSpec(fields, values) });
      setValues({ scheme: "api_token" });
      created(response);
    } catch (error) {
      setErrors(formErrors(error));
    }
  };
  const shown = ["name", ...visibleFields(fields, values).map((f) => `spec.${f.path}`)];
  return (
    <form ref={form} onSubmit={(event) => void submit(event)} noValidate className="form">
      <FormSummary errors={errors} shown={shown} />
      <NameField value={name} onChange={setName} error={fieldError(errors, "name")} provider={provider} />
      {provider === "cloudflare" ? (
        <fieldset>
          <legend>Credential</legend>
          <label className="choice">
            <input type="radio" name="scheme" value="api_token" checked={values["scheme"] === "api_token"} onChange={() => setValue("scheme", "api_token")} />{" "}
            API token (recommended)
          </label>
          <label className="choice">
            <input type="radio" name="scheme" value="legacy" checked={values["scheme"] === "legacy"} onChange={() => setValue("scheme", "legacy")} /> Global API
            key and email (legacy)
          </label>
        </fieldset>
      ) : null}
      <FieldControls fields={fields} values={values} setValue={setValue} errors={errors} />
      <button type="submit" disabled={create.isPending}>
        {create.isPending ? "Creating…" : "Create connection"}
      </button>
    </form>
  );
}

/** FormSummary is the form's alert, with the violations no field shows. */
export function FormSummary({ errors, shown }: { errors: FormErrors; shown: readonly string[] }) {
  if (errors === NO_ERRORS || errors.message === undefined) return null;
  const others = unclaimedErrors(errors, shown);
  return (
    <div className="alert alert-error" role="alert" tabIndex={-1}>
      <p>{errors.message}</p>
      {others.length > 0 ? (
        <ul>
          {others.map((o) => (
            <li key={o}>{o}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function GcpForm() {
  const [name, setName] = useState("");
  const [key, setKey] = useState<GcpKeyFile | undefined>();
  const [errors, setErrors, form] = useFormErrors();
  const create = useMutation(ConnectionService.method.createConnection);
  const choose = async (file: File | undefined) => setKey(file === undefined ? undefined : readGcpKeyFile(await file.text()));
  const keyPath = "spec.gcp.service_account_key.key_base64";
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problems: Record<string, string> = {};
    if (name.trim() === "") problems["name"] = "is required";
    if (key === undefined) problems[keyPath] = "choose the service account's JSON key file";
    else if (!key.ok) problems[keyPath] = key.problem;
    const local = clientErrors(problems);
    if (local !== undefined || key === undefined || !key.ok) return setErrors(local ?? NO_ERRORS);
    try {
      const response = await create.mutateAsync({
        name: name.trim(),
        spec: { provider: { case: "gcp", value: { auth: { case: "serviceAccountKey", value: { keyBase64: key.keyBase64 } } } } },
      });
      setKey(undefined);
      created(response);
    } catch (error) {
      setErrors(formErrors(error));
    }
  };
  const keyError = fieldError(errors, keyPath, "spec.gcp.project_id");
  return (
    <form ref={form} onSubmit={(event) => void submit(event)} noValidate className="form">
      <FormSummary errors={errors} shown={["name", keyPath, "spec.gcp.project_id"]} />
      <NameField value={name} onChange={setName} error={fieldError(errors, "name")} provider="gcp" />
      <div className="field">
        <label htmlFor="gcp-key">
          Service account key (JSON file)<span aria-hidden="true"> *</span>
        </label>
        <input
          id="gcp-key"
          name={keyPath}
          type="file"
          accept="application/json,.json"
          required
          aria-invalid={keyError !== undefined}
          aria-describedby="gcp-key-hint gcp-key-error"
          onChange={(e) => void choose(e.target.files?.[0])}
        />
        <p id="gcp-key-hint" className="hint">
          The key is read and base64-encoded in this browser and sent only in the create request.
          {key?.ok === true ? ` Service account ${key.clientEmail} of project ${key.projectId}.` : ""}
        </p>
        {keyError !== undefined || (key !== undefined && !key.ok) ? (
          <p id="gcp-key-error" className="error">
            {keyError ?? (key !== undefined && !key.ok ? key.problem : "")}
          </p>
        ) : null}
      </div>
      <button type="submit" disabled={create.isPending}>
        {create.isPending ? "Creating…" : "Create connection"}
      </button>
    </form>
  );
}

const AWS_REGIONS = Object.values(AWS_REGIONS_BY_PARTITION).flat();
type AwsMethod = "inline" | "trust" | "runner";

function AwsForm() {
  const [method, setMethod] = useState<AwsMethod>("inline");
  const [name, setName] = useState("");
  const [accountId, setAccountId] = useState("");
  const [region, setRegion] = useState("us-west-2");
  const [accessKeyId, setAccessKeyId] = useState("");
  const [secretAccessKey, setSecretAccessKey] = useState("");
  const [capabilities, setCapabilities] = useState<readonly AwsCapability[]>(CAPABILITIES.map((c) => c.capability));
  const [runnerId, setRunnerId] = useState("");
  const [started, setStarted] = useState<StartSetupResponse | undefined>();
  // After an expired link the connection exists (awaiting its role): a new link reconnects it.
  const [pendingConnection, setPendingConnection] = useState<string | undefined>();
  const [errors, setErrors, form] = useFormErrors();
  const create = useMutation(ConnectionService.method.createConnection);
  const startSetup = useMutation(AwsTrustService.method.startSetup);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problems: Record<string, string> = {};
    if (name.trim() === "") problems["name"] = "is required";
    if (!/^\d{12}$/.test(accountId.trim())) problems["spec.aws.account_id"] = "must be 12 digits";
    if (method === "inline" && accessKeyId.trim() === "") problems["spec.aws.inline_keys.access_key_id"] = "is required";
    if (method === "inline" && secretAccessKey === "") problems["spec.aws.inline_keys.secret_access_key"] = "is required";
    if (method === "runner" && runnerId === "") problems["spec.aws.runner.runner_id"] = "choose a runner, or register one on the Runners page";
    if (method === "trust" && capabilities.length === 0) problems["capabilities"] = "choose at least one capability";
    const local = clientErrors(problems);
    if (local !== undefined) return setErrors(local);
    try {
      if (method === "trust") {
        const response = await startSetup.mutateAsync({
          name: name.trim(),
          accountId: accountId.trim(),
          region,
          capabilities: [...capabilities],
          reconnect: pendingConnection ?? "",
        });
        setErrors(NO_ERRORS);
        setStarted(response);
        return;
      }
      const auth =
        method === "inline"
          ? ({ case: "inlineKeys", value: { accessKeyId: accessKeyId.trim(), secretAccessKey } } as const)
          : ({ case: "runner", value: { runnerId } } as const);
      const response = await create.mutateAsync({
        name: name.trim(),
        spec: { provider: { case: "aws", value: { accountId: accountId.trim(), region, auth } } },
      });
      setSecretAccessKey("");
      created(response);
    } catch (error) {
      setErrors(formErrors(error));
    }
  };
  if (started !== undefined)
    return (
      <AwsTrustProgress
        started={started}
        onRestart={() => {
          setPendingConnection(started.connection?.id);
          setStarted(undefined);
        }}
      />
    );
  const pending = create.isPending || startSetup.isPending;
  return (
    <form ref={form} onSubmit={(event) => void submit(event)} noValidate className="form">
      <FormSummary
        errors={errors}
        shown={[
          "name",
          "account_id",
          "region",
          "capabilities",
          "spec.aws.account_id",
          "spec.aws.region",
          "spec.aws.inline_keys.access_key_id",
          "spec.aws.inline_keys.secret_access_key",
          "spec.aws.runner.runner_id",
          "spec.aws.runner",
        ]}
      />
      {pendingConnection !== undefined ? (
        <p className="muted">The connection was created when you asked for the first link; a new link sets up its role.</p>
      ) : null}
      <NameField value={name} onChange={setName} error={fieldError(errors, "name")} provider="aws" />
      <TextField
        label="Account ID"
        name="spec.aws.account_id"
        value={accountId}
        onChange={setAccountId}
        required
        inputMode="numeric"
        hint="12 digits."
        error={fieldError(errors, "spec.aws.account_id", "account_id")}
      />
      <SelectField
        label="Region"
        name="spec.aws.region"
        value={region}
        onChange={setRegion}
        options={options(AWS_REGIONS)}
        required
        hint="The default region of deployments (and of the trust stack)."
        error={fieldError(errors, "spec.aws.region", "region")}
      />
      <fieldset>
        <legend>How Planton authenticates</legend>
        {(
          [
            ["inline", "Inline API keys", "An access key pair of an IAM user."],
            ["trust", "Cross-account trust (recommended)", "A role in your account, created by a CloudFormation stack; no long-lived keys."],
            ["runner", "Self-hosted runner", "Your runner's own IAM role (IRSA); nothing secret is stored."],
          ] as const
        ).map(([value, title, text]) => (
          <label className="choice" key={value}>
            <input type="radio" name="method" value={value} checked={method === value} onChange={() => setMethod(value)} /> {title}{" "}
            <span className="muted">{text}</span>
          </label>
        ))}
      </fieldset>
      {method === "inline" ? (
        <>
          <TextField
            label="Access key ID"
            name="spec.aws.inline_keys.access_key_id"
            value={accessKeyId}
            onChange={setAccessKeyId}
            required
            error={fieldError(errors, "spec.aws.inline_keys.access_key_id")}
          />
          <TextField
            label="Secret access key"
            name="spec.aws.inline_keys.secret_access_key"
            value={secretAccessKey}
            onChange={setSecretAccessKey}
            secret
            required
            error={fieldError(errors, "spec.aws.inline_keys.secret_access_key")}
          />
        </>
      ) : null}
      {method === "trust" ? <CapabilityChecklist value={capabilities} onChange={setCapabilities} error={fieldError(errors, "capabilities")} /> : null}
      {method === "runner" ? (
        <RunnerPicker
          kind={RunnerIdentityKind.AWS_IRSA}
          value={runnerId}
          onChange={setRunnerId}
          error={fieldError(errors, "spec.aws.runner.runner_id", "spec.aws.runner")}
        />
      ) : null}
      <button type="submit" disabled={pending}>
        {pending ? "Working…" : method === "trust" ? "Create and get the AWS link" : "Create connection"}
      </button>
    </form>
  );
}

/** CapabilityChecklist is the trust role's ten capabilities, all checked by default. */
export function CapabilityChecklist({
  value,
  onChange,
  error,
}: {
  value: readonly AwsCapability[];
  onChange: (value: readonly AwsCapability[]) => void;
  error: string | undefined;
}) {
  return (
    <fieldset aria-describedby={error !== undefined ? "capabilities-error" : undefined}>
      <legend>What the role may deploy</legend>
      <div className="checklist">
        {CAPABILITIES.map((c) => (
          <label className="choice" key={c.capability}>
            <input
              type="checkbox"
              name="capabilities"
              checked={value.includes(c.capability)}
              onChange={(e) => onChange(e.target.checked ? [...value, c.capability] : value.filter((v) => v !== c.capability))}
            />{" "}
            {c.label}
          </label>
        ))}
      </div>
      {error !== undefined ? (
        <p id="capabilities-error" className="error">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

/** RunnerPicker selects a runner of the kind the provider accepts, or registers one inline. */
function RunnerPicker({
  kind,
  value,
  onChange,
  error,
}: {
  kind: RunnerIdentityKind;
  value: string;
  onChange: (value: string) => void;
  error: string | undefined;
}) {
  const runners = useQuery(RunnerService.method.listRunners, { pageSize: 100 });
  const fitting = (runners.data?.runners ?? []).filter((r) => r.identity?.kind === kind);
  const [adding, setAdding] = useState(false);
  return (
    <>
      <SelectField
        label="Runner"
        name="spec.aws.runner.runner_id"
        value={value}
        onChange={onChange}
        required
        placeholder={runners.isPending ? "Loading runners…" : fitting.length === 0 ? "No runner of this kind yet" : "Choose a runner…"}
        options={fitting.map((r) => ({ value: r.id, label: `${r.name} (${r.identity?.principal ?? ""})` }))}
        error={error}
        hint="Only runners with an AWS IRSA identity are listed."
      />
      {adding ? (
        <RegisterRunnerInline
          kind={kind}
          onRegistered={async (runnerId) => {
            await runners.refetch();
            onChange(runnerId);
          }}
          onClose={() => setAdding(false)}
        />
      ) : (
        <button type="button" className="link-button" onClick={() => setAdding(true)}>
          Register a new runner
        </button>
      )}
    </>
  );
}

/**
 * RegisterRunnerInline registers a runner without leaving the create form
 * (no nested form: its button calls RegisterRunner directly). The runner's
 * token is shown once, here only.
 */
function RegisterRunnerInline({
  kind,
  onRegistered,
  onClose,
}: {
  kind: RunnerIdentityKind;
  onRegistered: (runnerId: string) => Promise<void>;
  onClose: () => void;
}) {
  const [name, setName] = useState("");
  const [principal, setPrincipal] = useState("");
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [token, setToken] = useState<string | undefined>();
  const register = useMutation(RunnerService.method.registerRunner);
  const submit = async () => {
    const problems: Record<string, string> = {};
    if (name.trim() === "") problems["name"] = "is required";
    if (principal.trim() === "") problems["identity.principal"] = "is required";
    if (Object.keys(problems).length > 0) return setErrors({ fields: problems, message: "Some fields need attention.", code: undefined });
    try {
      const response = await register.mutateAsync({ name: name.trim(), identity: { kind, principal: principal.trim() } });
      setErrors(NO_ERRORS);
      setToken(response.token);
      if (response.runner !== undefined) await onRegistered(response.runner.id);
    } catch (error) {
      setErrors(formErrors(error));
    }
  };
  return (
    <fieldset>
      <legend>New runner</legend>
      {token !== undefined ? (
        <div className="alert alert-success" role="status">
          Runner registered and selected. Its token is shown once, here only: configure the runner with it now.
          <pre className="secret-once">{token}</pre>
          <button type="button" onClick={onClose}>
            I have stored it
          </button>
        </div>
      ) : (
        <>
          <FormSummary errors={errors} shown={["name", "identity.principal", "identity"]} />
          <TextField label="Runner name" name="runner-name" value={name} onChange={setName} required error={fieldError(errors, "name")} />
          <TextField
            label="Runner IAM role (principal)"
            name="runner-principal"
            value={principal}
            onChange={setPrincipal}
            required
            placeholder="arn:aws:iam::123456789012:role/planton-runner"
            error={fieldError(errors, "identity.principal", "identity")}
          />
          <div className="row-buttons">
            <button type="button" onClick={() => void submit()} disabled={register.isPending}>
              Register runner
            </button>
            <button type="button" className="link-button" onClick={onClose}>
              Cancel
            </button>
          </div>
        </>
      )}
    </fieldset>
  );
}
