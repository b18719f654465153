// Bundles the compiled CLI (dist/src/main.js, from `tsc -b`) and everything
// it imports into one self-contained dist/planton.mjs: the published package
// then has no dependencies at all, and no workspace package is needed at run
// time. The bundled packages' license notices are appended to the file.
import { build } from "esbuild";
import { appendFile, chmod, readFile, readdir, stat } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outfile = join(root, "dist", "planton.mjs");
const pkg = JSON.parse(await readFile(join(root, "package.json"), "utf8"));

const result = await build({
  entryPoints: [join(root, "dist", "src", "main.js")],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  target: `node${pkg.engines.node.replace(/^>=/, "")}`,
  minify: true,
  legalComments: "none",
  metafile: true,
  logLevel: "warning",
  plugins: [pureInquirerPrompts()],
  // Some bundled dependencies are CommonJS and call require() for Node's
  // built-in modules; an ES module has no require, so give it one.
  banner: {
    js: [
      "#!/usr/bin/env node",
      'import { createRequire as __plantonCreateRequire } from "node:module";',
      "const require = __plantonCreateRequire(import.meta.url);",
    ].join("\n"),
  },
});

// Everything but Node's built-ins must be inside the bundle.
const external = Object.values(result.metafile.outputs)
  .flatMap((output) => output.imports)
  .filter((i) => i.external && !i.path.startsWith("node:") && !isBuiltin(i.path));
if (external.length > 0) {
  throw new Error(`the bundle still imports ${external.map((i) => i.path).join(", ")}`);
}

const bundledInputs = Object.values(result.metafile.outputs).flatMap((output) =>
  Object.entries(output.inputs)
    .filter(([, use]) => use.bytesInOutput > 0)
    .map(([path]) => path),
);
await appendFile(outfile, await licenseNotices(bundledInputs));
// bin/planton.mjs imports it; executable too, so it also runs on its own.
await chmod(outfile, 0o755);
const { size } = await stat(outfile);
console.log(`bundled ${relative(process.cwd(), outfile)} (${(size / 1024).toFixed(0)} KiB)`);

// @inquirer/prompts re-exports every prompt; the CLI uses four. Its modules
// only define functions, but their packages do not say so ("sideEffects"),
// so without this the unused editor prompt drags in iconv-lite (~500 KiB).
function pureInquirerPrompts() {
  return {
    name: "pure-inquirer-prompts",
    setup(b) {
      b.onResolve({ filter: /^@inquirer\// }, async (args) => {
        if (args.pluginData?.pureInquirer) return undefined;
        const resolved = await b.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: { pureInquirer: true },
        });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        return { path: resolved.path, sideEffects: false };
      });
    },
  };
}

function isBuiltin(path) {
  return [
    "assert",
    "buffer",
    "child_process",
    "events",
    "fs",
    "http",
    "http2",
    "https",
    "net",
    "os",
    "path",
    "process",
    "readline",
    "stream",
    "string_decoder",
    "tls",
    "tty",
    "url",
    "util",
    "zlib",
  ].includes(path.split("/")[0]);
}

// One notice per bundled package: name, version, license and its LICENSE file.
async function licenseNotices(inputs) {
  const packageDirs = new Set();
  for (const input of inputs) {
    const absolute = resolve(process.cwd(), input);
    const marker = `${sep}node_modules${sep}`;
    const at = absolute.lastIndexOf(marker);
    if (at < 0) continue;
    const rest = absolute.slice(at + marker.length).split(sep);
    const name = rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
    packageDirs.add(absolute.slice(0, at + marker.length) + name.split("/").join(sep));
  }
  const notices = [];
  for (const dir of [...packageDirs].sort()) {
    const meta = JSON.parse(await readFile(join(dir, "package.json"), "utf8"));
    if (meta.name?.startsWith("@planton/")) continue;
    const licenseFile = (await readdir(dir)).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    const text = licenseFile ? (await readFile(join(dir, licenseFile), "utf8")).trim() : `License: ${meta.license}`;
    notices.push(`${meta.name}@${meta.version} (${meta.license})\n\n${text}`);
  }
  const body = notices.join(`\n\n${"-".repeat(72)}\n\n`).replaceAll("*/", "* /");
  return `\n/*\nThird-party software bundled in this file, with its license notices:\n\n${body}\n*/\n`;
}
