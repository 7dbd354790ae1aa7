#!/usr/bin/env bash
# Bundles the page's script (CodeMirror 6 + src/*.js) into app.js, and collects the
# licences of everything bundled into LICENSES.txt. Run at development time only:
#   cd tushuo/serve/web && npm ci && ./build.sh
# app.js and LICENSES.txt are committed; the wheel carries them, so users need no npm.
set -euo pipefail
cd "$(dirname "$0")"
npx esbuild src/main.js --bundle --minify --format=iife --target=es2020 --legal-comments=none --outfile=app.js
node -e '
const fs = require("fs"), path = require("path");
const seen = new Set(), out = ["Third-party code bundled in app.js (tushuo serve). Each licence as shipped by the package.\n"];
const meta = JSON.parse(fs.readFileSync("node_modules/.package-lock.json", "utf8")).packages;
for (const [dir, info] of Object.entries(meta).sort()) {
  if (!dir || info.dev && /esbuild/.test(dir)) continue;
  const name = dir.replace(/^.*node_modules\//, "");
  if (seen.has(name) || /esbuild/.test(name)) continue;
  seen.add(name);
  const lic = fs.readdirSync(dir).find((f) => /^licen[cs]e/i.test(f));
  out.push("=".repeat(72), `${name} ${info.version} (${info.license})`, "=".repeat(72));
  out.push(lic ? fs.readFileSync(path.join(dir, lic), "utf8").trim() : `License: ${info.license}`, "");
}
fs.writeFileSync("LICENSES.txt", out.join("\n") + "\n");
'
ls -l app.js LICENSES.txt
