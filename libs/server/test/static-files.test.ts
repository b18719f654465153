import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStaticFiles } from "../src/static-files.js";

let root: string;
let server: Server;
let base: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "static-files-"));
  mkdirSync(join(root, "assets"));
  writeFileSync(join(root, "index.html"), "<!doctype html><title>console</title>");
  writeFileSync(join(root, "assets", "index-abc123.js"), "console.log(1)");
  writeFileSync(join(root, "assets", "index-abc123.css"), "body{}");
  writeFileSync(join(root, "favicon.svg"), "<svg/>");
  // A secret beside the console must never be reachable.
  writeFileSync(join(tmpdir(), "static-files-secret.txt"), "secret");
  const files = createStaticFiles({ root, connectOrigins: ["https://api.example.com"] })!;
  server = createServer((req, res) => void files.handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(root, { recursive: true, force: true });
});

/** A raw GET whose path is sent exactly as written (fetch would normalise `..`). */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/`, { path, method: "GET" }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("createStaticFiles", () => {
  it("serves index.html at / with the security headers and no-cache", async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("connect-src 'self' https://api.example.com");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await res.text()).toContain("<title>console</title>");
  });

  it("serves hashed assets with their content type and a long immutable cache", async () => {
    const js = await fetch(`${base}/assets/index-abc123.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(await js.text()).toBe("console.log(1)");
    const css = await fetch(`${base}/assets/index-abc123.css`);
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    const svg = await fetch(`${base}/favicon.svg`);
    expect(svg.headers.get("content-type")).toBe("image/svg+xml");
    expect(svg.headers.get("cache-control")).toBe("no-cache");
  });

  it("answers client routes with index.html (SPA fallback)", async () => {
    for (const path of ["/connections", "/connections/aws-production", "/runners?x=1"]) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(200);
      expect(await res.text()).toContain("<title>console</title>");
    }
  });

  it("answers 404 for missing files, unknown RPC paths and other methods", async () => {
    expect((await fetch(`${base}/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${base}/planton.connect.v1.Nope/Get`)).status).toBe(404);
    expect((await fetch(`${base}/connections`, { method: "POST", body: "x" })).status).toBe(404);
    const head = await fetch(`${base}/`, { method: "HEAD" });
    expect(head.status).toBe(200);
  });

  it("refuses path traversal before any lookup", async () => {
    for (const path of [
      "/../static-files-secret.txt",
      "/assets/../../static-files-secret.txt",
      "/%2e%2e/static-files-secret.txt",
      "/..%2fstatic-files-secret.txt",
      "/a%00b",
      "/..\\static-files-secret.txt",
    ]) {
      const res = await rawGet(path);
      expect(res.status, path).toBe(400);
      expect(res.body).not.toContain("secret");
    }
  });

  it("serves the page's start configuration as /config.json when given", async () => {
    const files = createStaticFiles({ root, config: { oidcIssuer: "https://id.example.com", oidcClientId: "console" } })!;
    const configured = createServer((req, res) => void files.handle(req, res));
    await new Promise<void>((resolve) => configured.listen(0, "127.0.0.1", resolve));
    const address = configured.address();
    const res = await fetch(`http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}/config.json`);
    await new Promise((resolve) => configured.close(resolve));
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(await res.json()).toEqual({ oidcIssuer: "https://id.example.com", oidcClientId: "console" });
    // Without it, no such file.
    expect((await fetch(`${base}/config.json`)).status).toBe(404);
  });

  it("is absent when the console was not built, and refuses a connect origin that is not an origin", () => {
    expect(createStaticFiles({ root: join(root, "nope") })).toBeUndefined();
    expect(() => createStaticFiles({ root, connectOrigins: ["https://x.example; script-src *"] })).toThrow(/not an origin/);
  });
});
