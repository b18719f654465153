import { describe, expect, it } from "vitest";
import { amzDate, canonicalRequest, sha256Hex, sigV4Signature, signingKey } from "./support/sigv4-verify.js";

// AWS's documented example credentials (public, from the SigV4 docs and test suite).
const SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const DATE = "20150830T123600Z";

// The fake STS checks signatures with this code; pinning it to AWS's own
// vectors keeps it an independent judge of what the SDK sends.
describe("the fake STS's SigV4 check against AWS published vectors", () => {
  it("derives the documented signing key (IAM example, 20150830/us-east-1/iam)", () => {
    expect(signingKey(SECRET, "20150830", "us-east-1", "iam").toString("hex")).toBe("c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
  });

  it("matches the aws-sig-v4-test-suite get-vanilla signature", () => {
    const parts = {
      method: "GET",
      path: "/",
      query: "",
      headers: { Host: "example.amazonaws.com", "X-Amz-Date": DATE },
      signedHeaders: ["host", "x-amz-date"],
      payloadHash: sha256Hex(""),
    };
    expect(sigV4Signature(parts, SECRET, DATE, "us-east-1", "service")).toBe("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  });

  it("matches the documented IAM ListUsers example (query string, content-type)", () => {
    const parts = {
      method: "GET",
      path: "/",
      query: "Action=ListUsers&Version=2010-05-08",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
        Host: "iam.amazonaws.com",
        "X-Amz-Date": DATE,
      },
      signedHeaders: ["content-type", "host", "x-amz-date"],
      payloadHash: sha256Hex(""),
    };
    expect(canonicalRequest(parts)).toBe(
      [
        "GET",
        "/",
        "Action=ListUsers&Version=2010-05-08",
        "content-type:application/x-www-form-urlencoded; charset=utf-8",
        "host:iam.amazonaws.com",
        "x-amz-date:20150830T123600Z",
        "",
        "content-type;host;x-amz-date",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      ].join("\n"),
    );
    expect(sigV4Signature(parts, SECRET, DATE, "us-east-1", "iam")).toBe("5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
  });

  it("formats X-Amz-Date without separators or milliseconds", () => {
    expect(amzDate(new Date("2015-08-30T12:36:00.123Z"))).toBe(DATE);
  });
});
