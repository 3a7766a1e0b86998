// Lint rules, chiefly the one-way import direction of ARCHITECTURE.md section 3:
// definitions/events/errors import nothing else of Weir; graph/plan/checks/project/materialize
// build on them; execution drives work only through the engine, storage and connector
// interfaces; concrete engines and stores are wired in by the apps; `weir` imports core's
// public entry only.
import tseslint from 'typescript-eslint';

const layer = (files, forbidden) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: forbidden.map(([regex, why]) => ({ regex, message: `import direction: ${why} (see ARCHITECTURE.md section 3)` })),
      },
    ],
  },
});

const CONCRETE = '(^|/)(engines/(duckdb|postgres)|storage/(sqlite|postgres))/';
const UPPER = '(^|/)(execution|materialize|testing)/';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'scratch/**', '**/*.js', '**/*.mjs', 'test-results/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportAllDeclaration', message: 'no `export *` barrels: export names explicitly' },
        { selector: 'ExportDefaultDeclaration', message: 'no default exports' },
      ],
    },
  },
  layer(
    ['packages/core/src/definitions/**/*.ts', 'packages/core/src/events/**/*.ts', 'packages/core/src/errors/**/*.ts'],
    [['^\\.\\./(?!(definitions|events|errors)/)', 'definitions, events and errors import nothing else of Weir']],
  ),
  layer(
    ['packages/core/src/{graph,plan,checks,project}/**/*.ts'],
    [
      [UPPER, 'graph, plan, checks and project sit below execution and materialize'],
      [CONCRETE, 'only the apps wire concrete engines and stores'],
    ],
  ),
  layer(['packages/core/src/materialize/**/*.ts'], [['(^|/)(execution|testing)/', 'materialize sits below execution'], [CONCRETE, 'only the apps wire concrete engines and stores']]),
  layer(['packages/core/src/model-tests/**/*.ts'], [['(^|/)testing/', 'model tests run on the engine interface, beside execution'], [CONCRETE, 'only the apps wire concrete engines and stores']]),
  layer(['packages/core/src/{execution,connectors}/**/*.ts'], [[CONCRETE, 'execution drives work only through the interfaces; the apps wire concrete engines and stores']]),
  layer(['packages/core/src/{engines,storage}/**/*.ts'], [['(^|/)(execution|materialize|plan|graph|project)/', 'engines and stores implement interfaces; they know nothing of runs']]),
  layer(['packages/weir/src/**/*.ts'], [['^@weir/core/', "import core's public entry '@weir/core' only"], ['packages/core', "import core's public entry '@weir/core' only"]]),
  {
    // Tool configuration files must default-export their config.
    files: ['*.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['**/*.test.ts', 'packages/core/src/testing/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  // The web app talks to the server's API only: from core it may import the API types, nothing that runs.
  {
    files: ['packages/web/**/*.ts', 'packages/web/**/*.tsx'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [{ name: '@weir/core', message: 'the web app imports only the API types (import type)', allowTypeImports: true }] }],
    },
  },
  // Vite finds its config by its default export.
  { files: ['packages/web/vite.config.ts'], rules: { 'no-restricted-syntax': 'off' } },
);
