import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Flat config replaces a rule's options per file, so the core's block repeats this pattern.
const SHIPS_ALONE = {
  group: ['**/testkit/**', '**/tools/**', '**/test/**'],
  message: 'src/ ships alone: it must not import testkit/, tools/ or test/.',
};

/** What src/core may not import: it is pure, and it ships alone. */
const CORE_PATTERNS = [
  SHIPS_ALONE,
  {
    group: [
      'node:fs*',
      'fs',
      'fs/*',
      'node:process',
      'process',
      'node:child_process',
      'node:net',
      'node:http*',
    ],
    message: 'src/core is pure: do I/O in an adapter.',
  },
  {
    group: ['@octokit/*', '@actions/*', 'probot'],
    message: 'src/core must not talk to GitHub.',
  },
];

export default tseslint.config(
  { ignores: ['dist/', 'lib/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  // Type-aware: the app must fail closed, and a promise nobody awaits fails open.
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      // On in recommendedTypeChecked already; named here so that no later block turns them off.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // An async function without await is how a promise-returning interface turns throws into rejections.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Tests read JSON.parse results and jest's asymmetric matchers (expect.any, ...), both typed
    // any; a wrong shape there fails the assertion that reads it.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
  {
    // Plain JavaScript (configs, bin, build and docs scripts) is outside the TypeScript project.
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    // src/ ships: it may not import what tests, the demo and the benchmarks share.
    files: ['src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [SHIPS_ALONE] }] },
  },
  {
    // The core is pure: no I/O, no GitHub clients, no process state.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: CORE_PATTERNS }],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'src/core is pure: pass values in.' },
      ],
    },
  },
  {
    // The plan reader does not know the risk rules: the callers pass in what the rules read.
    files: ['src/core/plan/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...CORE_PATTERNS,
            {
              group: ['**/risk/*'],
              message:
                'src/core/plan must not import the risk rules: take what they read (ValueReads) as an option.',
            },
          ],
        },
      ],
    },
  },
);
