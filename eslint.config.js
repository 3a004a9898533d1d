// ESLint for static/js and the browser example in examples/browser (make lint). Browser scripts
// loaded by <script> tags, no bundler. (examples/typescript has its own, type-aware config.)
const js = require("@eslint/js");
const globals = require("globals");

module.exports = [
  { ignores: ["static/js/*.min.js", "staticfiles/**", "node_modules/**"] },
  js.configs.recommended,
  {
    files: ["static/js/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "script",
      globals: { ...globals.browser, htmx: "readonly" },
    },
    rules: {
      "no-unused-vars": ["error", { args: "none", caughtErrors: "none" }],
      eqeqeq: ["error", "smart"],
    },
  },
  {
    files: ["examples/browser/**/*.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: globals.browser },
    rules: { eqeqeq: ["error", "smart"] },
  },
];
