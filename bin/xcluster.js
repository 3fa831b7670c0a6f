#!/usr/bin/env node
// The compiled CLI (built by `npm ci`/`npm run build` into dist/). From a checkout without a build,
// fall back to transpiling the TypeScript sources on the fly so the command still works.
"use strict";
const path = require("path");
const fs = require("fs");
const compiled = path.join(__dirname, "..", "dist", "cli", "main.js");
let entry = compiled;
if (process.env.XCLUSTER_FROM_SOURCE === "1" || !fs.existsSync(compiled)) {
  require("ts-node").register({ transpileOnly: true, project: path.join(__dirname, "..", "tsconfig.json") });
  entry = path.join(__dirname, "..", "cli", "main.ts");
}
require(entry)
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
