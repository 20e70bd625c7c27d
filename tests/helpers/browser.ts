// Headless Chromium (Debian's, driven by playwright-core) as every browser test launches it.
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { inject } from 'vitest';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/**
 * A page in its own browser context, logged in as a test account (tests/setup/global.ts; default
 * tester, who holds every role) through the session cookie; `who: null` = not logged in.
 */
export async function newPage(browser: Browser, options: BrowserContextOptions & { who?: string | null } = {}): Promise<Page> {
  const { who = 'tester', ...contextOptions } = options;
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, ...contextOptions });
  if (who !== null) {
    const session = inject('sessions')[who];
    await context.addCookies([{ name: 'zs_session', value: session.token, url: inject('appUrl'), httpOnly: true, sameSite: 'Lax' }]);
  }
  const page = await context.newPage();
  // closing the page closes its context (tests close pages, not contexts)
  page.on('close', () => void context.close().catch(() => {}));
  return page;
}

/** A 1440×900 page on the app, once the map has rendered everything it has. */
export async function openMap(browser: Browser, url: string, options: { acceptDownloads?: boolean; who?: string | null } = {}): Promise<Page> {
  const page = await newPage(browser, { viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1, ...options });
  await page.goto(url);
  await page.waitForFunction(() => window.__zs !== undefined, undefined, { timeout: 30_000 });
  await page.evaluate(() => window.__zs!.idle());
  return page;
}
