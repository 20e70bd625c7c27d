// 征地程序 in headless Chromium: a project's panel on the map (web/src/procedure/ProcedurePanel.svelte)
// and the dashboard's 程序看板 (web/src/dashboard/ProcedureBoard.svelte), against the procedure API.
// The panel reads a demo project as the API gives it; an editor records steps, attaches files and adds
// quotas on a fresh project of its own command area (so the demo's procedure stays as it is); the
// board's counts are the API's. Screenshots: tests/.output/procedure-*.png.
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ProcedureBoard, ProcedureView } from '../../geo/api.ts';
import { PROCEDURE_STEP, PROCEDURE_STEPS, warningText } from '../../geo/procedure.ts';
import { launchChromium, newPage, openMap } from '../helpers/browser.ts';
import { getJson, useTestPool } from '../helpers/db.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const outDir = path.join(root, 'tests/.output');
const fixtures = path.join(root, 'tests/fixtures/procedure');
const baseUrl = (process.env.APP_URL ?? inject('appUrl')).replace(/\/$/, '');
const pool = useTestPool();

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
  await mkdir(outDir, { recursive: true });
});
afterAll(async () => browser?.close());

/** A fresh project of command area `area` with nothing of its procedure recorded (and no red line). */
async function newProject(area = 1): Promise<number> {
  const { rows } = await pool.query<{ id: number }>(
    `INSERT INTO project (code, name, kind, source, year, command_area_id) VALUES ($1, '程序面板测试项目', 'road', 'key', 2026, $2) RETURNING id`,
    [`TEST-PROCUI-${process.pid}-${Math.random().toString(36).slice(2, 8)}`, area]);
  return rows[0].id;
}

/** Open a project's 征地程序 panel on a map page, once it has read the project. */
async function showProject(page: Page, id: number) {
  await page.evaluate((id) => { window.__zs!.app.procedure = id; }, id);
  const panel = page.locator(`[data-testid="procedure-panel"][data-project="${id}"]`);
  await panel.locator('li.step').first().waitFor({ timeout: 30_000 });
  return panel;
}

const stepRow = (panel: ReturnType<Page['locator']>, step: string) => panel.locator(`li.step[data-step="${step}"]`);

describe('the 征地程序 panel', () => {
  let page: Page;
  /** a demo project in the middle of its procedure (at 报批), and what the API says of it */
  let demo: ProcedureView;

  beforeAll(async () => {
    const { rows } = await pool.query<{ id: number }>(`SELECT id FROM project WHERE approval_stage = 'submitted' AND red_line IS NOT NULL ORDER BY id LIMIT 1`);
    demo = (await getJson<ProcedureView>(`/api/projects/${rows[0].id}/procedure`, 'viewer')).body;
    page = await openMap(browser, `${baseUrl}/?lang=zh&project=${demo.project.id}`, { who: 'viewer' });
  });
  afterAll(async () => page?.close());

  it('shows a demo project\'s eight steps in the law\'s order, by their Chinese names', async () => {
    const panel = page.locator('[data-testid="procedure-panel"]');
    await panel.locator('li.step').first().waitFor({ timeout: 30_000 });
    expect(await panel.locator('li.step').evaluateAll((li) => li.map((x) => x.getAttribute('data-step')))).toEqual([...PROCEDURE_STEPS]);
    expect(await panel.locator('li.step .name').allInnerTexts()).toEqual(PROCEDURE_STEPS.map((s) => PROCEDURE_STEP[s].zh));
    expect(await panel.locator('h3').innerText()).toBe(demo.project.name);
    await panel.screenshot({ path: path.join(outDir, 'procedure-panel-zh.png') });
  });

  it('gives each step its state in Chinese, its dates and 文号, and highlights the current step', async () => {
    const panel = page.locator('[data-testid="procedure-panel"]');
    expect(demo.current).toBe('application');
    expect(await panel.locator('li.step.current').getAttribute('data-step')).toBe('application');
    expect(await panel.locator('li.step.current .badge').innerText()).toBe('当前');
    expect(await panel.locator('[data-testid="procedure-current"]').innerText()).toBe('当前环节：申请征收土地（报批）');
    const STATE_ZH = { not_started: '未开始', in_progress: '进行中', done: '已完成', waived: '不需听证' };
    for (const s of demo.steps) {
      const row = stepRow(panel, s.step);
      const state = (await row.getAttribute('data-state')) as keyof typeof STATE_ZH;
      expect(await row.locator('.state').innerText(), s.step).toBe(STATE_ZH[state]);
      const text = await row.innerText();
      if (s.startedOn) expect(text, s.step).toContain(s.startedOn);
      if (s.plannedEndOn) expect(text, s.step).toContain(s.plannedEndOn);
      if (s.docNo) expect(await row.locator('[data-testid="doc-no"]').innerText(), s.step).toBe(s.docNo);
    }
    expect(await stepRow(panel, 'pre_notice').getAttribute('data-state')).toBe('done');
    expect(await stepRow(panel, 'expropriation_notice').getAttribute('data-state')).toBe('not_started');
  });

  it('words the law\'s warnings as geo/procedure.ts does, and gives the day signing opens', async () => {
    const panel = page.locator('[data-testid="procedure-panel"]');
    expect(demo.warnings.length).toBeGreaterThan(0); // the demo's projects at 报批 are past its planned end
    expect(await panel.locator('[data-testid="procedure-warnings"] li').allInnerTexts()).toEqual(demo.warnings.map((w) => warningText(w, 'zh')));
    expect(await panel.locator('[data-testid="procedure-signing"]').innerText()).toBe(`签约开放日期：${demo.signingOpensOn}`);
  });

  it('speaks English after the switch, but for the data (names, numbers, notes, accounts)', async () => {
    const panel = page.locator('[data-testid="procedure-panel"]');
    await page.locator('header button[data-lang="en"]').click();
    await expect.poll(() => panel.locator('.kicker').innerText()).toBe('Expropriation procedure');
    expect(await panel.locator('li.step .name').allInnerTexts()).toEqual(PROCEDURE_STEPS.map((s) => PROCEDURE_STEP[s].en));
    expect(await panel.locator('[data-testid="procedure-warnings"] li').allInnerTexts()).toEqual(demo.warnings.map((w) => warningText(w, 'en')));
    const chrome = await panel.evaluate((el) => {
      const copy = el.cloneNode(true) as HTMLElement;
      for (const d of copy.querySelectorAll('[translate="no"]')) d.remove();
      return [...(copy.innerText || copy.textContent || '').split('\n'), ...[...copy.querySelectorAll('[title],[aria-label]')].map((e) => e.getAttribute('title') ?? e.getAttribute('aria-label') ?? '')]
        .map((x) => x.trim()).filter(Boolean);
    });
    expect(chrome.filter((l) => /[\u4e00-\u9fff]/.test(l))).toEqual([]);
    await panel.screenshot({ path: path.join(outDir, 'procedure-panel-en.png') });
    await page.locator('header button[data-lang="zh"]').click();
    await expect.poll(() => panel.locator('.kicker').innerText()).toBe('征地程序');
  });

  it('lets a viewer read but offers no editing', async () => {
    const panel = page.locator('[data-testid="procedure-panel"]');
    expect(await panel.locator('[data-testid="procedure-quota"] tr[data-kind="construction"]').innerText()).toMatch(/^新增建设用地\s+[\d,]+\.\d{2}/);
    expect(await panel.locator('[data-testid="edit-step"]').count()).toBe(0);
    expect(await panel.locator('[data-testid="upload"]').count()).toBe(0);
    expect(await panel.locator('[data-testid="add-quota"]').count()).toBe(0);
  });
});

describe('an editor recording the procedure', () => {
  let page: Page;

  beforeAll(async () => {
    // the test account `editor` works in command area 1 (tests/setup/global.ts)
    page = await openMap(browser, `${baseUrl}/?lang=zh`, { who: 'editor' });
  });
  afterAll(async () => page?.close());

  it('records a step and sees it saved, with who recorded it', async () => {
    const id = await newProject(1);
    const panel = await showProject(page, id);
    const row = stepRow(panel, 'pre_notice');
    await row.locator('[data-testid="edit-step"]').click();
    const form = row.locator('[data-testid="step-form"]');
    await form.locator('input[name="startedOn"]').fill('2021-03-01');
    await form.locator('input[name="completedOn"]').fill('2021-03-12');
    await form.locator('input[name="docNo"]').fill('贵征预〔2021〕99号');
    await form.locator('input[name="reason"]').fill('录入预公告');
    await form.locator('[data-testid="save-step"]').click();
    await expect.poll(() => panel.locator('[data-testid="procedure-notice"]').innerText()).toBe('已保存征收土地预公告（版本 1）');
    expect(await row.getAttribute('data-state')).toBe('done');
    expect(await row.locator('.state').innerText()).toBe('已完成');
    expect(await row.locator('[data-testid="doc-no"]').innerText()).toBe('贵征预〔2021〕99号');
    expect(await row.locator('.who').innerText()).toMatch(/^editor 录入于 \d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    // the next step is now the current one
    expect(await panel.locator('li.step.current').getAttribute('data-step')).toBe('survey');
    const { rows } = await pool.query(`SELECT started_on, completed_on, doc_no, updated_by FROM procedure_step WHERE project_id = $1`, [id]);
    expect(rows).toEqual([{ started_on: '2021-03-01', completed_on: '2021-03-12', doc_no: '贵征预〔2021〕99号', updated_by: 'editor' }]);
    await panel.screenshot({ path: path.join(outDir, 'procedure-panel-recorded-zh.png') });
  });

  it('is told in Chinese that a step out of the law\'s order is refused, and nothing is written', async () => {
    const id = await newProject(1);
    const panel = await showProject(page, id);
    const row = stepRow(panel, 'survey');
    await row.locator('[data-testid="edit-step"]').click();
    await row.locator('input[name="startedOn"]').fill('2021-03-15');
    await row.locator('[data-testid="save-step"]').click();
    await expect.poll(() => row.locator('[data-testid="step-error"]').innerText(), { timeout: 10_000 })
      .toBe('征地程序须按法定顺序进行：“土地现状调查”须在“征收土地预公告”完成之后');
    expect(await row.getAttribute('data-state')).toBe('not_started');
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM procedure_step WHERE project_id = $1`, [id]);
    expect(rows[0].n).toBe(0);
    await panel.screenshot({ path: path.join(outDir, 'procedure-panel-order-zh.png') });
  });

  it('attaches a scanned notice, which opens from its link as the same PDF', async () => {
    const id = await newProject(1);
    const panel = await showProject(page, id);
    const row = stepRow(panel, 'pre_notice');
    await row.locator('[data-testid="upload"]').setInputFiles(path.join(fixtures, 'pre-notice.pdf'));
    const link = row.locator('[data-testid="attachment"]');
    await expect.poll(() => link.count(), { timeout: 10_000 }).toBe(1);
    expect(await link.innerText()).toBe('📎 pre-notice.pdf');
    const href = (await link.getAttribute('href'))!;
    expect(href).toMatch(/^\/api\/attachments\/\d+$/);
    const got = await page.evaluate(async (href) => {
      const res = await fetch(href);
      return { status: res.status, type: res.headers.get('content-type'), bytes: [...new Uint8Array(await res.arrayBuffer())] };
    }, href);
    expect(got).toMatchObject({ status: 200, type: 'application/pdf' });
    expect(Buffer.from(got.bytes).equals(await readFile(path.join(fixtures, 'pre-notice.pdf')))).toBe(true);
  });

  it('is told in Chinese that a file which is not a PDF or an image is refused', async () => {
    const id = await newProject(1);
    const panel = await showProject(page, id);
    const row = stepRow(panel, 'pre_notice');
    await row.locator('[data-testid="upload"]').setInputFiles(path.join(fixtures, 'not-a-pdf.pdf'));
    await expect.poll(() => row.locator('p.error').innerText(), { timeout: 10_000 }).toBe('附件只能是 PDF、JPEG、PNG 或 TIFF 文件');
    expect(await row.locator('[data-testid="attachment"]').count()).toBe(0);
  });

  it('adds a quota secured, which the secured figure then counts', async () => {
    const id = await newProject(1);
    const panel = await showProject(page, id);
    const quota = panel.locator('[data-testid="procedure-quota"]');
    expect(await quota.locator('tr[data-kind="cultivated"]').innerText()).toMatch(/^耕地\s+0\.00\s+0\.00\s+0\.00$/);
    await quota.locator('[data-testid="add-quota"]').click();
    const form = quota.locator('[data-testid="quota-form"]');
    await form.locator('select[name="kind"]').selectOption('cultivated');
    await form.locator('select[name="source"]').selectOption('balance');
    await form.locator('input[name="mu"]').fill('2.5');
    await form.locator('input[name="docNo"]').fill('补充耕地指标 TEST-1');
    await form.locator('button[type="submit"]').click();
    await expect.poll(() => quota.locator('tr[data-kind="cultivated"]').innerText(), { timeout: 10_000 }).toMatch(/^耕地\s+0\.00\s+2\.50\s+0\.00$/);
    expect(await quota.locator('.entries li').innerText()).toMatch(/^占补平衡\s+耕地 2\.50 亩/);
    const { rows } = await pool.query(`SELECT kind, source, mu::float8 AS mu, doc_no FROM project_quota WHERE project_id = $1`, [id]);
    expect(rows).toEqual([{ kind: 'cultivated', source: 'balance', mu: 2.5, doc_no: '补充耕地指标 TEST-1' }]);
  });
});

describe('the dashboard\'s 程序看板', () => {
  /** The dashboard, once its figures, charts, map and board are in. */
  async function openDashboard(query: string, width = 1600, height = 1000): Promise<Page> {
    const page = await newPage(browser, { viewport: { width, height }, deviceScaleFactor: 1 });
    await page.goto(`${baseUrl}/dashboard.html?${query}`);
    await page.waitForFunction(() => (window as any).__dash, undefined, { timeout: 30_000 });
    await page.evaluate(() => (window as any).__dash.idle());
    await page.locator('[data-testid="procedure-board"] li[data-step]').first().waitFor({ timeout: 30_000 });
    return page;
  }

  /** What the board shows: projects by step, and the overdue and running counts. */
  async function shown(page: Page) {
    const board = page.locator('[data-testid="procedure-board"]');
    const byStep = Object.fromEntries(await board.locator('li[data-step]').evaluateAll((li) => li.map((x) => [x.getAttribute('data-step'), Number(x.querySelector('.n')!.textContent)])));
    return {
      title: await board.locator('h3').innerText(),
      byStep,
      overdue: await board.locator('[data-testid="board-overdue"] tbody tr').count(),
      running: await board.locator('[data-testid="board-running"] tbody tr').count(),
    };
  }

  /** The API's totals for an area (null: the district) as the board lays them out. */
  async function expected(asOf: string, areaId: number | null) {
    const { body } = await getJson<ProcedureBoard>(`/api/procedure/board?asOf=${asOf}`);
    const t = body.totals.find((x) => x.commandAreaId === areaId)!;
    return { byStep: Object.fromEntries([...PROCEDURE_STEPS, 'complete'].map((s) => [s, t.byStep[s] ?? 0])), overdue: t.overdue, running: t.running };
  }

  // other suites add projects meanwhile: the board follows the change stream, so both are read until they agree
  const agree = async (page: Page, asOf: string, areaId: number | null) => {
    await expect.poll(async () => {
      const [s, e] = await Promise.all([shown(page), expected(asOf, areaId)]);
      return JSON.stringify({ byStep: s.byStep, overdue: s.overdue, running: s.running }) === JSON.stringify(e) || { shown: s, expected: e };
    }, { timeout: 20_000 }).toBe(true);
  };

  it('shows for the district the counts of GET /api/procedure/board\'s totals', async () => {
    const page = await openDashboard('month=2022-03&lang=zh');
    expect((await shown(page)).title).toBe('程序看板 · 全区 · 截至 2022-03-31');
    await agree(page, '2022-03-31', null);
    // the demo has steps past their planned end by then, each listed with its project and due date
    const first = page.locator('[data-testid="board-overdue"] tbody tr').first();
    expect(await first.innerText()).toMatch(/\S+\s+(预公告|现状调查|风险评估|方案公告|听证|签订协议|报批|征收公告)\s+\d{4}-\d{2}-\d{2}$/);
    expect(await first.locator('a').getAttribute('href')).toMatch(/^\/\?project=\d+&lang=zh$/);
    await page.locator('[data-testid="procedure-board"]').scrollIntoViewIfNeeded();
    await page.locator('.panel.procedure').screenshot({ path: path.join(outDir, 'procedure-board-zh.png') });
    await page.close();
  });

  it('shows a chosen command area\'s totals, and the quotas of every area and the district', async () => {
    const page = await openDashboard('month=2022-03&lang=zh');
    const select = page.locator('[data-testid="area-select"]');
    await select.selectOption({ label: '贵城片区' });
    await page.evaluate(() => (window as any).__dash.idle());
    const { rows } = await pool.query<{ id: number }>(`SELECT id FROM command_area WHERE code = 'guicheng'`);
    expect((await shown(page)).title).toBe('程序看板 · 贵城片区 · 截至 2022-03-31');
    await agree(page, '2022-03-31', rows[0].id);
    const quota = page.locator('[data-testid="board-quota"] table[data-kind="construction"] tbody tr');
    expect(await quota.evaluateAll((tr) => tr.map((x) => x.getAttribute('data-area')))).toEqual(['1', '2', '3', 'district']);
    expect(await page.locator(`[data-testid="board-quota"] tr.chosen`).first().getAttribute('data-area')).toBe(String(rows[0].id));
    await page.close();
  });

  it('follows the time slider', async () => {
    const page = await openDashboard('month=2021-05&lang=zh');
    await agree(page, '2021-05-31', null);
    await page.getByRole('button', { name: '上一月' }).click();
    await expect.poll(() => shown(page).then((s) => s.title)).toBe('程序看板 · 全区 · 截至 2021-04-30');
    await page.evaluate(() => (window as any).__dash.idle());
    await agree(page, '2021-04-30', null);
    // notices were up at the end of April 2021 in the demo: listed with the day they end
    expect((await shown(page)).running).toBeGreaterThan(0);
    await page.close();
  });

  it('takes a column of its own in 大屏 (1920×1080), within the screen', async () => {
    const page = await openDashboard('month=2021-04&lang=zh&screen=1', 1920, 1080);
    const box = (await page.locator('.panel.procedure').boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(1920);
    expect(box.y + box.height).toBeLessThanOrEqual(1080);
    expect(box.height).toBeGreaterThan(600);
    // the step counts and the quotas are in view without scrolling the column
    const inView = await page.locator('.panel.procedure').evaluate((p) => {
      const r = p.getBoundingClientRect();
      return [...p.querySelectorAll('li[data-step] > span, [data-testid="board-quota"] tr')].every((e) => { const b = e.getBoundingClientRect(); return b.top >= r.top && b.bottom <= r.bottom + 0.5; });
    });
    expect(inView).toBe(true);
    await page.screenshot({ path: path.join(outDir, 'procedure-board-screen-1920x1080.png') });
    await page.close();
  });
});
