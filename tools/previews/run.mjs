// npm run previews: the README's preview images, docs/images/*.png, rendered from the demo plans
// as GitHub shows them (tools/previews, loaded through tsx) and photographed in
// Debian's headless Chromium. The same machine setup gives byte-identical files on every run.
//
//   npm run previews                       write docs/images/*.png
//   npm run previews -- --out DIR          write them to DIR instead
//   npm run previews:check                 write nothing; exit 1 unless every image in
//                                          docs/images/ has the same pixels as a fresh render
//
// Needs Debian's chromium, fonts-dejavu-core, fonts-dejavu-extra and fonts-noto-color-emoji.
/* global createImageBitmap, fetch, OffscreenCanvas -- used in the page, in differingPixels */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const check = args.includes('--check');
const outIndex = args.indexOf('--out');
const outDir = resolve(outIndex >= 0 ? args[outIndex + 1] : join(root, 'docs/images'));

const { scenes } = await import('./scenes.ts');
const { previewsMissing, openBrowser, screenshot } = await import('./browser.ts');

const missing = previewsMissing();
if (missing) {
  console.error(`previews: ${missing}`);
  process.exit(2);
}

const DIFF_WORDS = { '-1': 'another size', '-2': 'not a readable PNG' };
const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

/** Decode two PNGs in the browser and count the pixels that differ (-1: sizes differ). */
async function differingPixels(a, b) {
  const page = await browser.newPage();
  await page.setContent('<!doctype html><title>compare</title>');
  return page
    .evaluate(
      async ([x, y]) => {
        const decode = async (b64) => {
          const bitmap = await createImageBitmap(
            await (await fetch(`data:image/png;base64,${b64}`)).blob(),
          );
          const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
          const ctx = canvas.getContext('2d');
          ctx.drawImage(bitmap, 0, 0);
          return ctx.getImageData(0, 0, bitmap.width, bitmap.height);
        };
        const [p, q] = [await decode(x), await decode(y)];
        if (p.width !== q.width || p.height !== q.height) return -1;
        let n = 0;
        for (let i = 0; i < p.data.length; i += 4) {
          if (
            p.data[i] !== q.data[i] ||
            p.data[i + 1] !== q.data[i + 1] ||
            p.data[i + 2] !== q.data[i + 2] ||
            p.data[i + 3] !== q.data[i + 3]
          )
            n += 1;
        }
        return n;
      },
      [a.toString('base64'), b.toString('base64')],
    )
    .finally(() => page.close());
}

const browser = await openBrowser();
let stale = 0;
try {
  if (!check) mkdirSync(outDir, { recursive: true });
  for (const scene of scenes()) {
    const png = await screenshot(browser, scene.html, { open: scene.open });
    const path = join(outDir, scene.file);
    const shown = relative(process.cwd(), path) || path;
    if (!check) {
      writeFileSync(path, png);
      console.log(`${shown}: ${png.length} bytes, sha256 ${sha256(png)} (${scene.caption})`);
      continue;
    }
    let current;
    try {
      current = readFileSync(path);
    } catch {
      console.error(`${shown}: missing: run npm run previews`);
      stale += 1;
      continue;
    }
    if (sha256(current) === sha256(png)) {
      console.log(`${shown}: identical`);
      continue;
    }
    const diff = await differingPixels(current, png).catch(() => -2);
    if (diff === 0) {
      console.log(`${shown}: same pixels (the PNG encoding differs)`);
    } else {
      console.error(
        `${shown}: differs from a fresh render (${DIFF_WORDS[diff] ?? `${diff} pixels`}): run npm run previews`,
      );
      stale += 1;
    }
  }
} finally {
  await browser.close();
}
if (stale > 0) process.exit(1);
