import { checkbox, input } from "@inquirer/prompts";
import type { AwsCapability } from "@planton/proto/planton/connect/v1/provider_pb";
import { DEFAULT_AWS_REGION, type AwsFlags } from "./aws-requests.js";
import { CAPABILITIES } from "./capabilities.js";
import type { PromptContext } from "./prompt-input.js";

/** Ask runs one prompt with the context it needs (see CliContext.prompt). */
export type Ask = <T>(run: (context: PromptContext) => Promise<T>) => Promise<T>;

/** NAME_SUGGESTION is the default name offered, following the `<provider>-<purpose>` convention. */
const NAME_SUGGESTION = "aws-prod";

/** NAME_HINT explains the naming convention before the name is asked. */
const NAME_HINT =
  "Connection names follow <provider>-<purpose>, e.g. aws-prod or aws-payments-staging, so deployments and audit records say which account they use.";

/** AskedAws is what the AWS questions produced: flags with the answers filled in, and the chosen capabilities. */
export interface AskedAws {
  readonly flags: AwsFlags;
  readonly capabilities?: AwsCapability[];
}

/**
 * validateAccountId is the account-id prompt's check: exactly 12 digits
 * (surrounding spaces ignored); returns true or the message to show.
 */
function validateAccountId(value: string): true | string {
  return /^\d{12}$/.test(value.trim()) ? true : "an AWS account id is 12 digits, e.g. 123456789012";
}

/**
 * askAwsConnection asks, in the terminal, for whatever a new AWS connection
 * still lacks. With `full` (no flags were given at all) it asks everything:
 * name (suggesting {@link NAME_SUGGESTION}), account id, region (default
 * us-west-2) and capabilities (all ten checked); otherwise only the missing
 * name and account id. `hint` prints the naming convention before the name
 * is asked.
 */
export async function askAwsConnection(ask: Ask, flags: AwsFlags, full: boolean, hint: (line: string) => void): Promise<AskedAws> {
  let { name, accountId, region } = flags;
  if (name === undefined) {
    hint(NAME_HINT);
    const answer = await ask((context) =>
      input({ message: "Connection name", default: NAME_SUGGESTION, validate: (v) => (v.trim() === "" ? "a name is required" : true) }, context),
    );
    name = answer.trim();
  }
  if (accountId === undefined) {
    accountId = (await ask((context) => input({ message: "AWS account id", validate: validateAccountId }, context))).trim();
  }
  if (!full) return { flags: { ...flags, name, accountId } };
  const defaultRegion = region ?? DEFAULT_AWS_REGION;
  region = (await ask((context) => input({ message: "Region", default: defaultRegion }, context))).trim();
  const width = Math.max(...CAPABILITIES.map((c) => c.name.length));
  const capabilities = await ask((context) =>
    checkbox(
      {
        message: "Capabilities (what the platform may deploy in this account)",
        choices: CAPABILITIES.map((c) => ({ value: c.value, name: `${c.name.padEnd(width)}  ${c.description}`, short: c.name, checked: true })),
        pageSize: CAPABILITIES.length,
        required: true,
      },
      context,
    ),
  );
  return { flags: { ...flags, name, accountId, region }, capabilities };
}
