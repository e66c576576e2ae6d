// Lint rules: typescript-eslint's type-aware recommended set (a promise nobody
// awaits or handles is an error), with formatting left to prettier.
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", ".data/", "test/support/api-types.ts", "coverage/", "web/dist/", "web/src/api/*.gen.ts", "test-results/"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // `void promise` hides a rejection as well as no handling at all: a promise either is awaited or handles its failure.
      // A knex builder is thenable but runs only when awaited: building one in a callback is not a promise left behind.
      "@typescript-eslint/no-floating-promises": [
        "error",
        { ignoreVoid: false, allowForKnownSafePromises: [{ from: "package", name: ["QueryBuilder", "QueryInterface"], package: "knex" }] },
      ],
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
      // Moleculer handlers and hooks, and the ports our modules implement, are async by contract even when
      // one of them has nothing to wait for.
      "@typescript-eslint/require-await": "off",
    },
  },
  {
    // XState declares a machine's types as `types: {} as {...}`: the rule would strip the assertion (and the types).
    files: ["**/*.machine.ts"],
    rules: { "@typescript-eslint/no-unnecessary-type-assertion": "off" },
  },
  {
    // Tests (and the benchmarks, reading raw driver rows) read answers as `any` on purpose (the harness checks them against the contract, and the typed
    // client in test/support/api-client.ts is there for code that wants types); the unsafe-any family
    // would only flag that choice.
    files: ["test/**/*.ts", "bench/**/*.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      // They load services by file name once their environment is set, and print whatever they got.
      "@typescript-eslint/no-require-imports": "off",
      "@typescript-eslint/no-base-to-string": "off",
      "@typescript-eslint/restrict-template-expressions": "off",
    },
  },
  {
    // The web console (React): the rules of hooks.
    files: ["web/src/**/*.{ts,tsx}"],
    extends: [reactHooks.configs.flat["recommended-latest"]],
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        require: "readonly",
        module: "writable",
        __dirname: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
      },
    },
  },
  {
    // The few plain scripts (the dev runner, test child processes) are CommonJS.
    files: ["**/*.js"],
    languageOptions: { sourceType: "commonjs" },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  prettier,
);
