import { useState } from "react";
import { useQuery } from "@connectrpc/connect-query";
import { ConnectionService } from "@planton/proto/planton/connect/v1/connection_service_pb";
import { ConnectionStatus, Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import { Alert, SelectField } from "../fields.js";
import { describeError } from "../errors.js";
import { authModeLabel, PROVIDERS, providerLabel, STATUSES } from "../labels.js";
import { Link } from "../router.js";
import { CredentialAge, expiryText } from "./credential-age.js";
import { StatusText } from "./status-text.js";

const PAGE_SIZE = 20;

/**
 * ConnectionsPage lists the organization's connections (filter by provider
 * and status, page by page) and offers the provider cards to add one.
 */
export function ConnectionsPage() {
  const [provider, setProvider] = useState(Provider.UNSPECIFIED);
  const [status, setStatus] = useState(ConnectionStatus.UNSPECIFIED);
  const [rotationDue, setRotationDue] = useState(false);
  // Tokens of the pages before the current one, for "Previous".
  const [pages, setPages] = useState<string[]>([""]);
  const pageToken = pages[pages.length - 1] ?? "";
  const list = useQuery(ConnectionService.method.listConnections, { provider, status, rotationDue, pageSize: PAGE_SIZE, pageToken });
  const resetPaging = () => setPages([""]);
  const connections = list.data?.connections ?? [];
  return (
    <>
      <h1 tabIndex={-1}>Connections</h1>
      <section aria-labelledby="infrastructure">
        <h2 id="infrastructure">Infrastructure</h2>
        <ul className="cards">
          {PROVIDERS.map((p) => (
            <li key={p.key}>
              <Link to={`/connections/new/${p.key}`} className="card">
                <span className="card-title">{p.label}</span>
                <span className="card-text">{p.blurb}</span>
              </Link>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="yours">
        <h2 id="yours">Your connections</h2>
        <div className="filters">
          <SelectField
            label="Provider"
            name="provider"
            value={String(provider)}
            onChange={(value) => {
              setProvider(Number(value));
              resetPaging();
            }}
            options={[{ value: "0", label: "All providers" }, ...PROVIDERS.map((p) => ({ value: String(p.provider), label: p.label }))]}
          />
          <SelectField
            label="Status"
            name="status"
            value={String(status)}
            onChange={(value) => {
              setStatus(Number(value));
              resetPaging();
            }}
            options={[{ value: "0", label: "All statuses" }, ...STATUSES.map((s) => ({ value: String(s.status), label: s.label }))]}
          />
          <label className="checkbox">
            <input
              type="checkbox"
              name="rotationDue"
              checked={rotationDue}
              onChange={(event) => {
                setRotationDue(event.target.checked);
                resetPaging();
              }}
            />{" "}
            Rotation due only
          </label>
        </div>
        {list.error !== null ? <Alert>{describeError(list.error)}</Alert> : null}
        {list.isPending ? <p role="status">Loading connections…</p> : null}
        {list.isSuccess && connections.length === 0 ? (
          <p>
            No connections
            {provider !== Provider.UNSPECIFIED || status !== ConnectionStatus.UNSPECIFIED || rotationDue
              ? " match these filters"
              : " yet: pick a provider above"}
            .
          </p>
        ) : null}
        {connections.length > 0 ? (
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">Connections, page {pages.length}</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Provider</th>
                  <th scope="col">Authentication</th>
                  <th scope="col">Status</th>
                  <th scope="col">Credential version</th>
                  <th scope="col">Credential age</th>
                  <th scope="col">Expires</th>
                </tr>
              </thead>
              <tbody>
                {connections.map((c) => (
                  <tr key={c.id}>
                    <td>
                      <Link to={`/connections/${encodeURIComponent(c.slug)}`}>{c.name}</Link>
                      <div className="muted">{c.slug}</div>
                    </td>
                    <td>{providerLabel(c.provider)}</td>
                    <td>{authModeLabel(c.authMode)}</td>
                    <td>
                      <StatusText connection={c} />
                    </td>
                    <td>{c.credentialVersion === 0 ? "none" : `v${c.credentialVersion}`}</td>
                    <td>
                      <CredentialAge connection={c} />
                    </td>
                    <td>{c.credentialVersion === 0 ? "—" : expiryText(c)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        <div className="pager">
          <button type="button" disabled={pages.length <= 1} onClick={() => setPages(pages.slice(0, -1))}>
            Previous page
          </button>
          <span>Page {pages.length}</span>
          <button type="button" disabled={(list.data?.nextPageToken ?? "") === ""} onClick={() => setPages([...pages, list.data!.nextPageToken])}>
            Next page
          </button>
        </div>
      </section>
    </>
  );
}
