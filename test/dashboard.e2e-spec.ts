import type { NestExpressApplication } from '@nestjs/platform-express';
import { jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import request from 'supertest';
import type { SlaOverview, TrendsResponse } from '../src/sla/sla.types.js';
import { createTestApp } from './helpers/test-app.js';

// The dashboard (src/dashboard/) in a real headless browser: Debian's chromium driven by
// playwright-core, offline. scripts/ensure-chromium.mjs installs the browser when it is missing
// (root with apt-get); it runs here, before the tests are collected, so a browser that cannot be
// had skips the browser tests with the reason in their names instead of passing them silently.
const chromiumCheck = await new Promise<{ path?: string; reason?: string }>((done) => {
  execFile(process.execPath, ['scripts/ensure-chromium.mjs'], { timeout: 6 * 60_000, encoding: 'utf8' }, (err, stdout, stderr) => {
    const said = stdout.trim().split('\n').at(-1) ?? '';
    if (err) done({ reason: said || stderr.trim().split('\n').at(-1) || err.message });
    else done({ path: said });
  });
});
if (chromiumCheck.reason) console.warn(`\n[tests] Chromium unavailable (${chromiumCheck.reason}): the dashboard browser tests are skipped.`);
const describeBrowser = chromiumCheck.path ? describe : describe.skip;
const browserSuite = (name: string) => (chromiumCheck.path ? name : `${name} — SKIPPED: Chromium unavailable (${chromiumCheck.reason})`);

// The callbacks given to page.evaluate/waitForFunction run in the browser; the project's TypeScript
// has no DOM types (module-scoped declarations, nothing leaks into other files).
declare const document: any, window: any, sessionStorage: any;

const ARTIFACTS = resolve('test-artifacts');
// A closed network: no sync, updates, field trials or QUIC probes; only the page's own requests.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const LOCKED_OUT = { inquiry_text: 'I forgot my password and now I cannot log in to my account', metadata: { channel: 'email', customer_id: 'c-42' } };
const HACKED = { inquiry_text: 'Someone hacked my account and changed my email address', metadata: { channel: 'chat' } };
const VAGUE = { inquiry_text: 'hello?', metadata: { channel: 'chat', customer_id: 'c-7' } };

const DASHBOARD_CSP = "default-src 'none';script-src 'self';style-src 'self';connect-src 'self';img-src data:;base-uri 'none';form-action 'none';frame-ancestors 'none'";
const FILES = [
  ['/dashboard', /^text\/html/],
  ['/dashboard/app.js', /^text\/javascript/],
  ['/dashboard/app.css', /^text\/css/],
  ['/dashboard/vendor/chart.umd.min.js', /^text\/javascript/],
] as const;

async function listen(app: NestExpressApplication): Promise<string> {
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return `http://127.0.0.1:${port}`;
}

async function launch(): Promise<Browser> {
  // launch() gives each browser a new, empty temporary profile and deletes it on close.
  return chromium.launch({ executablePath: chromiumCheck.path, args: CHROMIUM_ARGS });
}

/** What one page did: console errors, uncaught errors, every URL it requested. */
interface PageLog {
  errors: string[];
  requests: string[];
}

async function openPage(context: BrowserContext, expectedFailures: RegExp[] = []): Promise<{ page: Page; log: PageLog }> {
  const page = await context.newPage();
  const log: PageLog = { errors: [], requests: [] };
  page.on('request', (r) => log.requests.push(r.url()));
  page.on('pageerror', (err) => log.errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    // The browser logs each non-2xx answer ("Failed to load resource"); the ones a test provokes are expected.
    const where = msg.location().url;
    if (/Failed to load resource/.test(msg.text()) && expectedFailures.some((re) => re.test(`${msg.text()} ${where}`))) return;
    log.errors.push(`console: ${msg.text()} (${where})`);
  });
  return { page, log };
}

/** Loads /dashboard and waits for the first refresh; returns what the page read from the API. */
async function loadDashboard(page: Page, base: string) {
  const overview = page.waitForResponse((r) => r.url().includes('/monitoring/overview'));
  const trends = page.waitForResponse((r) => r.url().includes('/monitoring/trends'));
  const alerts = page.waitForResponse((r) => r.url().includes('/monitoring/alerts'));
  await page.goto(`${base}/dashboard`);
  const answers = await Promise.all([overview, trends, alerts]);
  await page.waitForFunction(() => Number(document.body.dataset.refreshes ?? 0) >= 1);
  return { overview: answers[0], trends: answers[1], alerts: answers[2] };
}

const card = (page: Page, testid: string) => page.getByTestId(testid).textContent();

async function expectCards(page: Page, overview: SlaOverview): Promise<void> {
  const o = overview.overall;
  expect(await card(page, 'open-tickets')).toBe(String(o.open));
  expect(await card(page, 'at-risk')).toBe(String(o.at_risk));
  expect(await card(page, 'breached')).toBe(String(o.breached));
  expect(await page.getByTestId('sla-compliance').getAttribute('data-value')).toBe(o.sla_compliance_24h === null ? '' : String(o.sla_compliance_24h));
  expect(await card(page, 'sla-compliance')).toBe(o.sla_compliance_24h === null ? '—' : `${(o.sla_compliance_24h * 100).toFixed(1)}%`);
}

const onlyLoopback = (urls: string[]) => urls.filter((u) => !u.startsWith('data:') && new URL(u).hostname !== '127.0.0.1');

describe('dashboard: files and headers', () => {
  let app: NestExpressApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await createTestApp({ API_KEYS: `${'k'.repeat(24)}:admin` });
  });
  afterAll(() => app.close());

  it('serves the page and its files without a key: own CSP, ETag, no-cache; 304 on revalidation', async () => {
    for (const [path, type] of FILES) {
      const res = await http().get(path).expect(200);
      expect(res.headers['content-type']).toMatch(type);
      expect(res.headers['content-security-policy']).toBe(DASHBOARD_CSP);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers.etag).toMatch(/^"[\w-]{32}"$/);
      await http().get(path).set('If-None-Match', res.headers.etag!).expect(304);
    }
    // The API and the docs keep their own policies; the data routes still need the key.
    expect((await http().get('/monitoring/report')).headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
    expect((await http().get('/docs').redirects(1)).headers['content-security-policy']).toContain("style-src 'self' https: 'unsafe-inline'");
    await http().get('/monitoring/overview').expect(401);
    await http().get('/dashboard/nothing-here.js').expect(404);
  });

  it('serves Chart.js from the npm package, and the page has no inline script, style or handler', async () => {
    const vendor = await http().get('/dashboard/vendor/chart.umd.min.js').expect(200);
    expect(vendor.text).toMatch(/^\/\*!\n \* Chart\.js v4\./);
    const html = (await http().get('/dashboard').expect(200)).text;
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts).toEqual(['<script src="/dashboard/vendor/chart.umd.min.js" defer>', '<script src="/dashboard/app.js" defer>']);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
  });

  it('is not in the API description', async () => {
    const doc = (await http().get('/docs-json').expect(200)).body as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/dashboard'))).toEqual([]);
  });
});

describeBrowser(browserSuite('dashboard in headless Chromium'), () => {
  jest.setTimeout(60_000);
  let app: NestExpressApplication;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await createTestApp();
    base = await listen(app);
    // Resolved, escalated and waiting-on-the-customer tickets, so the numbers are not all zero.
    for (const body of [LOCKED_OUT, HACKED, VAGUE, HACKED]) await http().post('/tickets').send(body).expect(201);
    // A check records this hour's snapshot: the trend charts get a point (the schedule is off in tests).
    await http().post('/monitoring/checks').expect(200);
    browser = await launch();
  });
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  });
  afterEach(() => context.close());
  afterAll(async () => {
    await browser?.close();
    await app.close();
  });

  it('loads and shows the numbers, tables and charts the API returns; writes a screenshot', async () => {
    const { page, log } = await openPage(context, [/status of 404 .*\/monitoring\/alerts/]);
    const answers = await loadDashboard(page, base);
    expect(answers.overview.status()).toBe(200);
    const overview = (await answers.overview.json()) as SlaOverview;
    const trends = (await answers.trends.json()) as TrendsResponse;
    expect(await page.evaluate(() => document.body.dataset.state)).toBe('ready');

    // The cards show exactly what the API answered, and it is what the test reads too.
    await expectCards(page, overview);
    const own = (await http().get('/monitoring/overview').expect(200)).body as SlaOverview;
    expect(own.overall).toEqual(overview.overall);
    expect(overview.overall.open).toBeGreaterThanOrEqual(2);
    expect(await page.getByTestId('last-refresh').textContent()).not.toBe('never');
    expect(await page.getByTestId('error-banner').isHidden()).toBe(true);

    const ids = async (row: string) => page.getByTestId(row).getByTestId('ticket-id').allTextContents();
    expect(await ids('breached-row')).toEqual(overview.breached_tickets.map((t) => t.ticket_id));
    expect(await ids('at-risk-row')).toEqual(overview.at_risk_tickets.map((t) => t.ticket_id));
    expect(await page.getByTestId('priority-row').count()).toBe(Object.keys(overview.by_priority).length);

    // Chart.js drew both charts, from the trend points of the overall series.
    const points = (trends.series.find((s) => s.key === null) ?? trends.series[0])?.points ?? [];
    expect(points.length).toBeGreaterThanOrEqual(1);
    const charts = await page.evaluate(() =>
      ['chart-counts', 'chart-sla'].map((id) => {
        const chart = window.Chart?.getChart(document.getElementById(id));
        return chart && { type: chart.config.type, labels: chart.data.labels.length, datasets: chart.data.datasets.map((d: any) => ({ label: d.label, data: d.data })) };
      }),
    );
    expect(charts).toEqual([
      {
        type: 'line',
        labels: points.length,
        datasets: [
          { label: 'Open', data: points.map((p) => p.open) },
          { label: 'At risk', data: points.map((p) => p.at_risk) },
          { label: 'Breached', data: points.map((p) => p.breached) },
        ],
      },
      { type: 'line', labels: points.length, datasets: [{ label: 'SLA compliance (24 h)', data: points.map((p) => (p.sla_compliance_24h === null ? null : Math.round(p.sla_compliance_24h * 1000) / 10)) }] },
    ]);
    for (const id of ['chart-counts', 'chart-sla']) {
      const box = await page.getByTestId(id).boundingBox();
      expect(box!.width).toBeGreaterThan(300);
      expect(box!.height).toBeGreaterThan(150);
    }

    // Recent alerts, or the note that this service has no alert log.
    if (answers.alerts.status() === 404) {
      expect(await page.getByTestId('alerts-unavailable').textContent()).toMatch(/alert log unavailable/i);
    } else {
      const body = await answers.alerts.json();
      const items = body.alerts as unknown[];
      expect(await page.getByTestId('alert-row').count()).toBe(items.length);
    }

    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = resolve(ARTIFACTS, 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`[dashboard] screenshot: ${shot}`);

    expect(log.errors).toEqual([]);
    expect(onlyLoopback(log.requests)).toEqual([]);
  });

  it('fits a phone screen (no sideways scrolling of the page)', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    try {
      const { page, log } = await openPage(phone, [/status of 404 .*\/monitoring\/alerts/]);
      const answers = await loadDashboard(page, base);
      await expectCards(page, (await answers.overview.json()) as SlaOverview);
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      const shot = resolve(ARTIFACTS, 'dashboard-phone.png');
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: shot, fullPage: true });
      console.log(`[dashboard] screenshot: ${shot}`);
      expect(log.errors).toEqual([]);
    } finally {
      await phone.close();
    }
  });

  it('refreshes by itself every 30 s and on the button, showing the new numbers', async () => {
    const { page, log } = await openPage(context, [/status of 404 .*\/monitoring\/alerts/]);
    // The page's clock is Playwright's: 30 s pass at once, the API calls are real.
    await page.clock.install();
    await loadDashboard(page, base);
    const before = Number(await card(page, 'open-tickets'));

    await http().post('/tickets').send(HACKED).expect(201);
    const next = page.waitForResponse((r) => r.url().includes('/monitoring/overview'));
    await page.clock.runFor(29_000);
    expect(await page.evaluate(() => document.body.dataset.refreshes)).toBe('1');
    await page.clock.runFor(1_000);
    const auto = (await (await next).json()) as SlaOverview;
    await page.waitForFunction(() => document.body.dataset.refreshes === '2');
    expect(auto.overall.open).toBe(before + 1);
    await expectCards(page, auto);

    await http().post('/tickets').send(HACKED).expect(201);
    const clicked = page.waitForResponse((r) => r.url().includes('/monitoring/overview'));
    await page.getByTestId('refresh').click();
    const manual = (await (await clicked).json()) as SlaOverview;
    await page.waitForFunction(() => document.body.dataset.refreshes === '3');
    expect(manual.overall.open).toBe(before + 2);
    await expectCards(page, manual);
    expect(log.errors).toEqual([]);
  });

  it('keeps the last numbers and shows an error banner when a refresh fails', async () => {
    const { page, log } = await openPage(context, [/status of (404|503)/]);
    const answers = await loadDashboard(page, base);
    const overview = (await answers.overview.json()) as SlaOverview;

    await page.route('**/monitoring/overview', (route) =>
      route.fulfill({ status: 503, contentType: 'application/problem+json', body: JSON.stringify({ status: 503, title: 'Service Unavailable', detail: 'The database is unavailable.' }) }),
    );
    await page.getByTestId('refresh').click();
    await page.waitForFunction(() => document.body.dataset.state === 'error');
    const banner = page.getByTestId('error-banner');
    expect(await banner.isVisible()).toBe(true);
    expect(await banner.textContent()).toContain('/monitoring/overview: 503 — The database is unavailable.');
    await expectCards(page, overview); // the previous numbers, not a blank page

    await page.unroute('**/monitoring/overview');
    await page.getByTestId('refresh').click();
    await page.waitForFunction(() => document.body.dataset.state === 'ready');
    expect(await banner.isHidden()).toBe(true);

    // Only the trends fail: fresh numbers, and the banner says which part is missing.
    await page.route('**/monitoring/trends?*', (route) => route.fulfill({ status: 503, contentType: 'application/problem+json', body: JSON.stringify({ status: 503, detail: 'Try again shortly.' }) }));
    await page.getByTestId('refresh').click();
    await page.waitForFunction(() => document.body.dataset.state === 'error');
    expect(await banner.textContent()).toMatch(/^Part of the page could not be refreshed\..*\/monitoring\/trends\?granularity=hour&from=.*: 503 — Try again shortly\./);
    await expectCards(page, overview);
    expect(log.errors).toEqual([]);
  });

  it('draws 48 hourly points, leaving a gap where compliance is unknown (trends from a fixture)', async () => {
    const { page, log } = await openPage(context, [/status of 404 .*\/monitoring\/alerts/]);
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    const points = Array.from({ length: 48 }, (_, i) => {
      const open = 4 + Math.round(3 * Math.sin(i / 5));
      const resolved = 10 + (i % 5);
      const within = resolved - (i % 4 === 0 ? 2 : 0);
      const bucket = new Date(hour - (47 - i) * 3_600_000).toISOString();
      return { bucket, taken_at: bucket, open, at_risk: i % 3, breached: i > 30 && i < 38 ? 2 : 0, resolved_1h: 1, resolved_24h: resolved, resolved_within_sla_1h: 1, resolved_within_sla_24h: within, sla_compliance_24h: i === 5 ? null : within / resolved };
    });
    const trends: TrendsResponse = { granularity: 'hour', dimension: 'overall', from: points[0]!.bucket, to: new Date().toISOString(), series: [{ key: null, points }] };
    let query: URLSearchParams | undefined;
    await page.route('**/monitoring/trends?*', (route) => {
      query = new URL(route.request().url()).searchParams;
      return route.fulfill({ json: trends });
    });
    await loadDashboard(page, base);
    expect(query?.get('granularity')).toBe('hour');
    expect(Date.now() - Date.parse(query!.get('from')!)).toBeGreaterThanOrEqual(48 * 3_600_000);
    expect(Date.now() - Date.parse(query!.get('from')!)).toBeLessThan(49 * 3_600_000);
    const drawn = await page.evaluate(() => ['chart-counts', 'chart-sla'].map((id) => window.Chart.getChart(document.getElementById(id)).data.datasets.map((d: any) => d.data)));
    expect(drawn[0]).toEqual([points.map((p) => p.open), points.map((p) => p.at_risk), points.map((p) => p.breached)]);
    expect(drawn[1]![0]![5]).toBeNull();
    expect(drawn[1]![0]![0]).toBe(80); // 8 of 10, in percent
    expect(await page.getByTestId('trends-note').textContent()).toContain('48 hourly points');
    const shot = resolve(ARTIFACTS, 'dashboard-trends.png');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.locator('section[aria-labelledby="trends-h"]').screenshot({ path: shot });
    console.log(`[dashboard] screenshot: ${shot}`);
    expect(log.errors).toEqual([]);
  });

  it('shows API strings as text, never as markup', async () => {
    const { page, log } = await openPage(context, [/status of 404 .*\/monitoring\/alerts/]);
    const evil = '<img src=x onerror="window.__pwned=1">';
    const stats = { open: 1, at_risk: 1, breached: 1, resolved_1h: 0, resolved_24h: 0, resolved_within_sla_1h: 0, resolved_within_sla_24h: 0, sla_compliance_24h: null };
    const overview: SlaOverview = {
      generated_at: new Date().toISOString(),
      at_risk_minutes: 60,
      overall: stats,
      by_priority: { [evil]: stats },
      by_category: {},
      by_channel: {},
      breached_tickets: [{ ticket_id: evil, status: 'open', priority: 'High', category: `<b>${evil}</b>`, channel: 'email', policy_id: 'p', metric: 'first_reply_time', breached_at: new Date().toISOString(), overdue_minutes: 95 }],
      at_risk_tickets: [{ ticket_id: `${evil}2`, status: 'open', priority: evil, category: null, channel: null, policy_id: 'p', metric: evil as never, due_at: new Date().toISOString(), remaining_minutes: 12 }],
      last_check: null,
    };
    await page.route('**/monitoring/overview', (route) => route.fulfill({ json: overview }));
    await page.route('**/monitoring/alerts?*', (route) =>
      route.fulfill({ json: { next_cursor: null, alerts: [{ id: 'a1', kind: 'breach', title: evil, status: 'delivered', created_at: new Date().toISOString(), notifications: 2 }] } }),
    );
    await loadDashboard(page, base);
    expect(await page.getByTestId('breached-row').getByTestId('ticket-id').textContent()).toBe(evil);
    expect(await page.getByTestId('breached-row').textContent()).toContain(`<b>${evil}</b>`);
    expect(await page.getByTestId('at-risk-row').textContent()).toContain(evil);
    expect(await page.getByTestId('priority-row').textContent()).toContain(evil);
    expect(await page.getByTestId('alert-row').textContent()).toContain(evil);
    expect(await page.getByTestId('breached-row').textContent()).toContain('1 h 35 min overdue');
    expect(await page.locator('main img, main b').count()).toBe(0);
    expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
    expect(log.errors).toEqual([]);
  });
});

describeBrowser(browserSuite('dashboard in headless Chromium, with API keys'), () => {
  jest.setTimeout(60_000);
  const ADMIN = 'dash-admin-key-0123456789abcdef';
  const READER = 'dash-reader-key-0123456789abcdef';
  const TICKETS = 'dash-tickets-key-0123456789abcdef';
  let app: NestExpressApplication;
  let base: string;
  let browser: Browser;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await createTestApp({ API_KEYS: `${ADMIN}:admin,${READER}:monitoring:read,${TICKETS}:tickets:read` });
    base = await listen(app);
    for (const body of [HACKED, VAGUE]) await http().post('/tickets').set('Authorization', `Bearer ${ADMIN}`).send(body).expect(201);
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await app.close();
  });

  it('asks for a key on 401, keeps it for the tab, sends it as a Bearer token and shows the numbers', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const { page, log } = await openPage(context, [/status of (401|403)/, /status of 404 .*\/monitoring\/alerts/]);
      const sent: (string | undefined)[] = [];
      page.on('request', (r) => r.url().includes('/monitoring/overview') && sent.push(r.headers().authorization));
      await page.goto(`${base}/dashboard`);
      const form = page.getByTestId('auth-form');
      await form.waitFor({ state: 'visible' });
      expect(await page.evaluate(() => document.body.dataset.state)).toBe('need-key');
      expect(await form.textContent()).toContain('monitoring:read');
      expect(await card(page, 'open-tickets')).toBe('—');

      // A key without the scope: asked again, saying why.
      await page.getByTestId('api-key').fill(TICKETS);
      await page.getByTestId('api-key-submit').click();
      await page.waitForFunction(() => Number(document.body.dataset.refreshes) >= 2 && document.body.dataset.state === 'need-key');
      expect(await form.textContent()).toContain('lacks the monitoring:read scope');

      const answered = page.waitForResponse((r) => r.url().includes('/monitoring/overview') && r.status() === 200);
      await page.getByTestId('api-key').fill(READER);
      await page.getByTestId('api-key').press('Enter');
      const overview = (await (await answered).json()) as SlaOverview;
      await page.waitForFunction(() => document.body.dataset.state === 'ready');
      expect(await form.isHidden()).toBe(true);
      await expectCards(page, overview);
      const own = (await http().get('/monitoring/overview').set('Authorization', `Bearer ${READER}`).expect(200)).body as SlaOverview;
      expect(own.overall).toEqual(overview.overall);
      expect(overview.overall.open).toBeGreaterThanOrEqual(2);
      expect(sent).toEqual([undefined, `Bearer ${TICKETS}`, `Bearer ${READER}`]);
      expect(await page.evaluate(() => sessionStorage.getItem('support-agents.dashboard.api-key'))).toBe(READER);
      expect(page.url()).toBe(`${base}/dashboard`); // the key never went into a URL

      // A reload in the same tab uses the stored key without asking.
      await page.reload();
      await page.waitForFunction(() => document.body.dataset.state === 'ready');
      await expectCards(page, overview);
      expect(log.errors).toEqual([]);
      expect(onlyLoopback(log.requests)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
