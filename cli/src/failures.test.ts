import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { CommanderError } from "commander";
import { BadRequestSchema, ErrorInfoSchema } from "@planton/proto/google/rpc/error_details_pb";
import { CliError, CommandLineError, describeFailure, ExitRequest, UsageError } from "./failures.js";

const URL = "http://127.0.0.1:8080";

function badRequest(message: string, violations: { field: string; description: string }[]): ConnectError {
  return new ConnectError(message, Code.InvalidArgument, undefined, [
    { desc: BadRequestSchema, value: create(BadRequestSchema, { fieldViolations: violations }) },
  ]);
}

describe("describeFailure", () => {
  it("exits 2 for usage errors with a hint to the command's --help", () => {
    expect(describeFailure(new UsageError("--name is required", "planton connect gcp"), URL)).toEqual({
      exitCode: 2,
      lines: ["error: --name is required", "run 'planton connect gcp --help' for usage"],
    });
  });

  it("exits 2 for commander's parse errors and 0 for help and version", () => {
    const unknown = new CommanderError(1, "commander.unknownOption", "error: unknown option '--nope'");
    expect(describeFailure(new CommandLineError(unknown, "planton connection list"), URL)).toEqual({
      exitCode: 2,
      lines: ["error: unknown option '--nope'", "run 'planton connection list --help' for usage"],
    });
    expect(describeFailure(new CommandLineError(new CommanderError(0, "commander.helpDisplayed", "(outputHelp)"), "planton"), URL)).toEqual({
      exitCode: 0,
      lines: [],
    });
    expect(describeFailure(new CommandLineError(new CommanderError(0, "commander.version", "0.1.0"), "planton"), URL).exitCode).toBe(0);
    expect(describeFailure(new CommandLineError(new CommanderError(1, "commander.help", "(outputHelp)"), "planton connection"), URL).exitCode).toBe(2);
  });

  it("exits 3 when the API cannot be reached, naming the URL", () => {
    expect(describeFailure(new ConnectError("connect ECONNREFUSED 127.0.0.1:8080", Code.Unavailable), URL)).toEqual({
      exitCode: 3,
      lines: ["error: cannot reach the planton API at http://127.0.0.1:8080: connect ECONNREFUSED 127.0.0.1:8080"],
    });
    expect(describeFailure(new ConnectError("the operation timed out", Code.DeadlineExceeded), URL).exitCode).toBe(3);
    const dns = Object.assign(new Error("getaddrinfo ENOTFOUND api.example"), { code: "ENOTFOUND" });
    expect(describeFailure(new Error("fetch failed", { cause: dns }), URL).exitCode).toBe(3);
  });

  it("exits 1 with the message for other API errors", () => {
    expect(describeFailure(new ConnectError("connection payments-prod-aws not found", Code.NotFound), URL)).toEqual({
      exitCode: 1,
      lines: ["error: connection payments-prod-aws not found"],
    });
    const unauthenticated = describeFailure(new ConnectError("bearer token rejected", Code.Unauthenticated), URL);
    expect(unauthenticated.exitCode).toBe(1);
    expect(unauthenticated.lines[1]).toMatch(/PLANTON_TOKEN/);
  });

  it("prints each field violation on its own line, without the summary repeating them", () => {
    const error = badRequest("invalid request: spec.aws.account_id: must be 12 digits; name: is required", [
      { field: "spec.aws.account_id", description: "must be 12 digits" },
      { field: "name", description: "is required" },
    ]);
    expect(describeFailure(error, URL)).toEqual({
      exitCode: 1,
      lines: ["error: invalid request", "  spec.aws.account_id: must be 12 digits", "  name: is required"],
    });
  });

  it("keeps a message that is not just the summary", () => {
    const error = badRequest("the spec is not valid for this provider", [{ field: "spec", description: "must be set" }]);
    expect(describeFailure(error, URL).lines).toEqual(["error: the spec is not valid for this provider", "  spec: must be set"]);
  });

  it("exits 130 for Ctrl-C in a prompt, and as requested for ExitRequest", () => {
    const promptExit = Object.assign(new Error("User force closed the prompt with SIGINT"), { name: "ExitPromptError" });
    expect(describeFailure(promptExit, URL)).toEqual({ exitCode: 130, lines: [] });
    expect(describeFailure(new ExitRequest(1), URL)).toEqual({ exitCode: 1, lines: [] });
  });

  it("exits 1 for the CLI's own failures and unexpected errors", () => {
    expect(describeFailure(new CliError("no token: set PLANTON_TOKEN or run `planton login --token ...`"), URL)).toEqual({
      exitCode: 1,
      lines: ["error: no token: set PLANTON_TOKEN or run `planton login --token ...`"],
    });
    expect(describeFailure(new TypeError("boom"), URL)).toEqual({ exitCode: 1, lines: ["error: boom"] });
  });

  it("prints each setting of a platform refusal (FAILED_PRECONDITION, PLATFORM_NOT_CONFIGURED) on its own line, with a hint, and exits 1", () => {
    const settings = {
      AWS_TRUST_PRINCIPAL_ARN: "is not set: customer roles would trust the placeholder arn:aws:iam::000000000000:role/planton-runner",
      "AWS credentials": "the platform has no AWS identity of its own",
    };
    // The metadata map may arrive in any order; the message has its own.
    const list = Object.entries(settings)
      .map(([k, v]) => `${k} ${v}`)
      .reverse()
      .join("; ");
    const refusal = new ConnectError(
      `AWS cross-account trust is not available on this platform yet: its operator must configure it (${list}). Nothing was created; this is not a problem with your AWS account.`,
      Code.FailedPrecondition,
      undefined,
      [{ desc: ErrorInfoSchema, value: create(ErrorInfoSchema, { reason: "PLATFORM_NOT_CONFIGURED", domain: "planton.connect", metadata: settings }) }],
    );
    expect(describeFailure(refusal, URL)).toEqual({
      exitCode: 1,
      lines: [
        "error: AWS cross-account trust is not available on this platform yet: its operator must configure it. Nothing was created; this is not a problem with your AWS account.",
        "  AWS_TRUST_PRINCIPAL_ARN: is not set: customer roles would trust the placeholder arn:aws:iam::000000000000:role/planton-runner",
        "  AWS credentials: the platform has no AWS identity of its own",
        "hint: ask the platform's operator to set these; retrying will not help until then",
      ],
    });
    // Another FAILED_PRECONDITION keeps the plain form.
    expect(describeFailure(new ConnectError("etag mismatch", Code.FailedPrecondition), URL)).toEqual({ exitCode: 1, lines: ["error: etag mismatch"] });
  });
});
