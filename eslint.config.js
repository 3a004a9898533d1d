// ESLint for static/js (make lint). Browser scripts loaded by <script> tags, no bundler.
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
];
