import type { NestExpressApplication } from '@nestjs/platform-express';
import { jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import request from 'supertest';
import { createTestApp } from './helpers/test-app.js';

// Review of the dashboard (src/dashboard/): static files, headers, and the page in headless
// Chromium (scripts/ensure-chromium.mjs, as in test/dashboard.e2e-spec.ts).
const chromiumCheck = await new Promise<{ path?: string; reason?: string }>((done) => {
  execFile(process.execPath, ['scripts/ensure-chromium.mjs'], { timeout: 6 * 60_000, encoding: 'utf8' }, (err, stdout, stderr) => {
    const said = stdout.trim().split('\n').at(-1) ?? '';
    if (err) done({ reason: said || stderr.trim().split('\n').at(-1) || err.message });
    else done({ path: said });
  });
});
const describeBrowser = chromiumCheck.path ? describe : describe.skip;
const browserSuite = (name: string) => (chromiumCheck.path ? name : `${name} — SKIPPED: Chromium unavailable (${chromiumCheck.reason})`);

declare const document: any, sessionStorage: any;

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const DASHBOARD_CSP = "default-src 'none';script-src 'self';style-src 'self';connect-src 'self';img-src data:;base-uri 'none';form-action 'none';frame-ancestors 'none'";

async function listen(app: NestExpressApplication): Promise<string> {
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return `http://127.0.0.1:${port}`;
}

/** A page whose uncaught errors and unexpected console errors are collected. */
async function openPage(context: BrowserContext, expectedFailures: RegExp[] = []): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    if (/Failed to load resource/.test(msg.text()) && expectedFailures.some((re) => re.test(`${msg.text()} ${msg.location().url}`))) return;
    errors.push(`console: ${msg.text()}`);
  });
  return { page, errors };
}

describe('review: dashboard files', () => {
  let app: NestExpressApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.close());

  it.each([
    '/dashboard/..%2f..%2fpackage.json',
    '/dashboard/..%2F..%2F.env',
    '/dashboard/vendor/../../package.json',
    '/dashboard/vendor/..%2f..%2f..%2fpackage.json',
    '/dashboard/%2e%2e/%2e%2e/package.json',
    '/dashboard/vendor/chart.js',
    '/dashboard/index.html',
    '/dashboard/public/app.js',
    '/dashboard/app.js%00.css',
  ])('%s: never a file from outside the page', async (path) => {
    const res = await http().get(path);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.text).not.toContain('"dependencies"');
  });

  it('the page answers the same, with the dashboard CSP, however the path is cased or slashed', async () => {
    for (const path of ['/dashboard', '/dashboard/', '/Dashboard', '/DASHBOARD/app.js']) {
      const res = await http().get(path);
      if (res.status !== 200) continue; // not served at all: nothing to protect
      expect([path, res.headers['content-security-policy']]).toEqual([path, DASHBOARD_CSP]);
    }
  });

  it('HEAD and conditional requests: 304 only for the same content', async () => {
    const page = await http().get('/dashboard').expect(200);
    const js = await http().get('/dashboard/app.js').expect(200);
    expect(page.headers.etag).not.toBe(js.headers.etag);
    await http().get('/dashboard/app.js').set('If-None-Match', page.headers.etag!).expect(200);
    await http().get('/dashboard/app.js').set('If-None-Match', `W/${js.headers.etag}`).expect(304);
    const head = await http().head('/dashboard/app.js').expect(200);
    expect(head.headers.etag).toBe(js.headers.etag);
    expect(head.headers['content-security-policy']).toBe(DASHBOARD_CSP);
  });
});

describeBrowser(browserSuite('review: dashboard in headless Chromium'), () => {
  jest.setTimeout(60_000);
  const READER = 'review-reader-key-0123456789abcdef';
  let app: NestExpressApplication;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    app = await createTestApp({ API_KEYS: `${READER}:monitoring:read` });
    base = await listen(app);
    browser = await chromium.launch({ executablePath: chromiumCheck.path, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await app.close();
  });

  it('a key pasted while a keyless refresh is still on its way is kept and used, not thrown away as "refused"', async () => {
    const context = await browser.newContext();
    try {
      const { page, errors } = await openPage(context, [/status of 401/]);
      await page.goto(`${base}/dashboard`);
      await page.getByTestId('auth-form').waitFor({ state: 'visible' });

      // A slow API: the next keyless refresh (the button) is still waiting when the key is pasted.
      let release: () => void = () => undefined;
      const held = new Promise<void>((r) => (release = r));
      let holding = true;
      await page.route('**/monitoring/overview', async (route) => {
        if (holding && !route.request().headers().authorization) await held;
        await route.continue();
      });
      await page.getByTestId('refresh').click();
      await page.getByTestId('api-key').fill(READER);
      await page.getByTestId('api-key-submit').click();
      holding = false;
      release();

      // Either the numbers, or the form again saying the (valid) key was refused.
      await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state) || (document.body.dataset.state === 'need-key' && /refused/.test(document.getElementById('auth-why').textContent)));
      expect(await page.evaluate(() => sessionStorage.getItem('support-agents.dashboard.api-key'))).toBe(READER);
      expect(await page.evaluate(() => document.body.dataset.state)).toBe('ready');
      expect(await page.getByTestId('auth-form').isHidden()).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('names digests and digested alerts in words, like the other kinds and statuses', async () => {
    const context = await browser.newContext();
    try {
      await context.addInitScript(([key]) => sessionStorage.setItem('support-agents.dashboard.api-key', key), [READER]);
      const { page, errors } = await openPage(context);
      const now = new Date().toISOString();
      await page.route('**/monitoring/alerts?*', (route) =>
        route.fulfill({
          json: {
            next_cursor: null,
            alerts: [
              { id: 'd1', kind: 'digest', title: 'SLA: 15 more breaches', status: 'delivered', created_at: now, notifications: 1 },
              { id: 'a1', kind: 'breach', title: 'SLA breached: first reply time on T-1 (High)', status: 'digested', created_at: now, notifications: 1 },
            ],
          },
        }),
      );
      await page.goto(`${base}/dashboard`);
      await page.waitForFunction(() => document.body.dataset.state === 'ready');
      const rows = await page.getByTestId('alert-row').allInnerTexts();
      expect(rows).toHaveLength(2);
      expect(rows[0]).not.toMatch(/\bdigest\b(?!\w)/); // a raw kind name
      expect(rows[0]).toMatch(/Digest/);
      expect(rows[1]).not.toMatch(/\tdigested\t/); // a raw status name
      expect(rows[1]).toMatch(/in a digest/);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
