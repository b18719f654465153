import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema } from "@planton/proto/google/rpc/error_details_pb";
import { fieldError, formErrors, unclaimedErrors } from "../src/errors.js";

describe("formErrors", () => {
  it("puts each BadRequest field violation on its field and keeps the rest for the summary", () => {
    const detail = create(BadRequestSchema, {
      fieldViolations: [
        { field: "spec.civo.default_region", description: "must be one of LON1, FRA1, NYC1, PHX1, MUM1" },
        { field: "account_id", description: "must be 12 digits" },
        { field: "spec.civo.unknown", description: "is odd" },
      ],
    });
    const errors = formErrors(new ConnectError("invalid connection", Code.InvalidArgument, undefined, [{ desc: BadRequestSchema, value: detail }]));
    expect(errors.code).toBe(Code.InvalidArgument);
    expect(fieldError(errors, "spec.civo.default_region")).toBe("must be one of LON1, FRA1, NYC1, PHX1, MUM1");
    expect(fieldError(errors, "spec.aws.account_id", "account_id")).toBe("must be 12 digits");
    expect(unclaimedErrors(errors, ["spec.civo.default_region", "account_id"])).toEqual(["spec.civo.unknown: is odd"]);
    expect(errors.message).toBe("Some fields need attention.");
  });

  it("says what to do for an expired sign-in and keeps other messages", () => {
    expect(formErrors(new ConnectError("token expired", Code.Unauthenticated)).message).toMatch(/Sign in again/);
    expect(formErrors(new ConnectError("name already taken", Code.AlreadyExists)).message).toBe("name already taken");
  });
});
