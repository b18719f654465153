import { describe, expect, it } from "vitest";
import {
  amzDate,
  canonicalRequest,
  sha256Hex,
  sigV4Signature,
  signFormPost,
  signingKey,
  stsRegionOf,
} from "../src/checks/sigv4.js";

// AWS's documented example credentials (public, from the SigV4 docs and test suite).
const SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const DATE = "20150830T123600Z";

describe("sigv4 against AWS published vectors", () => {
  it("derives the documented signing key (IAM example, 20150830/us-east-1/iam)", () => {
    expect(signingKey(SECRET, "20150830", "us-east-1", "iam").toString("hex")).toBe(
      "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9",
    );
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
    expect(sigV4Signature(parts, SECRET, DATE, "us-east-1", "service")).toBe(
      "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    );
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
    expect(sigV4Signature(parts, SECRET, DATE, "us-east-1", "iam")).toBe(
      "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
    );
  });
});

describe("signFormPost", () => {
  it("signs host, content-type, x-amz-date and the body hash, and is self-consistent", () => {
    const body = "Action=GetCallerIdentity&Version=2011-06-15";
    const now = new Date(Date.UTC(2026, 0, 1, 12, 0, 0));
    const headers = signFormPost({
      url: "http://127.0.0.1:8443/",
      body,
      region: "us-east-1",
      service: "sts",
      credentials: { accessKeyId: "AKIAEXAMPLE000000001", secretAccessKey: SECRET },
      now,
    });
    expect(headers["x-amz-date"]).toBe("20260101T120000Z");
    expect(headers["x-amz-content-sha256"]).toBe(sha256Hex(body));
    const auth = headers["authorization"] ?? "";
    expect(auth).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE000000001\/20260101\/us-east-1\/sts\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/,
    );
    expect(auth).not.toContain(SECRET);
    const signature = /Signature=([0-9a-f]{64})/.exec(auth)?.[1];
    const recomputed = sigV4Signature(
      {
        method: "POST",
        path: "/",
        query: "",
        headers: { ...headers, host: "127.0.0.1:8443" },
        signedHeaders: ["content-type", "host", "x-amz-content-sha256", "x-amz-date"],
        payloadHash: sha256Hex(body),
      },
      SECRET,
      "20260101T120000Z",
      "us-east-1",
      "sts",
    );
    expect(signature).toBe(recomputed);
  });

  it("adds and signs the session token of temporary credentials", () => {
    const headers = signFormPost({
      url: "https://sts.eu-west-1.amazonaws.com",
      body: "",
      region: "eu-west-1",
      service: "sts",
      credentials: { accessKeyId: "ASIAEXAMPLE", secretAccessKey: SECRET, sessionToken: "tok" },
    });
    expect(headers["x-amz-security-token"]).toBe("tok");
    expect(headers["authorization"]).toContain("x-amz-security-token");
  });

  it("formats X-Amz-Date without separators or milliseconds", () => {
    expect(amzDate(new Date("2015-08-30T12:36:00.123Z"))).toBe(DATE);
  });
});

describe("stsRegionOf", () => {
  it.each([
    ["https://sts.amazonaws.com", "us-east-1"],
    ["https://sts.eu-west-1.amazonaws.com", "eu-west-1"],
    ["https://sts-fips.us-gov-west-1.amazonaws.com", "us-gov-west-1"],
    ["https://sts.cn-north-1.amazonaws.com.cn", "cn-north-1"],
    ["https://sts.ap-south-1.api.aws", "ap-south-1"],
    ["http://127.0.0.1:4566", "us-east-1"],
    ["not a url", "us-east-1"],
  ])("%s -> %s", (url, region) => {
    expect(stsRegionOf(url)).toBe(region);
  });
});
