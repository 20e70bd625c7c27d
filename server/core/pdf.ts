// PDFs from headless Chromium (playwright-core, the system's /usr/bin/chromium): the conflict report
// and approval package (self-contained HTML) and the map print (a page of this server's web client,
// opened with the requesting user's session). Shared here so that no capability imports another.
// One browser per renderer, started on the first PDF and closed with the app.
import type { Browser, BrowserContextOptions, Cookie } from 'playwright-core';
import { DomainError } from './errors.ts';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
// WebGL without a GPU (the map print's MapLibre canvas): SwiftShader, as the browser tests run it
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--use-angle=swiftshader', '--enable-unsafe-swiftshader'];

/** What a web page printed to PDF needs (PdfRenderer.renderPage). */
export interface PageJob {
  /** the page to open: this server's own origin only (every other request is refused) */
  url: string;
  /** cookies for the page's origin (the requesting user's session) */
  cookies: Pick<Cookie, 'name' | 'value'>[];
  /** the CSS viewport, px */
  viewport: { width: number; height: number };
  deviceScaleFactor: number;
  /**
   * runs in the page until it answers truthy: ready ({ error } when it gave up). A function, not a
   * string: the app's Content-Security-Policy forbids eval
   */
  ready: () => unknown;
  timeoutMs: number;
  /** paper size, e.g. '297mm' */
  paper: { width: string; height: string };
}

export class PdfRenderer {
  private browser: Promise<Browser> | undefined;

  /** `executablePath`: the Chromium to start (CHROMIUM_PATH; tests give a missing one) */
  constructor(private readonly executablePath = CHROMIUM_PATH) {}

  private async launch(): Promise<Browser> {
    const { chromium } = await import('playwright-core');
    const b = await chromium.launch({ executablePath: this.executablePath, args: ARGS });
    b.on('disconnected', () => { this.browser = undefined; });
    return b;
  }

  private async started(): Promise<Browser> {
    this.browser ??= this.launch().catch((err) => {
      this.browser = undefined;
      throw new DomainError('pdf_unavailable', `cannot start Chromium at ${this.executablePath} for the PDF: ${(err as Error).message.split('\n')[0]}`, {});
    });
    return this.browser;
  }

  private async inContext<T>(options: BrowserContextOptions, work: (context: Awaited<ReturnType<Browser['newContext']>>) => Promise<T>): Promise<T> {
    const browser = await this.started();
    const context = await browser.newContext(options);
    try {
      return await work(context);
    } finally {
      await context.close();
    }
  }

  /** Self-contained HTML (inline CSS and SVG) to an A4 PDF (the page's own @page size wins). */
  async render(html: string): Promise<Buffer> {
    return this.inContext({}, async (context) => {
      const page = await context.newPage();
      // nothing to fetch
      await page.route('**/*', (route) => route.abort());
      await page.setContent(html, { waitUntil: 'load' });
      await page.emulateMedia({ media: 'print' });
      return page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
    });
  }

  /**
   * A page of this server to PDF: opened with the given cookies, waited for until `ready` holds (or
   * `timeoutMs`), printed at the paper size. Requests to any other origin are refused, so a print
   * reaches nothing but this server.
   */
  async renderPage(job: PageJob): Promise<Buffer> {
    const origin = new URL(job.url).origin;
    return this.inContext({ viewport: job.viewport, deviceScaleFactor: job.deviceScaleFactor }, async (context) => {
      if (job.cookies.length) await context.addCookies(job.cookies.map((c) => ({ ...c, url: origin, httpOnly: true, sameSite: 'Lax' as const })));
      await context.route('**/*', (route) => (route.request().url().startsWith(`${origin}/`) || route.request().url().startsWith('data:') || route.request().url().startsWith('blob:') ? route.continue() : route.abort()));
      const page = await context.newPage();
      const started = Date.now();
      await page.goto(job.url, { waitUntil: 'load', timeout: job.timeoutMs });
      // polled by evaluate (playwright's waitForFunction evals its predicate: the CSP forbids that)
      let state: unknown = null;
      const deadline = started + job.timeoutMs;
      while (!(state = await page.evaluate(job.ready))) {
        if (Date.now() > deadline) {
          throw new DomainError('print_failed', `the print page was not ready within ${job.timeoutMs / 1000} s`, { reason: 'timeout', seconds: job.timeoutMs / 1000 });
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const failed = state && typeof state === 'object' && 'error' in state ? String((state as { error: unknown }).error) : null;
      if (failed) throw new DomainError('print_failed', `the print page failed: ${failed.slice(0, 300)}`, { reason: 'page' });
      return page.pdf({ width: job.paper.width, height: job.paper.height, printBackground: true, preferCSSPageSize: true });
    });
  }

  async close(): Promise<void> {
    const b = this.browser;
    this.browser = undefined;
    if (b) await (await b.catch(() => undefined))?.close();
  }
}
