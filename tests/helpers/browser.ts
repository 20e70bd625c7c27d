// Headless Chromium (Debian's, driven by playwright-core) as every browser test launches it.
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** A 1440×900 page on the app, once the map has rendered everything it has. */
export async function openMap(browser: Browser, url: string, options: { acceptDownloads?: boolean } = {}): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1, ...options });
  await page.goto(url);
  await page.waitForFunction(() => window.__zs !== undefined, undefined, { timeout: 30_000 });
  await page.evaluate(() => window.__zs!.idle());
  return page;
}
