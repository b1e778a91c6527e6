// npm run docs: write docs/rules.md and docs/configuration.md from the code (tools/docs/generate.ts,
// loaded through tsx). `--check` writes nothing and exits 1 when a file is stale.
// An optional path argument loads the generator from elsewhere (e.g. an esbuild bundle).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const check = args.includes('--check');
const modulePath = args.find((a) => !a.startsWith('--')) ?? resolve(root, 'tools/docs/generate.ts');

const gen = await import(pathToFileURL(resolve(modulePath)).href);
const docs = [
  [gen.RULES_DOC, gen.rulesReference()],
  [gen.CONFIG_DOC, gen.configReference()],
];

let stale = 0;
for (const [file, text] of docs) {
  const path = resolve(root, file);
  let current;
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === text) {
    console.log(`${file}: up to date`);
  } else if (check) {
    console.error(`${file} is stale: run npm run docs`);
    stale += 1;
  } else {
    writeFileSync(path, text);
    console.log(`${file}: written`);
  }
}
if (stale > 0) process.exit(1);
