import { describe, expect, it } from "vitest";
import { REDACTED, redactValue, scrubText } from "./redact.js";

// A distinctive value planted in secret places: it must never survive redaction.
const MARKER = "MARKER-zq7x-do-not-log";

// Secret shapes that scrubText must recognise in free text.
const PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAzq7xMARKERpemBODYline1\nQUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=\n-----END RSA PRIVATE KEY-----";
const BEARER_TOKEN = "zq7xBearerTokenValue0123456789";
const JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ6cTd4LXVzZXIifQ.zq7xSignaturePartAbCdEf0123";
const AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq7xKEY012";
const CF_TOKEN = "cfut_zq7xCloudflareToken0123456789";
const DB_PASSWORD = "zq7xDbPassw0rd";

/** JSON of a redacted value, for "appears nowhere" assertions. */
const dump = (value: unknown): string => JSON.stringify(redactValue(value));

describe("scrubText", () => {
  it("keeps innocent text unchanged", () => {
    const text = "rpc /planton.connect.v1.VaultService/OpenCredential finished in 12.5 ms with code OK";
    expect(scrubText(text)).toBe(text);
    expect(scrubText("")).toBe("");
  });

  it("removes a PEM private key in full, armour included", () => {
    const out = scrubText(`loaded key ${PEM} from disk`);
    expect(out).toBe(`loaded key ${REDACTED} from disk`);
    expect(out).not.toContain("MIIE");
    expect(out).not.toContain("BEGIN");
  });

  it("removes PKCS#8, encrypted and OpenSSH private keys", () => {
    for (const kind of ["PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "OPENSSH PRIVATE KEY", "EC PRIVATE KEY"]) {
      const pem = `-----BEGIN ${kind}-----\n${MARKER}\n-----END ${kind}-----`;
      const out = scrubText(`x ${pem} y`);
      expect(out).toBe(`x ${REDACTED} y`);
      expect(out).not.toContain(MARKER);
    }
  });

  it("removes a truncated PEM private key up to the end of the text", () => {
    const out = scrubText(`key: -----BEGIN PRIVATE KEY-----\n${MARKER}\nmore`);
    expect(out).toBe(`key: ${REDACTED}`);
  });

  it("removes a long bearer token, whatever the case of 'Bearer'", () => {
    expect(scrubText(`Authorization: Bearer ${BEARER_TOKEN}`)).toBe(`Authorization: ${REDACTED}`);
    expect(scrubText(`authorization: bearer ${BEARER_TOKEN}, next`)).toBe(`authorization: ${REDACTED}, next`);
  });

  it("removes a JWT anywhere in text", () => {
    const out = scrubText(`token=${JWT}&x=1`);
    expect(out).toBe(`token=${REDACTED}&x=1`);
    expect(out).not.toContain("zq7x");
  });

  it("removes a 40-character AWS-secret-shaped string", () => {
    expect(AWS_SECRET).toHaveLength(40);
    const out = scrubText(`aws_secret_access_key=${AWS_SECRET} region=us-east-1`);
    expect(out).toBe(`aws_secret_access_key=${REDACTED} region=us-east-1`);
    expect(out).not.toContain("zq7x");
  });

  it("removes cfut_ and similar API tokens", () => {
    expect(scrubText(`cloudflare token ${CF_TOKEN} rejected`)).toBe(`cloudflare token ${REDACTED} rejected`);
    expect(scrubText(`ghp_${"a".repeat(20)}`)).toBe(REDACTED);
  });

  it("removes the password of a postgres URL but keeps scheme, user, host and database", () => {
    expect(scrubText(`connect postgres://app:${DB_PASSWORD}@db.internal:5432/vault failed`)).toBe(
      `connect postgres://app:${REDACTED}@db.internal:5432/vault failed`,
    );
    expect(scrubText(`postgresql://app:${DB_PASSWORD}@db/vault`)).toBe(`postgresql://app:${REDACTED}@db/vault`);
    expect(scrubText(`https://user:${DB_PASSWORD}@example.com/x`)).toBe(`https://user:${REDACTED}@example.com/x`);
  });

  // `postgres://:password@host` (password, no user) is a valid URL; its
  // password must go like any other.
  it("removes the password of a URL that has no user name", () => {
    const out = scrubText(`connect postgres://:${DB_PASSWORD}@db.internal/vault failed`);
    expect(out).not.toContain(DB_PASSWORD);
  });

  it("leaves a URL without a password alone", () => {
    const text = "postgres://app@db.internal:5432/vault";
    expect(scrubText(text)).toBe(text);
  });

  it("removes several secrets in one text", () => {
    const out = scrubText(`a ${JWT} b Bearer ${BEARER_TOKEN} c ${CF_TOKEN} d postgres://u:${DB_PASSWORD}@h/x e ${AWS_SECRET}`);
    expect(out).not.toContain("zq7x");
    expect(out).toContain("postgres://u:[REDACTED]@h/x");
  });
});

describe("redactValue", () => {
  const secretFieldNames = [
    "secret",
    "clientSecret",
    "password",
    "passwd",
    "token",
    "accessToken",
    "authorization",
    "Authorization",
    "privateKey",
    "private_key",
    "payload",
    "plaintext",
    "credential",
    "credentials",
    "apiKey",
    "api_key",
    "externalId",
    "external_id",
    "dataKey",
    "data_key",
    "wrappedKey",
    "ciphertext",
  ];

  it.each(secretFieldNames)("replaces the field %s whatever its value", (name) => {
    for (const value of [MARKER, 42, { inner: MARKER }, [MARKER], new TextEncoder().encode(MARKER), true, null]) {
      const out = redactValue({ [name]: value }) as Record<string, unknown>;
      expect(out[name]).toBe(REDACTED);
    }
  });

  // Header maps use hyphens: `x-api-key`, `private-key`, `data-key` name
  // secrets just as `api_key` does.
  it("replaces hyphenated secret field names such as header names", () => {
    const out = redactValue({ headers: { "x-api-key": MARKER, "private-key": MARKER, "data-key": MARKER, "external-id": MARKER } });
    expect(JSON.stringify(out)).not.toContain(MARKER);
  });

  it("redacts secret fields at any depth, inside arrays too", () => {
    const input = {
      level1: {
        level2: { level3: { password: MARKER, kept: "yes" } },
        list: [{ token: MARKER }, { nested: [{ apiKey: MARKER, name: "n" }] }],
      },
      items: [[{ secret: MARKER }]],
    };
    const out = redactValue(input);
    expect(out).toEqual({
      level1: {
        level2: { level3: { password: REDACTED, kept: "yes" } },
        list: [{ token: REDACTED }, { nested: [{ apiKey: REDACTED, name: "n" }] }],
      },
      items: [[{ secret: REDACTED }]],
    });
    expect(JSON.stringify(out)).not.toContain(MARKER);
  });

  it("keeps innocent fields and their values", () => {
    const input = {
      procedure: "/planton.connect.v1.VaultService/SealCredential",
      code: "OK",
      duration_ms: 3.25,
      org_id: "org_123",
      connection_id: "conn_456",
      key_id: "local-master",
      version: 7,
      ok: true,
      nothing: null,
      missing: undefined,
    };
    expect(redactValue(input)).toEqual(input);
  });

  it("never prints byte arrays, only their length", () => {
    const bytes = new TextEncoder().encode(MARKER);
    const buffer = Buffer.from(MARKER, "utf8");
    expect(redactValue(bytes)).toBe(`[${bytes.byteLength} bytes]`);
    expect(redactValue(buffer)).toBe(`[${buffer.byteLength} bytes]`);
    const out = dump({ blob: bytes, nested: { raw: buffer }, list: [bytes] });
    expect(out).not.toContain(MARKER);
    expect(out).not.toContain(buffer.toString("base64"));
    expect(out).not.toContain(buffer.toString("hex"));
    expect(JSON.parse(out)).toEqual({
      blob: `[${bytes.byteLength} bytes]`,
      nested: { raw: `[${buffer.byteLength} bytes]` },
      list: [`[${bytes.byteLength} bytes]`],
    });
  });

  it("scrubs secret shapes from string fields and array items", () => {
    const out = redactValue({
      message: `Bearer ${BEARER_TOKEN}`,
      url: `postgres://app:${DB_PASSWORD}@db/vault`,
      notes: [PEM, JWT, AWS_SECRET, CF_TOKEN],
    });
    expect(out).toEqual({
      message: REDACTED,
      url: `postgres://app:${REDACTED}@db/vault`,
      notes: [REDACTED, REDACTED, REDACTED, REDACTED],
    });
  });

  it("passes primitives through and scrubs plain strings", () => {
    expect(redactValue(5)).toBe(5);
    expect(redactValue(false)).toBe(false);
    expect(redactValue(null)).toBe(null);
    expect(redactValue(undefined)).toBe(undefined);
    expect(redactValue("plain")).toBe("plain");
    expect(redactValue(JWT)).toBe(REDACTED);
  });

  it("renders a Date as ISO text", () => {
    expect(redactValue({ at: new Date("2024-01-02T03:04:05.000Z") })).toEqual({ at: "2024-01-02T03:04:05.000Z" });
  });

  it("logs an Error with its type and message", () => {
    class KeyProviderRejectedError extends Error {
      override readonly name = "KeyProviderRejectedError";
    }
    const out = redactValue({ error: new KeyProviderRejectedError("key is disabled") }) as {
      error: Record<string, unknown>;
    };
    expect(out.error["type"]).toBe("KeyProviderRejectedError");
    expect(out.error["message"]).toBe("key is disabled");
    expect(typeof out.error["stack"]).toBe("string");
  });

  it("keeps an Error's code", () => {
    const error = Object.assign(new Error("refused"), { code: "ECONNREFUSED" });
    expect(redactValue(error)).toMatchObject({ type: "Error", message: "refused", code: "ECONNREFUSED" });
  });

  it("scrubs secrets from an Error's message, stack and cause", () => {
    const cause = new Error(`upstream said Bearer ${BEARER_TOKEN}`);
    const error = new Error(`connect postgres://app:${DB_PASSWORD}@db/vault failed with ${JWT}`, { cause });
    const out = redactValue({ error }) as { error: Record<string, unknown> };
    const text = JSON.stringify(out);
    expect(text).not.toContain("zq7x");
    expect(out.error["message"]).toBe(`connect postgres://app:${REDACTED}@db/vault failed with ${REDACTED}`);
    expect(String(out.error["stack"])).toContain(`postgres://app:${REDACTED}@db/vault`);
    expect(out.error["cause"]).toMatchObject({ type: "Error", message: `upstream said ${REDACTED}` });
  });

  it("scrubs a non-Error cause and redacts secret fields inside it", () => {
    const error = new Error("wrapped", { cause: { token: MARKER, detail: `key ${AWS_SECRET}` } });
    const out = redactValue(error) as Record<string, unknown>;
    expect(out["cause"]).toEqual({ token: REDACTED, detail: `key ${REDACTED}` });
    const stringCause = redactValue(new Error("wrapped", { cause: `Bearer ${BEARER_TOKEN}` })) as Record<string, unknown>;
    expect(stringCause["cause"]).toBe(REDACTED);
  });

  it("does not copy arbitrary own properties of an Error (they may hold secrets)", () => {
    const error = Object.assign(new Error("request failed"), { config: { headers: { "x-custom": MARKER } }, body: MARKER });
    expect(dump({ error })).not.toContain(MARKER);
  });

  it("does not crash on cycles", () => {
    const a: Record<string, unknown> = { name: "a" };
    a["self"] = a;
    const list: unknown[] = ["x"];
    list.push(list);
    const error = new Error("loop");
    (error as { cause?: unknown }).cause = error;
    expect(() => JSON.stringify(redactValue({ a, list, error }))).not.toThrow();
    const out = redactValue(a) as Record<string, unknown>;
    expect(out["name"]).toBe("a");
    expect(out["self"]).toBe("[…]");
  });

  it("cuts very deep structures instead of recursing without bound", () => {
    let deep: Record<string, unknown> = { leaf: MARKER };
    for (let i = 0; i < 50; i++) deep = { next: deep };
    const text = dump(deep);
    expect(text).toContain("[…]");
    expect(text).not.toContain(MARKER);
  });

  it("does not modify its input", () => {
    const input = { password: MARKER, nested: { token: MARKER, text: `Bearer ${BEARER_TOKEN}` } };
    const before = structuredClone(input);
    redactValue(input);
    expect(input).toEqual(before);
  });

  // A value referenced twice (not a cycle) is part of a deep copy; the
  // cycle guard must only cut real cycles (ancestors), not siblings.
  it("copies an object referenced twice without a cycle in both places", () => {
    const shared = { region: "us-east-1" };
    expect(redactValue({ before: shared, after: shared })).toEqual({ before: shared, after: shared });
  });

  it("leaves no planted secret anywhere in a mixed structure", () => {
    const value = {
      procedure: "/x/Y",
      credential: { accessKeyId: "AKIA...", secretAccessKey: MARKER },
      headers: { authorization: `Bearer ${MARKER}` },
      text: `see Bearer ${BEARER_TOKEN} and ${JWT}`,
      payload: new TextEncoder().encode(MARKER),
      blob: Buffer.from(MARKER),
      error: new Error(`failed: ${PEM}`, { cause: { privateKey: MARKER } }),
      list: [{ externalId: MARKER }, { wrappedKey: MARKER }, { ciphertext: MARKER }, { plaintext: MARKER }],
    };
    const text = dump(value);
    expect(text).not.toContain(MARKER);
    expect(text).not.toContain("zq7x");
    expect(text).toContain("/x/Y");
  });
});
