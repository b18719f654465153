import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "@connectrpc/connect-query";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { RunnerService } from "@planton/proto/planton/connect/v1/runner_service_pb";
import { RunnerIdentityKind } from "@planton/proto/planton/connect/v1/provider_pb";
import { Alert, SelectField, TextField } from "../fields.js";
import { describeError, fieldError, formErrors, NO_ERRORS } from "../errors.js";
import { RUNNER_KINDS, runnerKindLabel } from "../labels.js";
import { clientErrors, useFormErrors } from "../use-form-errors.js";
import { FormSummary } from "./create-connection.js";

/** RunnersPage lists, registers and deletes the organization's self-hosted runners. */
export function RunnersPage() {
  const runners = useQuery(RunnerService.method.listRunners, { pageSize: 100 });
  const remove = useMutation(RunnerService.method.deleteRunner);
  const [removeError, setRemoveError] = useState<string | undefined>();
  const deleteRunner = async (runnerId: string, name: string) => {
    if (!window.confirm(`Delete runner ${name}?`)) return;
    try {
      await remove.mutateAsync({ runnerId });
      setRemoveError(undefined);
      await runners.refetch();
    } catch (error) {
      setRemoveError(describeError(error));
    }
  };
  return (
    <>
      <h1 tabIndex={-1}>Runners</h1>
      <p>A self-hosted runner deploys with its own workload identity; connections in runner mode store nothing secret.</p>
      {runners.error !== null ? <Alert>{describeError(runners.error)}</Alert> : null}
      {removeError !== undefined ? <Alert>{removeError}</Alert> : null}
      {runners.isSuccess && runners.data.runners.length === 0 ? <p>No runners yet.</p> : null}
      {(runners.data?.runners.length ?? 0) > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Runners</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Identity</th>
                <th scope="col">Principal</th>
                <th scope="col">Token</th>
                <th scope="col">Registered</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {runners.data!.runners.map((r) => (
                <tr key={r.id}>
                  <td>
                    {r.name}
                    <div className="muted">{r.id}</div>
                  </td>
                  <td>{runnerKindLabel(r.identity?.kind ?? RunnerIdentityKind.UNSPECIFIED)}</td>
                  <td>
                    <code>{r.identity?.principal}</code>
                  </td>
                  <td>
                    <code>{r.tokenHint}</code>
                  </td>
                  <td>{r.createTime !== undefined ? timestampDate(r.createTime).toLocaleString() : ""}</td>
                  <td>
                    <button type="button" onClick={() => void deleteRunner(r.id, r.name)} aria-label={`Delete runner ${r.name}`}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <RegisterRunner onRegistered={() => void runners.refetch()} />
    </>
  );
}

function RegisterRunner({ onRegistered }: { onRegistered: () => void }) {
  const [name, setName] = useState("");
  const [kind, setKind] = useState(String(RunnerIdentityKind.AWS_IRSA));
  const [principal, setPrincipal] = useState("");
  const [token, setToken] = useState<string | undefined>();
  const [errors, setErrors, form] = useFormErrors();
  const register = useMutation(RunnerService.method.registerRunner);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problems: Record<string, string> = {};
    if (name.trim() === "") problems["name"] = "is required";
    if (principal.trim() === "") problems["identity.principal"] = "is required";
    const local = clientErrors(problems);
    if (local !== undefined) return setErrors(local);
    try {
      const response = await register.mutateAsync({ name: name.trim(), identity: { kind: Number(kind) as RunnerIdentityKind, principal: principal.trim() } });
      setErrors(NO_ERRORS);
      setToken(response.token);
      setName("");
      setPrincipal("");
      onRegistered();
    } catch (error) {
      setErrors(formErrors(error));
    }
  };
  const selected = RUNNER_KINDS.find((k) => String(k.kind) === kind);
  return (
    <section aria-labelledby="register-runner" className="panel">
      <h2 id="register-runner">Register a runner</h2>
      {token !== undefined ? (
        <Alert kind="success">
          Runner registered. Its token is shown once, here only: configure the runner with it now.
          <pre className="secret-once">{token}</pre>
          <button type="button" onClick={() => setToken(undefined)}>
            I have stored it
          </button>
        </Alert>
      ) : null}
      <form ref={form} onSubmit={(event) => void submit(event)} noValidate className="form">
        <FormSummary errors={errors} shown={["name", "identity.principal", "identity.kind", "identity"]} />
        <TextField label="Runner name" name="name" value={name} onChange={setName} required error={fieldError(errors, "name")} />
        <SelectField
          label="Identity kind"
          name="identity.kind"
          value={kind}
          onChange={setKind}
          options={RUNNER_KINDS.map((k) => ({ value: String(k.kind), label: k.label }))}
          error={fieldError(errors, "identity.kind")}
        />
        <TextField
          label="Principal"
          name="identity.principal"
          value={principal}
          onChange={setPrincipal}
          required
          placeholder={selected?.principalHint}
          error={fieldError(errors, "identity.principal", "identity")}
        />
        <button type="submit" disabled={register.isPending}>
          Register runner
        </button>
      </form>
    </section>
  );
}
