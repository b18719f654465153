import { Code, ConnectError, type Client } from "@connectrpc/connect";
import type { Runner, RunnerService } from "@planton/proto/planton/connect/v1/runner_service_pb";
import { CliError } from "./failures.js";

/**
 * findRunner resolves a runner named by id or by name: GetRunner by id
 * first, and when no runner has that id, the runner of that exact name from
 * ListRunners (every page). No match is a {@link CliError}; any other API
 * failure propagates.
 */
export async function findRunner(runners: Client<typeof RunnerService>, ref: string): Promise<Runner> {
  try {
    const { runner } = await runners.getRunner({ runnerId: ref });
    if (runner !== undefined) return runner;
  } catch (error) {
    const code = ConnectError.from(error).code;
    // A name is not a valid id: the API may call it missing or malformed.
    if (code !== Code.NotFound && code !== Code.InvalidArgument) throw error;
  }
  for await (const runner of listAllRunners(runners)) {
    if (runner.name === ref) return runner;
  }
  throw new CliError(`no runner with the id or name "${ref}": see \`planton runner list\``);
}

/** listAllRunners yields every runner of the organization, following next_page_token to the end. */
export async function* listAllRunners(runners: Client<typeof RunnerService>): AsyncGenerator<Runner> {
  let pageToken = "";
  do {
    const page = await runners.listRunners({ pageSize: 100, pageToken });
    yield* page.runners;
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
}
