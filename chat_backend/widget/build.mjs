// Bundles src/main.js into the one file sites embed, chat_backend/static/widget.js.
//
//   node build.mjs                   # writes ../static/widget.js
//   node build.mjs --outfile PATH    # writes PATH instead (the bundle test compares the two)
//
// One IIFE, es2019, not minified (to minify: `minify: true` below); the header comment of src/main.js
// goes on top, followed by "use strict" (modules are strict; the bundle is a classic script and
// stays so). The same sources always give the same bytes.

import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const HERE = dirname(fileURLToPath(import.meta.url));
const ENTRY = join(HERE, "src", "main.js");
const DEFAULT_OUT = join(HERE, "..", "static", "widget.js");

function outfileFromArgs(args) {
  const i = args.indexOf("--outfile");
  if (i < 0) return DEFAULT_OUT;
  if (!args[i + 1]) throw new Error("--outfile needs a path");
  return resolve(args[i + 1]);
}

// The entry module's leading /*! ... */ comment: usage, site API, security rules.
function headerComment() {
  const match = /^\/\*![\s\S]*?\*\//.exec(readFileSync(ENTRY, "utf8"));
  if (!match) throw new Error("src/main.js must start with its /*! header comment */");
  return match[0];
}

await build({
  entryPoints: [ENTRY],
  outfile: outfileFromArgs(process.argv.slice(2)),
  bundle: true,
  format: "iife",
  target: "es2019",
  platform: "browser",
  charset: "utf8",
  minify: false,
  legalComments: "none",
  banner: { js: headerComment() + '\n"use strict";' },
  logLevel: "warning",
});
