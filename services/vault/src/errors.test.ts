import { describe, expect, it } from "vitest";
import { Code } from "@connectrpc/connect";
import { BadRequestSchema } from "@planton/proto/google/rpc/error_details_pb";
import { mapVaultError, RewrapTargetKeyError } from "./errors.js";
import { KeyProviderRejectedError, KeyProviderUnavailableError } from "./keys/key-provider.js";

describe("mapVaultError", () => {
  it("answers UNAVAILABLE for a key-provider outage, saying which call and why", () => {
    const mapped = mapVaultError(new KeyProviderUnavailableError("AWS KMS GenerateDataKey did not answer within 8000 ms"));
    expect(mapped?.code).toBe(Code.Unavailable);
    expect(mapped?.rawMessage).toBe("key provider unavailable, retry later (AWS KMS GenerateDataKey did not answer within 8000 ms)");
  });

  it("keeps a caller's own deadline and cancellation apart from a dependency outage", () => {
    expect(mapVaultError(new DOMException("signal timed out", "TimeoutError"))?.code).toBe(Code.DeadlineExceeded);
    expect(mapVaultError(new DOMException("aborted", "AbortError"))?.code).toBe(Code.Canceled);
  });

  it("refuses an unusable rewrap target as INVALID_ARGUMENT on target_key_id, with the next step", () => {
    for (const [provider, hint] of [
      ["local", "create-local-key"],
      ["aws-kms", "key policy"],
    ] as const) {
      const mapped = mapVaultError(new RewrapTargetKeyError(provider, { cause: new KeyProviderRejectedError("key_unusable", "x") }));
      expect(mapped?.code).toBe(Code.InvalidArgument);
      const [detail] = mapped!.findDetails(BadRequestSchema);
      expect(detail?.fieldViolations).toHaveLength(1);
      expect(detail?.fieldViolations[0]).toMatchObject({ field: "target_key_id", reason: "UNKNOWN_KEY" });
      expect(detail?.fieldViolations[0]?.description).toContain(hint);
    }
  });
});
