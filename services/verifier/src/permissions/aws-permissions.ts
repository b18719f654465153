import { SimulatePrincipalPolicyCommand, type EvaluationResult, type IAMClient } from "@aws-sdk/client-iam";
import type { AwsCapability } from "@planton/proto/planton/connect/v1/provider_pb";
import { asObject, str } from "../checks/http-call.js";
import type { CheckOptions } from "../checks/provider-check.js";
import type { AwsCredentials } from "../checks/sts-call.js";
import { AWS_CAPABILITY_CHECKS, fillArn, SIMULATION_CONTEXT, type SimulationGroup } from "./aws-capability-actions.js";
import { notCheckable, verdictOf, type CapabilityVerdict, type PermissionReport } from "./permission-report.js";
import { permissionReport, refusedReport } from "./permission-warnings.js";
import { iamClient } from "../checks/iam-client.js";

/** The IAM user or role whose policies are simulated, and where its resources live. */
export interface AwsPrincipal {
  /** arn:<partition>:iam::<account>:user/<path><name> or …:role/<path><name>. */
  readonly arn: string;
  readonly kind: "user" | "role";
  readonly name: string;
  readonly partition: string;
  readonly account: string;
  /** The connection's region: representative resources are placed there. */
  readonly region: string;
}

/** Requests in flight at once: 10 capabilities take about 20 simulations. */
const CONCURRENCY = 4;
/** Pages read per simulation before giving up (a group has at most a dozen actions). */
const MAX_PAGES = 20;

const USER_ARN = /^arn:([a-z][a-z0-9-]*):iam::(\d{12}):user\/(?:.*\/)?([^/]+)$/;

/**
 * awsUserPrincipal reads the IAM user out of a GetCallerIdentity ARN, or
 * says why the caller's permissions cannot be simulated: AWS simulates
 * users, groups and roles only, and a session ARN (assumed role, federated
 * user) does not name the role's path, so it cannot name the role.
 */
export function awsUserPrincipal(callerArn: string, region: string): AwsPrincipal | { readonly unsupported: string } {
  const user = USER_ARN.exec(callerArn);
  if (user) {
    const [, partition = "", account = "", name = ""] = user;
    return { arn: callerArn, kind: "user", name, partition, account, region };
  }
  if (/:root$/.test(callerArn)) {
    return {
      unsupported:
        "the key belongs to the account's root user, whose permissions AWS does not simulate (IAM policies cannot limit root); use an IAM user's key instead of a root key",
    };
  }
  return {
    unsupported: `the key is a temporary session (${callerArn.replace(/^arn:[^:]+:sts::\d{12}:/, "")}), not an IAM user; AWS simulates only users, groups and roles, and a session ARN does not name its role's path`,
  };
}

/**
 * checkAwsPermissions asks AWS IAM what `principal` may do:
 * `SimulatePrincipalPolicy` (PolicySourceArn = the principal, signed with
 * `credentials`, which must belong to it: the trust template lets its role
 * simulate itself, an IAM user needs iam:SimulatePrincipalPolicy on itself)
 * for each group of {@link AWS_CAPABILITY_CHECKS}, with the group's
 * resource and context, reading every page (IsTruncated / Marker). An
 * action whose EvalDecision is not `allowed` (implicitDeny, explicitDeny:
 * an SCP or permissions boundary included) is missing.
 *
 * `enabled` lists the capabilities the user chose; `undefined` means no
 * selection (inline keys): every capability counts as enabled.
 *
 * Any error stops the check and makes every capability `not_checkable`
 * with the reason (never `missing`): AccessDenied → also one
 * PERMISSIONS_NOT_CHECKABLE warning with the fix; NoSuchEntity,
 * InvalidInput, throttling, 5xx, timeouts and network errors → the reason
 * only (the next verification checks again). Never throws; reasons name
 * AWS's error code, never its message or any credential.
 */
async function checkAwsPermissions(
  iamUrl: string,
  credentials: AwsCredentials,
  principal: AwsPrincipal,
  enabled: readonly AwsCapability[] | undefined,
  options: CheckOptions,
): Promise<PermissionReport> {
  const isEnabled = (c: AwsCapability) => enabled === undefined || enabled.length === 0 || enabled.includes(c);
  const subjects = AWS_CAPABILITY_CHECKS.map((c) => ({ capability: c.name, enabled: isEnabled(c.capability) }));
  const client = iamClient(iamUrl, credentials, options.timeoutMs);
  const tasks = AWS_CAPABILITY_CHECKS.flatMap((check) => check.groups.map((group) => ({ check: check.name, group })));
  const denied = new Map<string, Set<string>>(AWS_CAPABILITY_CHECKS.map((c) => [c.name, new Set<string>()]));
  let failure: SimulationFailure | undefined;
  try {
    let next = 0;
    const worker = async () => {
      while (failure === undefined && next < tasks.length) {
        const task = tasks[next++]!;
        const outcome = await simulate(client, principal, task.group, options);
        if ("failure" in outcome) failure ??= outcome.failure;
        else for (const action of outcome.denied) denied.get(task.check)?.add(action);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  } finally {
    client.destroy();
  }
  const who = `${principal.kind} ${principal.arn}`;
  if (failure !== undefined) {
    const verdicts = notCheckable(subjects, failure.reason);
    if (!failure.refused) return { capabilities: verdicts, warnings: [] };
    return refusedReport(
      verdicts,
      `AWS did not let ${who} simulate its own policies, so what each capability may do is unknown (the connection itself works).`,
      principal.kind === "role"
        ? "Re-run the setup for this connection (planton connect aws --reconnect <connection>): roles made by an older template may not call iam:SimulatePrincipalPolicy on themselves."
        : `Allow IAM user ${principal.name} iam:SimulatePrincipalPolicy on itself (Resource ${principal.arn}), then verify again.`,
    );
  }
  const verdicts: CapabilityVerdict[] = AWS_CAPABILITY_CHECKS.map((c) =>
    verdictOf(
      c.name,
      isEnabled(c.capability),
      c.groups.flatMap((g) => g.actions),
      denied.get(c.name) ?? new Set(),
    ),
  );
  return permissionReport(verdicts, {
    principal: who,
    selection: principal.kind === "role" && enabled !== undefined && enabled.length > 0,
    fix: (unusable) => {
      const actions = [...new Set(unusable.flatMap((v) => v.missingActions))].join(", ");
      return principal.kind === "role"
        ? `Re-run the setup for this connection (planton connect aws --reconnect <connection>) so the role gets the template's policy for ${unusable.map((v) => v.capability).join(", ")} again, and check that no service control policy or permissions boundary denies: ${actions}.`
        : `Attach a policy to IAM user ${principal.name} that allows ${actions} (on the resources Planton deploys, named planton-* and tagged planton:managed=true), then verify again.`;
    },
  });
}

interface SimulationFailure {
  readonly reason: string;
  /** The principal may not simulate itself: the user can fix it. */
  readonly refused: boolean;
}

async function simulate(
  client: IAMClient,
  principal: AwsPrincipal,
  group: SimulationGroup,
  options: CheckOptions,
): Promise<{ readonly denied: readonly string[] } | { readonly failure: SimulationFailure }> {
  const place = { partition: principal.partition, region: principal.region, account: principal.account };
  const context = { ...SIMULATION_CONTEXT, ...group.context };
  const denied: string[] = [];
  const seen = new Set<string>();
  let marker: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const timeout = AbortSignal.timeout(options.timeoutMs);
    let output;
    try {
      output = await client.send(
        new SimulatePrincipalPolicyCommand({
          PolicySourceArn: principal.arn,
          ActionNames: [...group.actions],
          ResourceArns: [fillArn(group.resource, place)],
          ContextEntries: Object.entries(context).map(([key, value]) => ({
            ContextKeyName: key,
            ContextKeyValues: [fillArn(value, place)],
            ContextKeyType: "string",
          })),
          ...(marker !== undefined ? { Marker: marker } : {}),
        }),
        { abortSignal: options.signal ? AbortSignal.any([timeout, options.signal]) : timeout },
      );
    } catch (error) {
      return { failure: classify(error, principal, timeout.aborted || options.signal?.aborted === true) };
    }
    for (const result of output.EvaluationResults ?? []) record(result, group, seen, denied);
    if (output.IsTruncated !== true) {
      // An action IAM did not evaluate is not known to be allowed.
      for (const action of group.actions) if (!seen.has(action.toLowerCase())) denied.push(action);
      return { denied };
    }
    if (!output.Marker) break;
    marker = output.Marker;
  }
  return { failure: { reason: "AWS IAM kept paginating the simulation results; try again later", refused: false } };
}

function record(result: EvaluationResult, group: SimulationGroup, seen: Set<string>, denied: string[]): void {
  const name = result.EvalActionName ?? "";
  // The table's spelling is reported, whatever case IAM answers in.
  const action = group.actions.find((a) => a.toLowerCase() === name.toLowerCase());
  if (action === undefined) return;
  seen.add(action.toLowerCase());
  if (result.EvalDecision !== "allowed") denied.push(action);
}

function classify(error: unknown, principal: AwsPrincipal, timedOut: boolean): SimulationFailure {
  const status = asObject(asObject(error)?.["$metadata"])?.["httpStatusCode"];
  const code = str(asObject(error), "Code") ?? str(asObject(error), "name") ?? "";
  if (typeof status !== "number") {
    return {
      reason: timedOut
        ? "AWS IAM did not answer the simulation in time; checked again at the next verification"
        : "AWS IAM could not be reached; checked again at the next verification",
      refused: false,
    };
  }
  const named = code !== "" && /^[A-Za-z.]{1,64}$/.test(code) ? code : `HTTP ${status}`;
  // Only AccessDenied is the principal's own refusal; other 403 codes (a
  // signature or token problem) say nothing the user can fix.
  if (code === "AccessDenied" || code === "AccessDeniedException" || (status === 403 && code === "")) {
    return {
      reason: `AWS IAM refused iam:SimulatePrincipalPolicy (${named}): ${principal.kind} ${principal.name} may not simulate its own policies`,
      refused: true,
    };
  }
  if (code === "NoSuchEntity" || status === 404) {
    return { reason: `AWS IAM does not know ${principal.kind} ${principal.name} (${named}); checked again at the next verification`, refused: false };
  }
  if (status === 429 || status >= 500 || /thrott|limitexceeded/i.test(code)) {
    return { reason: `AWS IAM could not evaluate the policies now (${named}); checked again at the next verification`, refused: false };
  }
  return { reason: `AWS IAM rejected the simulation (${named})`, refused: false };
}

/**
 * awsPermissionsStep is the permission step of a verified AWS credential,
 * ready to spread into the `verified` result: `{ permissions }` when
 * `options.checkPermissions` is on and `iamUrl` is set, else `{}`. A
 * `principal` that AWS cannot simulate (`unsupported`) makes every
 * capability `not_checkable` with that reason and no warning.
 */
export async function awsPermissionsStep(
  iamUrl: string | undefined,
  credentials: AwsCredentials,
  principal: AwsPrincipal | { readonly unsupported: string },
  enabled: readonly AwsCapability[] | undefined,
  options: CheckOptions,
): Promise<{ permissions?: PermissionReport }> {
  if (!options.checkPermissions || !iamUrl) return {};
  if ("unsupported" in principal) {
    const subjects = AWS_CAPABILITY_CHECKS.map((c) => ({ capability: c.name, enabled: true }));
    return { permissions: { capabilities: notCheckable(subjects, principal.unsupported), warnings: [] } };
  }
  return { permissions: await checkAwsPermissions(iamUrl, credentials, principal, enabled, options) };
}
