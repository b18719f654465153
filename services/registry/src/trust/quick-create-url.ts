import type { AwsCapability } from "@planton/proto/planton/connect/v1/provider_pb";
import { ALL_CAPABILITIES, CAPABILITY_PARAMETER } from "./capabilities.js";
import { TEMPLATE_PARAMETERS } from "./trust-template.js";

/** What one setup's Quick Create link carries. */
export interface QuickCreateInput {
  readonly region: string;
  /** The published template (an S3 HTTPS URL in production). */
  readonly templateUrl: string;
  readonly stackName: string;
  readonly externalId: string;
  readonly trustedPrincipalArn: string;
  readonly callbackUrl: string;
  readonly setupId: string;
  readonly callbackToken: string;
  /** Enabled capabilities; every switch not listed is sent as "false". */
  readonly capabilities: readonly AwsCapability[];
}

/**
 * quickCreateUrl builds the CloudFormation console's Quick Create link in
 * AWS's documented form: `https://<region>.console.aws.amazon.com/
 * cloudformation/home?region=<region>#/stacks/quickcreate?templateURL=...&
 * stackName=...&param_<Name>=...`. Every value is URL-encoded; every
 * template parameter is set (all ten switches explicitly true or false), so
 * the stack never falls back to a template default the user did not choose.
 * The part after `#` is read by the console in the browser, not sent to AWS's
 * servers, but it stays in browser history: the token in it is single-use
 * and short-lived for that reason.
 */
export function quickCreateUrl(input: QuickCreateInput): string {
  const enabled = new Set(input.capabilities);
  const params: [string, string][] = [
    ["templateURL", input.templateUrl],
    ["stackName", input.stackName],
    [`param_${TEMPLATE_PARAMETERS.externalId}`, input.externalId],
    [`param_${TEMPLATE_PARAMETERS.trustedPrincipalArn}`, input.trustedPrincipalArn],
    [`param_${TEMPLATE_PARAMETERS.callbackUrl}`, input.callbackUrl],
    [`param_${TEMPLATE_PARAMETERS.setupId}`, input.setupId],
    [`param_${TEMPLATE_PARAMETERS.callbackToken}`, input.callbackToken],
    ...ALL_CAPABILITIES.map((c): [string, string] => [`param_${CAPABILITY_PARAMETER[c]}`, enabled.has(c) ? "true" : "false"]),
  ];
  const region = encodeURIComponent(input.region);
  const fragment = params.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join("&");
  return `https://${region}.console.aws.amazon.com/cloudformation/home?region=${region}#/stacks/quickcreate?${fragment}`;
}

/**
 * parseQuickCreateUrl reads a Quick Create link back into its region and
 * query values (decoded); for tests and tools that check links.
 */
export function parseQuickCreateUrl(url: string): { host: string; region: string; route: string; params: Map<string, string> } {
  const parsed = new URL(url);
  const hash = parsed.hash.replace(/^#/, "");
  const question = hash.indexOf("?");
  const route = question < 0 ? hash : hash.slice(0, question);
  const params = new Map<string, string>();
  for (const pair of (question < 0 ? "" : hash.slice(question + 1)).split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    params.set(decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq)), decodeURIComponent(eq < 0 ? "" : pair.slice(eq + 1)));
  }
  return { host: parsed.host, region: parsed.searchParams.get("region") ?? "", route, params };
}
