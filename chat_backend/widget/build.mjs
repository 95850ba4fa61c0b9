// Builds the widget that sites embed: a small loader and content-hashed chunks, minified and
// precompressed (gzip and brotli).
//
//   node build.mjs                  # writes into ../static (see below)
//   node build.mjs --outdir DIR     # writes the same tree into DIR instead (the bundle test compares)
//
// Output, relative to the output directory (chat_backend/static by default):
//   widget.js                        the loader (src/loader.js): one minified classic script, the one
//                                    URL sites embed; served revalidated (ETag, no-cache)
//   widget/chunks/<name>-<hash>.js   the ES-module chunks (entry src/main.js, split at every dynamic
//                                    import()); the hash is of the content, so they are cached for a year
//   *.gz, *.br                       each of the above precompressed (node's zlib: gzip level 9, brotli
//                                    quality 11), served when the browser accepts the encoding
//   widget/manifest.json             the loader, the entry chunk and every file the server may serve
//
// Chunks are written before the loader, which names the entry chunk. Old chunks are removed. The
// same sources (and the same Node.js zlib) always give the same bytes.

import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { build } from "esbuild";

const HERE = dirname(fileURLToPath(import.meta.url));
const SRC = join(HERE, "src");
const DEFAULT_OUT = join(HERE, "..", "static");
// Browsers with ES modules, dynamic import() and the other es2020 features the chunks use. Safari
// 14.1, not 14.0: esbuild cannot lower rrweb's destructuring (the preview recorder) for 14.0's bug.
const TARGET = ["es2020", "chrome80", "firefox80", "safari14.1"];

function outdirFromArgs(args) {
  const i = args.indexOf("--outdir");
  if (i < 0) return DEFAULT_OUT;
  if (!args[i + 1]) throw new Error("--outdir needs a path");
  return resolve(args[i + 1]);
}

const COMMON = {
  bundle: true,
  target: TARGET,
  // Class fields, which every browser of TARGET has (es2020 alone would lower them to a helper that
  // the entry and the preview recorder would then share as one more chunk on every page).
  supported: { "class-field": true, "class-static-field": true },
  platform: "browser",
  charset: "utf8",
  minify: true,
  legalComments: "none",
  logLevel: "warning",
  write: false,
};

function writeCompressed(path, bytes) {
  writeFileSync(path, bytes);
  writeFileSync(path + ".gz", gzipSync(bytes, { level: 9 }));
  writeFileSync(
    path + ".br",
    brotliCompressSync(bytes, {
      params: {
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      },
    }),
  );
}

const outdir = outdirFromArgs(process.argv.slice(2));
const chunkDir = join(outdir, "widget", "chunks");

const chunks = await build({
  ...COMMON,
  entryPoints: { main: join(SRC, "main.js") },
  outdir: chunkDir,
  format: "esm",
  splitting: true,
  entryNames: "[name]-[hash]",
  chunkNames: "[name]-[hash]",
  metafile: true,
});

let entry = null;
let entryImports = []; // the chunks the entry imports statically: the loader fetches them alongside
const names = [];
for (const file of chunks.outputFiles) {
  const name = basename(file.path);
  names.push(name);
  const meta = chunks.metafile.outputs[Object.keys(chunks.metafile.outputs).find((p) => p.endsWith("/" + name))];
  // Chunks split off at a dynamic import() are entry points too: the entry is src/main.js's.
  if (meta && meta.entryPoint && meta.entryPoint.replace(/\\/g, "/").endsWith("src/main.js")) {
    entry = name;
    entryImports = meta.imports.filter((i) => i.kind === "import-statement").map((i) => basename(i.path)).sort();
  }
}
if (!entry) throw new Error("the entry chunk is missing from esbuild's output");
names.sort();

rmSync(chunkDir, { recursive: true, force: true });
mkdirSync(chunkDir, { recursive: true });
for (const file of chunks.outputFiles) writeCompressed(join(chunkDir, basename(file.path)), file.contents);

const loader = await build({
  ...COMMON,
  entryPoints: [join(SRC, "loader.js")],
  outfile: join(outdir, "widget.js"),
  format: "iife",
  define: { __WIDGET_ENTRY__: JSON.stringify(entry), __WIDGET_PRELOAD__: JSON.stringify(entryImports) },
  banner: { js: "/*! Live chat widget loader; sources: chat_backend/widget/src, docs/widget.md */" },
});
const loaderBytes = loader.outputFiles[0].contents;
writeCompressed(join(outdir, "widget.js"), loaderBytes);

const sha = (bytes) => createHash("sha256").update(bytes).digest("hex");
const manifest = {
  loader: { file: "widget.js", sha256: sha(loaderBytes) },
  entry: entry,
  chunks: Object.fromEntries(
    names.map((name) => [name, sha(chunks.outputFiles.find((f) => basename(f.path) === name).contents)]),
  ),
};
writeFileSync(join(outdir, "widget", "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");

// Nothing else under widget/ (a stale file there would never be served, but would confuse).
for (const name of readdirSync(join(outdir, "widget"))) {
  if (name !== "chunks" && name !== "manifest.json") rmSync(join(outdir, "widget", name), { recursive: true });
}
