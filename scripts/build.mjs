// npm run build: compile the CLI and app to lib/, bundle the Action to dist/, publish the config
// schema. One script so `npm run build` is the only way these artifacts are made. lib/ is what
// the npm package and the Docker image ship; the Action runs only from its bundle, so
// tsconfig.build.json leaves src/action out of lib/ (and its @actions/* dependencies out of both).
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('lib', { recursive: true, force: true });
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
  stdio: 'inherit',
});

const { CONFIG_SCHEMA } = await import('../lib/core/config.js');
mkdirSync('schema', { recursive: true });
writeFileSync('schema/applygate.schema.json', `${JSON.stringify(CONFIG_SCHEMA, null, 2)}\n`);

/**
 * Node's built-in modules through process.getBuiltinModule instead of `import`: importing one as
 * ESM builds its facade, which reads every export, so `import { readFileSync } from 'node:fs'`
 * also loads fs/promises and readline, and `node:crypto` webcrypto: about 9 ms of CPU and 2 MB
 * of every CLI start (measured 2026-12-08). Each name is read when the bundle starts, as an
 * import would bind it; names nothing uses are dropped (the reads are marked pure).
 */
const builtinsWithoutFacade = {
  name: 'builtins-without-facade',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (a) => ({ path: a.path, namespace: 'builtin' }));
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, async (a) => {
      const names = Object.keys(await import(a.path)).filter(
        (k) => k !== 'default' && /^[A-Za-z_$][\w$]*$/.test(k),
      );
      const m = `process.getBuiltinModule(${JSON.stringify(a.path)})`;
      return {
        loader: 'js',
        contents: [
          `const m = ${m};`,
          'export default m;',
          ...names.map((n) => `export const ${n} = /* @__PURE__ */ (() => m.${n})();`),
        ].join('\n'),
      };
    });
  },
};

// The CLI is one file with its dependencies: a process that summarizes a 3 MB plan spends a
// third of its time starting, and resolving and compiling ~30 modules was most of that.
await build({
  entryPoints: ['src/cli/index.ts'],
  bundle: true,
  // The guard's shell parser loads WebAssembly files that sit beside these modules.
  external: ['web-tree-sitter', 'tree-sitter-bash'],
  platform: 'node',
  target: 'node22',
  format: 'esm',
  // What `summarize` and `check` do not run is left in chunks beside index.js, loaded by the
  // dynamic imports that need them: the policy engine (@bufbuild/cel, for a config with
  // policies), the guard and its GitHub client, `projects`. V8 compiles only what a process
  // loads: a summarize without policies no longer compiles and initialises half a megabyte of
  // code it never runs (docs/benchmarks.md). The chunks sit in lib/cli/ itself, so paths the
  // guard resolves from import.meta.url (../guard/claude-hook.js) stay what they were.
  plugins: [builtinsWithoutFacade],
  splitting: true,
  outdir: 'lib/cli',
  entryNames: '[name]',
  chunkNames: '[name]-[hash]',
  legalComments: 'none',
  logLevel: 'warning',
  // Start-up again: whitespace and comments out (547 -> 404 kB) and pure ASCII, which V8 reads
  // as one-byte text: about 7 ms less decoding and compiling per run (measured with
  // --cpu-prof, 2026-11-25), which is 4% of summarizing a 1,000-change plan. Names are kept
  // (no minifyIdentifiers), so a stack trace still names its functions.
  minifyWhitespace: true,
  minifySyntax: true,
  charset: 'ascii',
});

await build({
  entryPoints: ['src/action/index.ts'],
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  outfile: 'dist/index.js',
  legalComments: 'none',
  logLevel: 'warning',
  // @actions/core pulls the CommonJS `tunnel` package, which calls require().
  banner: {
    js: "import {createRequire as __applygateCreateRequire} from 'node:module'; const require = __applygateCreateRequire(import.meta.url);",
  },
});
