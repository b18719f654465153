import { create } from "@bufbuild/protobuf";
import {
  AwsTrustSetupState,
  StartSetupResponseSchema,
  type StartSetupRequest,
  type WatchSetupResponse,
} from "@planton/proto/planton/connect/v1/aws_trust_service_pb";
import { GetConnectionResponseSchema } from "@planton/proto/planton/connect/v1/connection_service_pb";
import { ConnectionStatus } from "@planton/proto/planton/connect/v1/provider_pb";
import { openBrowser } from "./browser.js";
import type { CliContext } from "./cli-context.js";
import { connectionFields } from "./connection-view.js";
import { ExitCode, type ExitCodeValue } from "./exit-codes.js";
import { formatTime } from "./format-values.js";
import { jsonText, warningLines, type OutputFormat } from "./output.js";
import { startSpinner } from "./spinner.js";
import { renderKeyValues } from "./table.js";
import { trustOutcome } from "./trust-outcome.js";

/** TrustFlowOptions are the flags that shape the flow rather than the setup. */
export interface TrustFlowOptions {
  /** Open the link in a browser (false with --no-browser). */
  readonly browser: boolean;
  /** Wait for the stack and the verification (false with --no-wait). */
  readonly wait: boolean;
  readonly output: OutputFormat;
}

const WAITING_FOR_STACK = "waiting for the CloudFormation stack to report the role...";

/**
 * runTrustFlow connects an AWS account through cross-account trust:
 * StartSetup, print the Quick Create link (stdout, or stderr with `-o json`
 * so stdout holds only JSON) and open it, then follow WatchSetup with a
 * spinner until the setup settles, print the connection, and return the
 * exit code of {@link trustOutcome}. With `wait: false` it returns right
 * after the link (JSON mode prints the StartSetup response).
 */
export async function runTrustFlow(ctx: CliContext, request: StartSetupRequest, options: TrustFlowOptions): Promise<ExitCodeValue> {
  const api = await ctx.api();
  const started = await api.trust.startSetup(request);
  for (const line of warningLines(started.warnings)) ctx.err(line);
  const linkOut = options.output === "json" ? ctx.err : ctx.out;
  const account = started.setup?.accountId ?? request.accountId;
  linkOut(
    `Open this link in the AWS console${account ? ` of account ${account}` : ""}, tick "I acknowledge that AWS CloudFormation might create IAM resources" and choose Create stack (the link expires at ${formatTime(started.expiresAt)}):`,
  );
  linkOut(started.quickCreateUrl);
  linkOut(`setup id: ${started.setupId}`);
  if (options.browser) openBrowser(started.quickCreateUrl, ctx.env.browser);
  if (!options.wait) {
    if (options.output === "json") ctx.out(jsonText(StartSetupResponseSchema, started));
    return ExitCode.ok;
  }

  const spinner = startSpinner(ctx.stderr, WAITING_FOR_STACK);
  const unregister = ctx.onInterrupt(() => {
    spinner.stop();
    ctx.err(`stopped waiting: the setup goes on until ${formatTime(started.expiresAt)}; see \`planton connection get ${started.connection?.slug ?? ""}\``);
  });
  let last: WatchSetupResponse | undefined;
  try {
    // No timeout: the setup's own lifetime bounds the stream, and the server ends it.
    for await (const snapshot of api.trust.watchSetup({ setupId: started.setupId }, { timeoutMs: 0 })) {
      last = snapshot;
      spinner.update(progressText(snapshot));
    }
  } finally {
    spinner.stop();
    unregister();
  }

  const connection = last?.connection ?? started.connection;
  if (connection !== undefined) {
    if (options.output === "json") ctx.out(jsonText(GetConnectionResponseSchema, create(GetConnectionResponseSchema, { connection })));
    else ctx.out(renderKeyValues(connectionFields(connection, ctx.styles)));
  }
  const outcome = trustOutcome(last?.setup, connection);
  if (outcome.exitCode === ExitCode.ok) {
    // In JSON mode stdout holds the connection document only.
    (options.output === "json" ? ctx.err : ctx.out)(outcome.summary);
  } else {
    ctx.err(`${ctx.errStyles.red("error:")} ${outcome.summary}`);
  }
  return outcome.exitCode;
}

function progressText({ setup, connection }: WatchSetupResponse): string {
  if (setup?.state !== AwsTrustSetupState.COMPLETED) return WAITING_FOR_STACK;
  if (connection?.status === ConnectionStatus.PENDING_VERIFICATION) return "role captured: verifying that the platform can assume it...";
  return "role captured";
}
