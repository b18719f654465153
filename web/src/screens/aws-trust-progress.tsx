import { useEffect, useState } from "react";
import { createClient } from "@connectrpc/connect";
import { useTransport } from "@connectrpc/connect-query";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { AwsTrustService, AwsTrustSetupState, type StartSetupResponse, type WatchSetupResponse } from "@planton/proto/planton/connect/v1/aws_trust_service_pb";
import { ConnectionStatus } from "@planton/proto/planton/connect/v1/provider_pb";
import { Alert } from "../fields.js";
import { describeError } from "../errors.js";
import { setupStateLabel } from "../labels.js";
import { Link } from "../router.js";
import { StatusText } from "./status-text.js";

/** Whether the watch has nothing more to report: the setup ended, or its role was captured and verified. */
function finished(update: WatchSetupResponse | undefined): boolean {
  const state = update?.setup?.state;
  if (state === AwsTrustSetupState.EXPIRED || state === AwsTrustSetupState.SUPERSEDED) return true;
  const status = update?.connection?.status;
  return state === AwsTrustSetupState.COMPLETED && status !== ConnectionStatus.PENDING_VERIFICATION && status !== ConnectionStatus.AWAITING_TRUST_SETUP;
}

/**
 * AwsTrustProgress shows the Quick Create link of a started setup and the
 * setup's live progress from WatchSetup (server streaming over Connect-Web),
 * watching again whenever the server ends a stream early, until the role is
 * captured and verified or the link expires.
 */
export function AwsTrustProgress({ started, onRestart }: { started: StartSetupResponse; onRestart: () => void }) {
  const transport = useTransport();
  const [update, setUpdate] = useState<WatchSetupResponse | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    const abort = new AbortController();
    const client = createClient(AwsTrustService, transport);
    (async () => {
      let last: WatchSetupResponse | undefined;
      while (!abort.signal.aborted && !finished(last)) {
        for await (const next of client.watchSetup({ setupId: started.setupId }, { signal: abort.signal })) {
          last = next;
          setUpdate(next);
          setError(undefined);
        }
      }
    })().catch((e: unknown) => {
      if (!abort.signal.aborted) setError(describeError(e));
    });
    return () => abort.abort();
  }, [transport, started.setupId]);
  const state = update?.setup?.state ?? AwsTrustSetupState.PENDING;
  const connection = update?.connection ?? started.connection;
  const expires = started.expiresAt !== undefined ? timestampDate(started.expiresAt) : undefined;
  return (
    <section aria-labelledby="trust-progress" className="panel">
      <h2 id="trust-progress">Create the role in your AWS account</h2>
      <ol>
        <li>
          <a href={started.quickCreateUrl} target="_blank" rel="noopener noreferrer" data-testid="quick-create-link">
            Open the CloudFormation Quick Create link (new tab)
          </a>{" "}
          in the AWS console signed in to account {started.setup?.accountId}.
        </li>
        <li>Review the stack, tick “I acknowledge that AWS CloudFormation might create IAM resources”, and create it.</li>
        <li>Stay here: the role is captured automatically and verified.</li>
      </ol>
      {expires !== undefined ? <p className="muted">The link works until {expires.toLocaleTimeString()}.</p> : null}
      <div role="status" aria-live="polite" className="progress" data-testid="trust-state">
        <p>
          Setup: <strong>{setupStateLabel(state)}</strong>
        </p>
        {connection !== undefined ? (
          <p>
            Connection: <StatusText connection={connection} />
          </p>
        ) : null}
        {update?.setup?.roleArn ? (
          <p>
            Role: <code>{update.setup.roleArn}</code>
          </p>
        ) : null}
      </div>
      {state === AwsTrustSetupState.EXPIRED ? (
        <Alert>
          The link expired before the stack reported the role. If you created the stack, delete it in CloudFormation, then start again to get a new link.{" "}
          <button type="button" onClick={onRestart}>
            Start again
          </button>
        </Alert>
      ) : null}
      {state === AwsTrustSetupState.SUPERSEDED ? <Alert>A newer setup replaced this one; follow the newest link.</Alert> : null}
      {error !== undefined ? <Alert>{error}</Alert> : null}
      {connection !== undefined && finished(update) && state === AwsTrustSetupState.COMPLETED ? (
        <p>
          <Link to={`/connections/${encodeURIComponent(connection.slug)}`}>Open {connection.name}</Link>
        </p>
      ) : null}
    </section>
  );
}
