// Debian's headless Chromium, driven by playwright-core: never a downloaded browser. Used by
// tools/previews/run.mjs for the README's images and by the browser test.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Debian's packages the previews need: the browser and the fonts the pages name. */
export const APT_PACKAGES = 'chromium fonts-dejavu-core fonts-dejavu-extra fonts-noto-color-emoji';

/** The font files the images are drawn with (regular, bold, italic, code, emoji). */
export const FONT_FILES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Oblique.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf',
  '/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf',
];

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // The same pixels on every run: no hinting or subpixel text, one colour profile.
  '--font-render-hinting=none',
  '--disable-lcd-text',
  '--force-color-profile=srgb',
  '--hide-scrollbars',
];

export const VIEWPORT = { width: 960, height: 720 };

/** Why the browser cannot run here, or undefined when it can. */
export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM)
    ? undefined
    : `${CHROMIUM} is not installed (Debian: apt-get install -y --no-install-recommends ${APT_PACKAGES})`;
}

/**
 * Why the images would not come out as committed here: the browser or one of the fonts is
 * missing (without a font, Chromium falls back to whatever the machine has).
 */
export function previewsMissing(): string | undefined {
  const fonts = FONT_FILES.filter((f) => !existsSync(f));
  return (
    chromiumMissing() ??
    (fonts.length > 0
      ? `missing fonts ${fonts.join(', ')} (Debian: apt-get install -y --no-install-recommends ${APT_PACKAGES})`
      : undefined)
  );
}

export interface PreviewBrowser {
  /** A new tab: a fresh window, so nothing one page set is seen by the next. */
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Chromium with a fresh profile directory (removed on close), a fixed viewport at device scale
 * 1, reduced motion, and every network request refused: the pages are self-contained.
 */
export async function openBrowser(): Promise<PreviewBrowser> {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  const profile = mkdtempSync(join(tmpdir(), 'applygate-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: VIEWPORT,
      deviceScaleFactor: 1,
      reducedMotion: 'reduce',
      colorScheme: 'light',
      locale: 'en-US',
      timezoneId: 'UTC',
    });
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  await context.route('**/*', (route) => route.abort());
  return {
    newPage: () => context.newPage(),
    async close() {
      try {
        await context.close();
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}

/** Load a whole HTML document into the page and wait until its fonts are ready. */
export async function show(page: Page, html: string): Promise<void> {
  await page.setContent(html, { waitUntil: 'load' });
  await page.evaluate('document.fonts.ready.then(() => true)');
}

/**
 * A PNG of the `#preview` element of `html`, in a new tab, after opening the `<details>` listed
 * in `open`.
 */
export async function screenshot(
  browser: PreviewBrowser,
  html: string,
  opts: { open?: readonly number[] } = {},
): Promise<Buffer> {
  const page = await browser.newPage();
  try {
    await show(page, html);
    for (const i of opts.open ?? []) {
      await page.evaluate(
        `document.querySelectorAll('#preview details')[${Number(i)}].open = true`,
      );
    }
    return await page.locator('#preview').screenshot({
      type: 'png',
      animations: 'disabled',
      caret: 'hide',
      scale: 'css',
    });
  } finally {
    await page.close();
  }
}
