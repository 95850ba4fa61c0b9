// Builds the rrweb replayer the operator app's live preview runs (operator_app/ui/preview/): rrweb's
// `Replayer` alone, as one minified classic script setting `window.rrwebReplayer`, with rrweb's MIT
// licence kept beside it (rrweb-LICENSE.txt). The app loads it from its own files, never remotely.
//
//   node build_replayer.mjs [--outdir DIR]   # default: operator_app/ui/preview

import { copyFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const HERE = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const i = args.indexOf("--outdir");
const outdir = i >= 0 ? resolve(args[i + 1]) : join(HERE, "..", "..", "operator_app", "ui", "preview");

const result = await build({
  stdin: {
    contents: 'import { Replayer } from "rrweb"; window.rrwebReplayer = Replayer;',
    resolveDir: HERE,
    loader: "js",
  },
  bundle: true,
  format: "iife",
  target: ["chrome108"], // the Chromium of QtWebEngine 6.5 and later
  minify: true,
  legalComments: "none",
  banner: { js: "/*! rrweb Replayer (MIT licence: rrweb-LICENSE.txt) */" },
  write: false,
  logLevel: "warning",
});
writeFileSync(join(outdir, "rrweb_replayer.js"), result.outputFiles[0].contents);
copyFileSync(join(HERE, "node_modules", "rrweb", "dist", "style.min.css"), join(outdir, "rrweb_replayer.css"));
