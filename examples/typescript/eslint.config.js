// The example's promise, "no casts, no any", is checked here: typescript-eslint's strict
// type-checked rules (no `any` coming in from anywhere, no unsafe member access), and no type
// assertion in any form (`x as T`, `<T>x`, `as const`) or non-null assertion (`x!`).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", ".build/", "node_modules/", "src/schema.d.ts"] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/consistent-type-assertions": ["error", { assertionStyle: "never" }],
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-non-null-assertion": "error",
      // consistent-type-assertions lets `as const` through; this does not.
      "no-restricted-syntax": [
        "error",
        { selector: "TSAsExpression", message: "No `as`: narrow the value with a check instead." },
        { selector: "TSTypeAssertion", message: "No `<T>` assertions: narrow the value with a check instead." },
      ],
    },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: "readonly", console: "readonly" } },
  },
);
