// ESLint 9 flat config.
//
// - @eslint/js recommended, typescript-eslint's type-checked and stylistic rules, and the
//   promise plugin for every TypeScript file;
// - all 26 rules of @microsoft/eslint-plugin-power-apps (Microsoft's solution-checker rules) as
//   errors for the code that runs inside Dynamics 365 (web resource scripts and pages): the
//   21 of `paCheckerHosted` plus the 5 it omits;
// - only src/xrm/ and the web resource entry files (src/scripts/) may touch the global `Xrm`.
import js from "@eslint/js";
import powerApps from "@microsoft/eslint-plugin-power-apps";
import promise from "eslint-plugin-promise";
import globals from "globals";
import tseslint from "typescript-eslint";

const powerAppsRules = Object.fromEntries(
  Object.keys(powerApps.rules).map((name) => [`@microsoft/power-apps/${name}`, "error"]),
);
if (Object.keys(powerAppsRules).length !== 26) {
  throw new Error(
    `eslint.config.mjs: expected the 26 rules of @microsoft/eslint-plugin-power-apps, found ${Object.keys(powerAppsRules).length}`,
  );
}

/** Code that runs in the browser inside Dynamics 365. */
const webResourceFiles = ["src/**/*.ts"];
const nodeFiles = ["src/service/**/*.ts", "src/packaging/**/*.ts", "test/**/*.ts", "*.mjs", "*.config.ts"];

export default tseslint.config(
  {
    ignores: ["node_modules/", "dist/", "coverage/", "test-output/", "spool/", "webresources/**/*.js"],
  },
  js.configs.recommended,
  {
    files: ["**/*.ts"],
    extends: [
      ...tseslint.configs.recommendedTypeChecked,
      ...tseslint.configs.stylisticTypeChecked,
      promise.configs["flat/recommended"],
    ],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/explicit-module-boundary-types": "error",
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/switch-exhaustiveness-check": "error",
      eqeqeq: ["error", "always"],
      "no-console": "off",
    },
  },
  {
    files: webResourceFiles,
    ignores: ["src/service/**", "src/packaging/**"],
    plugins: { "@microsoft/power-apps": powerApps },
    languageOptions: { globals: { ...globals.browser, Xrm: "readonly", GetGlobalContext: "readonly" } },
    settings: { ...powerApps.configs.paCheckerHosted.settings },
    rules: {
      ...powerAppsRules,
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["node:*", "fs", "path", "http", "https", "crypto"], message: "Web resource code runs in the browser." },
            {
              group: ["**/model/schema"],
              message: "Import the table's own module (src/model/<table>.ts) as a namespace: the schema index carries every fact of every table it names into the bundle.",
            },
          ],
        },
      ],
    },
  },
  {
    files: webResourceFiles,
    ignores: ["src/xrm/**", "src/scripts/**", "src/service/**", "src/packaging/**"],
    rules: {
      "no-restricted-globals": [
        "error",
        { name: "Xrm", message: "Only src/xrm/ adapters and src/scripts/ entry files touch the global Xrm; take what you need as a parameter." },
      ],
    },
  },
  {
    files: nodeFiles,
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ["**/*.mjs"],
    languageOptions: { globals: { ...globals.node }, sourceType: "module" },
  },
);
