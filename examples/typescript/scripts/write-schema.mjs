// Writes ResolutionFlow's OpenAPI schema to a file with `manage.py spectacular --file`, the
// same document the server publishes at /api/v1/schema/.
//
//   node scripts/write-schema.mjs <output.yaml>
//
// The environment is fixed here (and only here) so the file does not depend on the shell it
// is run from: the staleness test (tests/examples/test_typescript_client.py) runs this
// script too and compares its output with the committed openapi.yaml. PYTHON names the
// interpreter (default: the repository's .venv).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..", "..", "..");
const output = process.argv[2];
if (!output) {
  console.error("usage: node scripts/write-schema.mjs <output.yaml>");
  process.exit(2);
}
const python = process.env.PYTHON ?? path.join(root, ".venv", "bin", "python");
if (!existsSync(python)) {
  console.error(`No Python at ${python}: run \`make install\` at the repository root, or set PYTHON.`);
  process.exit(2);
}
const env = {
  PATH: process.env.PATH ?? "",
  HOME: process.env.HOME ?? "",
  DJANGO_SETTINGS_MODULE: "resolutionflow.settings",
  DEBUG: "true",
  SITE_URL: "http://127.0.0.1:8000",
};
const done = spawnSync(python, ["manage.py", "spectacular", "--validate", "--file", path.resolve(output)], {
  cwd: root,
  env,
  stdio: "inherit",
});
if (done.error) {
  console.error(done.error.message);
  process.exit(1);
}
process.exit(done.status ?? 1);
