import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";
import type { HttpRoute } from "./http-route.js";

/** Options of {@link createStaticFiles}. */
export interface StaticFilesOptions {
  /** A built single-page app (e.g. `web/dist`): its index.html and assets. */
  readonly root: string;
  /**
   * Origins the page may call besides its own (its API when served from
   * elsewhere, an OIDC issuer), added to the CSP's `connect-src`.
   */
  readonly connectOrigins?: readonly string[];
  /**
   * Served as `/config.json` (no-cache), replacing any such file: what the
   * page needs to know at start, e.g. its OIDC issuer and client id. Never a secret.
   */
  readonly config?: Readonly<Record<string, string>>;
}

/** A loaded single-page app, answering the requests no RPC or HTTP route took. */
export interface StaticFiles {
  /** How many files were loaded. */
  readonly files: number;
  /** Serves a GET or HEAD; anything else gets 404 like before. */
  readonly handle: HttpRoute["handle"];
}

interface StaticFile {
  readonly body: Buffer;
  readonly type: string;
  readonly cacheControl: string;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json; charset=utf-8",
};

// Vite puts content-hashed names under assets/: a changed file gets a new name.
const IMMUTABLE = "public, max-age=31536000, immutable";
const REVALIDATE = "no-cache";

/**
 * createStaticFiles loads a built single-page app into memory once (a few
 * hundred KB) and serves it: a known file with its content type, long-cached
 * when content-hashed (`/assets/`), and `index.html` (never cached without
 * revalidation) for every other GET path without a file extension, so
 * client-side routes survive a reload. Only files found under `root` at start
 * can ever be answered, and a path with `..`, a backslash or NUL is refused
 * before any lookup. Every answer carries the console's security headers: a
 * CSP without inline script or `eval` and with `frame-ancestors 'none'`,
 * `Referrer-Policy: no-referrer`, `X-Content-Type-Options: nosniff`.
 * Returns undefined when `root` has no index.html (the console was not built);
 * throws when a connect origin is not a bare origin.
 */
export function createStaticFiles(options: StaticFilesOptions): StaticFiles | undefined {
  let index: Buffer;
  try {
    index = readFileSync(join(options.root, "index.html"));
  } catch {
    return undefined;
  }
  const files = new Map<string, StaticFile>();
  for (const path of walk(options.root)) {
    const name = `/${relative(options.root, path).split(sep).join("/")}`;
    files.set(name, {
      body: readFileSync(path),
      type: CONTENT_TYPES[extname(path).toLowerCase()] ?? "application/octet-stream",
      cacheControl: name.startsWith("/assets/") ? IMMUTABLE : REVALIDATE,
    });
  }
  if (options.config !== undefined) {
    files.set("/config.json", { body: Buffer.from(JSON.stringify(options.config)), type: CONTENT_TYPES[".json"]!, cacheControl: REVALIDATE });
  }
  const indexFile: StaticFile = { body: index, type: CONTENT_TYPES[".html"]!, cacheControl: REVALIDATE };
  for (const origin of options.connectOrigins ?? []) {
    // Each one lands in a header: only a bare origin, never a directive.
    if (!URL.canParse(origin) || new URL(origin).origin !== origin)
      throw new Error(`console connect origin "${origin}" is not an origin such as https://api.example.com`);
  }
  const headers = securityHeaders(options.connectOrigins ?? []);
  return {
    files: files.size,
    handle(req, res) {
      const method = req.method ?? "";
      const raw = (req.url ?? "/").split("?")[0] ?? "/";
      let path: string;
      try {
        path = decodeURIComponent(raw);
      } catch {
        path = "\0";
      }
      const refused = method !== "GET" && method !== "HEAD" ? 404 : unsafe(path) ? 400 : undefined;
      // An unknown path with an extension is a missing file, and one under a
      // dotted first segment (`/planton.connect.v1.X/...`) an unknown RPC:
      // neither is a client route.
      const clientRoute = extname(path) === "" && !(path.split("/")[1] ?? "").includes(".");
      const file = refused === undefined ? (files.get(path) ?? (clientRoute ? indexFile : undefined)) : undefined;
      if (file === undefined) {
        res.writeHead(refused ?? 404, { ...headers, "content-type": "text/plain; charset=utf-8" });
        res.end();
        return;
      }
      res.writeHead(200, { ...headers, "content-type": file.type, "content-length": String(file.body.length), "cache-control": file.cacheControl });
      if (method === "HEAD") res.end();
      else res.end(file.body);
    },
  };
}

/** The headers of every console response. */
export function securityHeaders(connectOrigins: readonly string[]): Record<string, string> {
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src ${["'self'", ...connectOrigins].join(" ")}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
  return {
    "content-security-policy": csp,
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
  };
}

function unsafe(path: string): boolean {
  return !path.startsWith("/") || path.includes("\0") || path.includes("\\") || path.split("/").some((segment) => segment === "..");
}

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}
