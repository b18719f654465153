import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "@connectrpc/connect-query";
import { Code } from "@connectrpc/connect";
import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import { ConnectionService } from "@planton/proto/planton/connect/v1/connection_service_pb";
import { AwsTrustService, type StartSetupResponse } from "@planton/proto/planton/connect/v1/aws_trust_service_pb";
import { AuditDecision, AuthorizationScope, EnvironmentAuthorizationService } from "@planton/proto/planton/connect/v1/authz_service_pb";
import type { Connection } from "@planton/proto/planton/connect/v1/connection_pb";
import { AuthMode, AwsCapability, ConnectionStatus } from "@planton/proto/planton/connect/v1/provider_pb";
import { Alert, TextField } from "../fields.js";
import { describeError, fieldError, formErrors, NO_ERRORS } from "../errors.js";
import { takeFlash } from "../flash.js";
import { authModeLabel, CAPABILITIES, capabilityLabel, PROVIDERS, providerLabel, type ProviderKey } from "../labels.js";
import { buildSpec, clientChecks, ROTATION_FIELDS, visibleFields, type FormValues } from "../provider-forms.js";
import { readGcpKeyFile } from "../gcp-key.js";
import { Link, navigate } from "../router.js";
import { clientErrors, useFormErrors } from "../use-form-errors.js";
import { AwsTrustProgress } from "./aws-trust-progress.js";
import { CapabilityChecklist, FieldControls, FormSummary } from "./create-connection.js";
import { CredentialAge, expiryText } from "./credential-age.js";
import { PermissionFindings } from "./permission-findings.js";
import { StatusText } from "./status-text.js";

const when = (t: Timestamp | undefined) => (t === undefined ? "" : timestampDate(t).toLocaleString());
const UNSETTLED = [ConnectionStatus.PENDING_VERIFICATION, ConnectionStatus.AWAITING_TRUST_SETUP];

/** ConnectionPage shows one connection and everything that can be done to it. */
export function ConnectionPage({ reference }: { reference: string }) {
  const [warnings] = useState(takeFlash);
  const query = useQuery(
    ConnectionService.method.getConnection,
    { connection: reference },
    // Until the verifier's result is in, look again every second.
    { refetchInterval: (q) => (q.state.data?.connection !== undefined && UNSETTLED.includes(q.state.data.connection.status) ? 1000 : false) },
  );
  const connection = query.data?.connection;
  if (query.error !== null)
    return (
      <>
        <h1 tabIndex={-1}>Connection</h1>
        <Alert>
          {query.error !== null && (query.error as { code?: Code }).code === Code.NotFound
            ? `No connection "${reference}" in your organization.`
            : describeError(query.error)}
        </Alert>
        <Link to="/connections">Back to Connections</Link>
      </>
    );
  if (connection === undefined)
    return (
      <>
        <h1 tabIndex={-1}>Connection</h1>
        <p role="status">Loading…</p>
      </>
    );
  const refresh = () => void query.refetch();
  return (
    <>
      <p>
        <Link to="/connections">← Connections</Link>
      </p>
      <h1 tabIndex={-1}>{connection.name}</h1>
      {warnings.length > 0 ? (
        <Alert kind="info">
          <ul>
            {warnings.map((w) => (
              <li key={`${w.code}-${w.field}`}>
                <strong>{w.code}</strong>: {w.message}
              </li>
            ))}
          </ul>
        </Alert>
      ) : null}
      <dl className="summary">
        <dt>Slug</dt>
        <dd>
          <code>{connection.slug}</code>
        </dd>
        <dt>Provider</dt>
        <dd>{providerLabel(connection.provider)}</dd>
        <dt>Authentication</dt>
        <dd>{authModeLabel(connection.authMode)}</dd>
        <dt>Status</dt>
        <dd data-testid="connection-status">
          <StatusText connection={connection} />
        </dd>
        <dt>Credential version</dt>
        <dd>{connection.credentialVersion === 0 ? "none stored" : `v${connection.credentialVersion}`}</dd>
        {connection.credentialVersion === 0 ? null : (
          <>
            <dt>Credential age</dt>
            <dd data-testid="credential-age">
              <CredentialAge connection={connection} />
              {connection.credentialCreateTime === undefined ? <div className="muted">counted from when it was stored here</div> : null}
            </dd>
            <dt>Expires</dt>
            <dd>{expiryText(connection)}</dd>
          </>
        )}
      </dl>
      <Details connection={connection} />
      <Verification connection={connection} />
      <Rotate connection={connection} onDone={refresh} />
      <Authorizations connection={connection} />
      <Defaults connection={connection} />
      <Audit connection={connection} />
      <Rename connection={connection} onDone={refresh} />
      <Delete connection={connection} />
    </>
  );
}

function Details({ connection }: { connection: Connection }) {
  const details = connection.details?.provider.value;
  const rows =
    details === undefined
      ? []
      : Object.entries(details).filter(([key, value]) => key !== "$typeName" && value !== "" && !(Array.isArray(value) && value.length === 0));
  return (
    <section aria-labelledby="details">
      <h2 id="details">Details</h2>
      <p className="muted">Secrets are never shown: only masked hints.</p>
      <dl className="summary">
        {rows.map(([key, value]) => (
          <div key={key} className="row">
            <dt>{key.replace(/([A-Z])/g, " $1").replace(/^./, (c) => c.toUpperCase())}</dt>
            <dd>
              {Array.isArray(value) ? (
                (value as AwsCapability[]).map(capabilityLabel).join(", ")
              ) : typeof value === "boolean" ? (
                value ? (
                  "yes"
                ) : (
                  "no"
                )
              ) : (
                <code>{String(value)}</code>
              )}
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function Verification({ connection }: { connection: Connection }) {
  const v = connection.lastVerification;
  return (
    <section aria-labelledby="verification">
      <h2 id="verification">Verification</h2>
      {v === undefined ? (
        <p>{connection.status === ConnectionStatus.VERIFIED_BY_RUNNER ? "The runner proves its identity when it runs." : "Not verified yet."}</p>
      ) : (
        <dl className="summary">
          <dt>Result</dt>
          <dd>{v.ok ? "Accepted by the provider" : `Refused: ${v.reason}`}</dd>
          {v.ok ? null : (
            <>
              <dt>What to fix</dt>
              <dd>{v.message}</dd>
            </>
          )}
          {v.identity !== "" ? (
            <>
              <dt>Identity</dt>
              <dd>
                <code>{v.identity}</code>
              </dd>
            </>
          ) : null}
          <dt>Checked</dt>
          <dd>
            v{v.credentialVersion}, {when(v.verifyTime)}
          </dd>
        </dl>
      )}
      {v === undefined ? null : <PermissionFindings verification={v} />}
    </section>
  );
}

function Rotate({ connection, onDone }: { connection: Connection; onDone: () => void }) {
  const key = PROVIDERS.find((p) => p.provider === connection.provider)?.key;
  if (key === undefined || connection.authMode === AuthMode.RUNNER) return null;
  if (connection.authMode === AuthMode.CROSS_ACCOUNT_TRUST) return <Reconnect connection={connection} />;
  return (
    <section aria-labelledby="rotate">
      <h2 id="rotate">Rotate credentials</h2>
      <p>Future deployments use the new values once verified. Deployments already running keep the version they started with.</p>
      {key === "gcp" ? <RotateGcp connection={connection} onDone={onDone} /> : <RotateFields connection={connection} provider={key} onDone={onDone} />}
    </section>
  );
}

function RotateFields({ connection, provider, onDone }: { connection: Connection; provider: ProviderKey; onDone: () => void }) {
  const fields = ROTATION_FIELDS[provider];
  const [values, setValues] = useState<FormValues>({});
  const [errors, setErrors, form] = useFormErrors();
  const [done, setDone] = useState(false);
  const update = useMutation(ConnectionService.method.updateConnection);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const filled = visibleFields(fields, values).filter((f) => (values[f.path] ?? "").trim() !== "");
    const problems = clientChecks(fields, values);
    if (filled.length === 0) problems[`spec.${fields[0]!.path}`] = "enter at least one new value";
    const local = clientErrors(problems);
    if (local !== undefined) return setErrors(local);
    try {
      await update.mutateAsync({
        connection: connection.id,
        etag: connection.etag,
        spec: buildSpec(fields, values),
        updateMask: { paths: filled.map((f) => `spec.${f.path}`) },
      });
      setValues({});
      setErrors(NO_ERRORS);
      setDone(true);
      onDone();
    } catch (error) {
      setErrors(formErrors(error));
    }
  };
  return (
    <form ref={form} onSubmit={(event) => void submit(event)} noValidate className="form" aria-label="Rotate credentials">
      <FormSummary errors={errors} shown={fields.map((f) => `spec.${f.path}`)} />
      {done ? <Alert kind="success">Rotated: a new credential version is being verified.</Alert> : null}
      <FieldControls fields={fields} values={values} setValue={(path, value) => setValues((v) => ({ ...v, [path]: value }))} errors={errors} />
      <button type="submit" disabled={update.isPending}>
        Rotate
      </button>
    </form>
  );
}

function RotateGcp({ connection, onDone }: { connection: Connection; onDone: () => void }) {
  const [keyBase64, setKeyBase64] = useState<string | undefined>();
  const [errors, setErrors, form] = useFormErrors();
  const update = useMutation(ConnectionService.method.updateConnection);
  const path = "spec.gcp.service_account_key.key_base64";
  const choose = async (file: File | undefined) => {
    if (file === undefined) return;
    const key = readGcpKeyFile(await file.text());
    if (key.ok) setKeyBase64(key.keyBase64);
    else setErrors({ fields: { [path]: key.problem }, message: "Some fields need attention.", code: undefined });
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (keyBase64 === undefined)
      return setErrors({ fields: { [path]: "choose the new JSON key file" }, message: "Some fields need attention.", code: undefined });
    try {
      await update.mutateAsync({
        connection: connection.id,
        etag: connection.etag,
        spec: { provider: { case: "gcp", value: { auth: { case: "serviceAccountKey", value: { keyBase64 } } } } },
        updateMask: { paths: [path] },
      });
      setKeyBase64(undefined);
      setErrors(NO_ERRORS);
      onDone();
    } catch (error) {
      setErrors(formErrors(error));
    }
  };
  const error = fieldError(errors, path);
  return (
    <form ref={form} onSubmit={(event) => void submit(event)} noValidate className="form" aria-label="Rotate credentials">
      <FormSummary errors={errors} shown={[path]} />
      <div className="field">
        <label htmlFor="gcp-rotate-key">New service account key (JSON file)</label>
        <input
          id="gcp-rotate-key"
          type="file"
          accept="application/json,.json"
          aria-invalid={error !== undefined}
          onChange={(e) => void choose(e.target.files?.[0])}
        />
        {error !== undefined ? <p className="error">{error}</p> : null}
      </div>
      <button type="submit" disabled={update.isPending}>
        Rotate
      </button>
    </form>
  );
}

function Reconnect({ connection }: { connection: Connection }) {
  const current = connection.details?.provider.case === "aws" ? connection.details.provider.value.capabilities : [];
  const [capabilities, setCapabilities] = useState<readonly AwsCapability[]>(current.length > 0 ? current : CAPABILITIES.map((c) => c.capability));
  const [started, setStarted] = useState<StartSetupResponse | undefined>();
  const [errors, setErrors, form] = useFormErrors();
  const start = useMutation(AwsTrustService.method.startSetup);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      setStarted(await start.mutateAsync({ reconnect: connection.id, capabilities: [...capabilities] }));
      setErrors(NO_ERRORS);
    } catch (error) {
      setErrors(formErrors(error));
    }
  };
  return (
    <section aria-labelledby="reconnect">
      <h2 id="reconnect">Reconnect (new role)</h2>
      <p>Narrow or widen what the role may deploy. The current role keeps working until the new one is captured.</p>
      {started !== undefined ? (
        <AwsTrustProgress started={started} onRestart={() => setStarted(undefined)} />
      ) : (
        <form ref={form} onSubmit={(event) => void submit(event)} noValidate className="form" aria-label="Reconnect">
          <FormSummary errors={errors} shown={["capabilities"]} />
          <CapabilityChecklist value={capabilities} onChange={setCapabilities} error={fieldError(errors, "capabilities")} />
          <button type="submit" disabled={start.isPending}>
            Get a new AWS link
          </button>
        </form>
      )}
    </section>
  );
}

function parseEnvironments(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((e) => e.trim())
    .filter(Boolean);
}

function Authorizations({ connection }: { connection: Connection }) {
  const list = useQuery(EnvironmentAuthorizationService.method.listAuthorizations, { connection: connection.id });
  const authorize = useMutation(EnvironmentAuthorizationService.method.authorizeConnection);
  const revoke = useMutation(EnvironmentAuthorizationService.method.revokeAuthorization);
  const [scope, setScope] = useState<AuthorizationScope>(AuthorizationScope.ENVIRONMENTS);
  const [environments, setEnvironments] = useState("");
  const [errors, setErrors, form] = useFormErrors();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await authorize.mutateAsync({
        connection: connection.id,
        scope,
        environments: scope === AuthorizationScope.ENVIRONMENTS ? parseEnvironments(environments) : [],
      });
      setEnvironments("");
      setErrors(NO_ERRORS);
      await list.refetch();
    } catch (error) {
      setErrors(formErrors(error));
    }
  };
  const remove = async (s: AuthorizationScope, environment: string) => {
    try {
      await revoke.mutateAsync({ connection: connection.id, scope: s, environments: s === AuthorizationScope.ENVIRONMENTS ? [environment] : [] });
      await list.refetch();
    } catch (error) {
      setErrors(formErrors(error));
    }
  };
  const envError = Object.entries(errors.fields).find(([f]) => f.startsWith("environments"))?.[1];
  return (
    <section aria-labelledby="authorizations">
      <h2 id="authorizations">Environment authorization</h2>
      {list.error !== null ? <Alert>{describeError(list.error)}</Alert> : null}
      {list.data?.authorizations.length === 0 ? <p>Not authorized for any environment yet: deployments cannot use it.</p> : null}
      <ul>
        {list.data?.authorizations.map((a) => {
          const what = a.scope === AuthorizationScope.ORGANIZATION ? "Whole organization" : `Environment ${a.environment}`;
          return (
            <li key={`${a.scope}-${a.environment}`}>
              {what}{" "}
              <span className="muted">
                (by {a.createdBy}, {when(a.createTime)})
              </span>{" "}
              <button type="button" onClick={() => void remove(a.scope, a.environment)} aria-label={`Revoke: ${what}`}>
                Revoke
              </button>
            </li>
          );
        })}
      </ul>
      <form ref={form} onSubmit={(event) => void submit(event)} noValidate className="form" aria-label="Authorize">
        <FormSummary errors={errors} shown={Object.keys(errors.fields).filter((f) => f.startsWith("environments"))} />
        <fieldset>
          <legend>Authorize for</legend>
          <label className="choice">
            <input type="radio" name="scope" checked={scope === AuthorizationScope.ENVIRONMENTS} onChange={() => setScope(AuthorizationScope.ENVIRONMENTS)} />{" "}
            Listed environments
          </label>
          <label className="choice">
            <input type="radio" name="scope" checked={scope === AuthorizationScope.ORGANIZATION} onChange={() => setScope(AuthorizationScope.ORGANIZATION)} />{" "}
            The whole organization
          </label>
        </fieldset>
        {scope === AuthorizationScope.ENVIRONMENTS ? (
          <TextField
            label="Environments"
            name="environments"
            value={environments}
            onChange={setEnvironments}
            hint="Separated by commas or spaces, e.g. production, staging."
            error={envError}
          />
        ) : null}
        <button type="submit" disabled={authorize.isPending}>
          Authorize
        </button>
      </form>
    </section>
  );
}

function Defaults({ connection }: { connection: Connection }) {
  const orgDefault = useQuery(EnvironmentAuthorizationService.method.getDefaultConnection, {
    provider: connection.provider,
    scope: AuthorizationScope.ORGANIZATION,
  });
  const set = useMutation(EnvironmentAuthorizationService.method.setDefaultConnection);
  const unset = useMutation(EnvironmentAuthorizationService.method.unsetDefaultConnection);
  const [environment, setEnvironment] = useState("");
  const [message, setMessage] = useState<string | undefined>();
  const [errors, setErrors, form] = useFormErrors();
  const isOrgDefault = orgDefault.data?.defaultConnection?.connectionId === connection.id;
  const apply = async (scope: AuthorizationScope, env: string) => {
    try {
      await set.mutateAsync({ connection: connection.id, provider: connection.provider, scope, environment: env });
      setErrors(NO_ERRORS);
      setMessage(scope === AuthorizationScope.ORGANIZATION ? "Now the organization's default." : `Now the default for ${env}.`);
      setEnvironment("");
      await orgDefault.refetch();
    } catch (error) {
      setErrors(formErrors(error));
    }
  };
  const clear = async (scope: AuthorizationScope, env: string) => {
    try {
      await unset.mutateAsync({ provider: connection.provider, scope, environment: env });
      setMessage(scope === AuthorizationScope.ORGANIZATION ? "The organization has no default now." : `${env} has no default now.`);
      await orgDefault.refetch();
    } catch (error) {
      setErrors(formErrors(error));
    }
  };
  return (
    <section aria-labelledby="defaults">
      <h2 id="defaults">Defaults</h2>
      <p>
        {isOrgDefault ? "This is the organization's default " : "Not the organization's default "}
        {providerLabel(connection.provider)} connection.{" "}
        {isOrgDefault ? (
          <button type="button" onClick={() => void clear(AuthorizationScope.ORGANIZATION, "")}>
            Unset organization default
          </button>
        ) : (
          <button type="button" onClick={() => void apply(AuthorizationScope.ORGANIZATION, "")}>
            Make organization default
          </button>
        )}
      </p>
      {message !== undefined ? <Alert kind="success">{message}</Alert> : null}
      <form
        ref={form}
        onSubmit={(event) => {
          event.preventDefault();
          void apply(AuthorizationScope.ENVIRONMENTS, environment.trim());
        }}
        noValidate
        className="form inline"
        aria-label="Default for an environment"
      >
        <FormSummary errors={errors} shown={["environment"]} />
        <TextField label="Environment" name="environment" value={environment} onChange={setEnvironment} error={fieldError(errors, "environment")} />
        <button type="submit">Make default for this environment</button>
        <button type="button" onClick={() => void clear(AuthorizationScope.ENVIRONMENTS, environment.trim())}>
          Unset this environment's default
        </button>
      </form>
    </section>
  );
}

function Audit({ connection }: { connection: Connection }) {
  const events = useQuery(EnvironmentAuthorizationService.method.listAuditEvents, { connectionId: connection.id, pageSize: 20 });
  return (
    <section aria-labelledby="audit">
      <h2 id="audit">Audit trail</h2>
      {events.error !== null ? <Alert>{describeError(events.error)}</Alert> : null}
      {events.data?.events.length === 0 ? <p>No events yet.</p> : null}
      {(events.data?.events.length ?? 0) > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Latest audit events</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Actor</th>
                <th scope="col">Decision</th>
                <th scope="col">Deployment</th>
                <th scope="col">Environment</th>
                <th scope="col">Version</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {events.data!.events.map((e) => (
                <tr key={e.id}>
                  <td>{when(e.time)}</td>
                  <td>{e.actor}</td>
                  <td>{AuditDecision[e.decision]}</td>
                  <td>{e.deploymentId}</td>
                  <td>{e.environment}</td>
                  <td>{e.credentialVersion === 0 ? "" : `v${e.credentialVersion}`}</td>
                  <td>{e.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

function Rename({ connection, onDone }: { connection: Connection; onDone: () => void }) {
  const [name, setName] = useState(connection.name);
  const [errors, setErrors, form] = useFormErrors();
  const update = useMutation(ConnectionService.method.updateConnection);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (name.trim() === "") return setErrors({ fields: { name: "is required" }, message: "Some fields need attention.", code: undefined });
    try {
      await update.mutateAsync({ connection: connection.id, etag: connection.etag, name: name.trim(), updateMask: { paths: ["name"] } });
      setErrors(NO_ERRORS);
      onDone();
    } catch (error) {
      setErrors(formErrors(error));
    }
  };
  return (
    <section aria-labelledby="rename">
      <h2 id="rename">Rename</h2>
      <form ref={form} onSubmit={(event) => void submit(event)} noValidate className="form inline" aria-label="Rename">
        <FormSummary errors={errors} shown={["name"]} />
        <TextField label="New name" name="name" value={name} onChange={setName} hint="The slug stays the same." error={fieldError(errors, "name")} />
        <button type="submit" disabled={update.isPending}>
          Rename
        </button>
      </form>
    </section>
  );
}

function Delete({ connection }: { connection: Connection }) {
  const remove = useMutation(ConnectionService.method.deleteConnection);
  const [refusal, setRefusal] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [confirmed, setConfirmed] = useState(false);
  const run = async (force: boolean) => {
    try {
      await remove.mutateAsync({ connection: connection.id, etag: connection.etag, force });
      navigate("/connections");
    } catch (e) {
      const errors = formErrors(e);
      if (errors.code === Code.FailedPrecondition) setRefusal(errors.message);
      else setError(errors.message);
    }
  };
  return (
    <section aria-labelledby="delete">
      <h2 id="delete">Delete</h2>
      <p>Deleting destroys every stored credential version of this connection.</p>
      {error !== undefined ? <Alert>{error}</Alert> : null}
      {refusal === undefined ? (
        <button type="button" className="danger" onClick={() => void run(false)} disabled={remove.isPending}>
          Delete connection
        </button>
      ) : (
        <div className="alert alert-error" role="alert">
          <p>{refusal}</p>
          <label className="choice">
            <input type="checkbox" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} /> I understand that the pinned deployments lose their
            credentials
          </label>
          <button type="button" className="danger" disabled={!confirmed || remove.isPending} onClick={() => void run(true)}>
            Delete anyway
          </button>
        </div>
      )}
    </section>
  );
}
