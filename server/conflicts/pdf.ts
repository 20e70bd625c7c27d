// The report as PDF: the same HTML printed by headless Chromium (playwright-core, the system's
// /usr/bin/chromium). One browser per server, started on the first PDF and closed with the app.
import type { Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export class PdfRenderer {
  private browser: Promise<Browser> | undefined;

  private async launch(): Promise<Browser> {
    const { chromium } = await import('playwright-core');
    const b = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS });
    b.on('disconnected', () => { this.browser = undefined; });
    return b;
  }

  async render(html: string): Promise<Buffer> {
    this.browser ??= this.launch().catch((err) => {
      this.browser = undefined;
      throw new Error(`cannot start Chromium at ${CHROMIUM_PATH} for the PDF: ${(err as Error).message.split('\n')[0]}`);
    });
    const browser = await this.browser;
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      // the page is self-contained (inline CSS and SVG): nothing to fetch
      await page.route('**/*', (route) => route.abort());
      await page.setContent(html, { waitUntil: 'load' });
      await page.emulateMedia({ media: 'print' });
      return await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
    } finally {
      await context.close();
    }
  }

  async close(): Promise<void> {
    const b = this.browser;
    this.browser = undefined;
    if (b) await (await b.catch(() => undefined))?.close();
  }
}
