// @ts-check
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

export default defineConfig(
  {
    ignores: ["dist/", "node_modules/", "coverage/", ".data/", "test/fixtures/"],
  },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // Root config files sit outside tsconfig.json's include; the default project still types them.
        projectService: { allowDefaultProject: ["eslint.config.js"] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      // Leaving out keys with a rest pattern (`const { a: _a, ...rest } = node`) is how objects are copied without them.
      "@typescript-eslint/no-unused-vars": ["error", { ignoreRestSiblings: true }],
      // A `let` read by a closure before its one assignment cannot be a `const`: the read would hit the temporal dead zone.
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
      // Combining marks written as \u escapes cannot be mistaken for one character in the source.
      "no-misleading-character-class": ["error", { allowEscape: true }],
    },
  },
  {
    // Tests and benches read raw JSON from fake servers and fixtures; typing every field there costs more than it catches.
    files: ["test/**", "bench/**"],
    rules: {
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-return": "off",
    },
  },
);
