// Validates speedscope files against speedscope's own JSON schema
// (file-format-schema.json, shipped in the speedscope npm package) with
// ajv. Prints "ok" or each file's errors; exit 0 only when all are valid.
//
// usage: node speedscope_schema.mjs NODE_MODULES FILE...
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const [modules, ...files] = process.argv.slice(2);
const require = createRequire(join(modules, "noop.js"));
const Ajv = require("ajv");
const schema = JSON.parse(
  readFileSync(join(modules, "speedscope/dist/release/file-format-schema.json"), "utf8"));
const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(schema);
let bad = 0;
for (const f of files) {
  const doc = JSON.parse(readFileSync(f, "utf8"));
  if (!validate(doc)) {
    bad++;
    console.log(f + ": " + ajv.errorsText(validate.errors).slice(0, 2000));
  }
}
console.log(bad ? bad + " invalid" : "ok");
process.exit(bad ? 1 : 0);
