// 统计分析 (issue 4): the city leader's 总图 shows the same figures as GET
// /api/v1/stats/summary fetched in the same browser session, drills down city → county →
// town → village through the unit table, a KPI clicks through to a case list of exactly
// that many cases, and 考核排名, 地图 (an ECharts canvas, nothing loaded from outside) and
// 指标说明 render without console errors. Each page is screenshotted at desktop and phone
// width.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  DEMO_PASSWORD,
  clickAndWait,
  launchBrowser,
  newPage,
  screenshot,
  signIn,
  startServer,
} from './harness.mjs';

const TIMEOUT = 600_000;
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

let browser;
let server;

before(async () => {
  browser = await launchBrowser();
  // Enough history that the last 30 days of a village still hold cases.
  server = await startServer({ name: 'stats', env: { ZONGZHI__DEMO__CASES: '3000' } });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/**
 * Collects console errors and warnings, failed requests and requests that leave the
 * server (the map must not load tiles or anything else from outside).
 */
function watch(page, baseUrl) {
  const problems = [];
  page.on('console', (m) => {
    if (m.type() !== 'error' && m.type() !== 'warning') return;
    const where = m.location()?.url ?? '';
    if (where.endsWith('/favicon.ico')) return;
    problems.push(`console ${m.type()}: ${m.text()} (${where})`);
  });
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith(baseUrl) && !url.startsWith('data:') && !url.startsWith('blob:')) {
      problems.push(`request outside the server: ${url}`);
    }
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) {
      problems.push(`HTTP ${r.status()} ${r.url()}`);
    }
  });
  return problems;
}

/** The KPI cards' shown values (`data-value`), by key. */
async function kpis(page) {
  return page.$$eval('#kpis [data-kpi]', (cards) =>
    Object.fromEntries(
      cards.map((c) => [c.getAttribute('data-kpi'), c.querySelector('.kpi-num').getAttribute('data-value')]),
    ),
  );
}

/** A rate as the page shows it. */
const pct = (v) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`);
/** Working days as the page shows them. */
const days = (v) => (v === null || v === undefined ? '—' : v < 10 ? v.toFixed(2) : v.toFixed(1));

/** GET a JSON API path in the page's session. */
async function api(page, path) {
  return page.evaluate(async (p) => {
    const r = await fetch(p, { headers: { Accept: 'application/json' } });
    return { status: r.status, body: await r.json() };
  }, path);
}

/** Asserts the KPIs equal the summary's figures. */
function assertSameFigures(shown, s, where) {
  assert.equal(shown.received, String(s.received), `${where}: 受理量`);
  assert.equal(shown.completion_rate, pct(s.completion_rate), `${where}: 办结率`);
  assert.equal(shown.resolution_rate, pct(s.resolution_rate), `${where}: 化解率`);
  assert.equal(shown.on_time_rate, pct(s.on_time_rate), `${where}: 按期办结率`);
  assert.equal(shown.satisfaction_rate, pct(s.satisfaction_rate), `${where}: 满意率`);
  assert.equal(shown.overdue, String(s.overdue), `${where}: 超期数`);
  assert.equal(shown.supervised, String(s.supervised), `${where}: 督办数`);
  assert.equal(shown.reopen_rate, pct(s.reopen_rate), `${where}: 重办率`);
  assert.equal(shown.avg_accept_days, days(s.avg_accept_days), `${where}: 平均签收用时`);
  assert.equal(shown.avg_close_days, days(s.avg_close_days), `${where}: 平均办结用时`);
}

/** Waits until the ECharts canvas of `selector` is drawn. */
async function canvasIn(page, selector) {
  await page.waitForSelector(`${selector} canvas`, { timeout: 20_000 });
  const size = await page.$eval(`${selector} canvas`, (c) => [c.width, c.height]);
  assert.ok(size[0] > 100 && size[1] > 100, `${selector} draws a canvas (${size})`);
}

/** Waits until the overview's charts have drawn (stats.js marks the body). */
async function chartsDrawn(page) {
  await page.waitForSelector('body[data-charts-ready="true"]', { timeout: 20_000 });
}

/** Screenshots the current page at desktop and phone width (then back to desktop). */
async function shots(page, name, ready) {
  await screenshot(page, `stats-${name}-desktop`);
  await page.setViewportSize(PHONE);
  await page.reload({ waitUntil: 'load' });
  if (ready) await ready();
  await screenshot(page, `stats-${name}-phone`);
  await page.setViewportSize(DESKTOP);
  await page.reload({ waitUntil: 'load' });
  if (ready) await ready();
}

test('the leader reads the overview, drills to a village and opens the cases behind a figure', { timeout: TIMEOUT }, async () => {
  const page = await newPage(browser);
  const problems = watch(page, server.baseUrl);
  await signIn(page, server.baseUrl, 'leader', DEMO_PASSWORD);
  assert.ok(await page.$('nav.sidebar a[data-menu="stats"]'), '统计总图 is in the menu');
  await clickAndWait(page, 'nav.sidebar a[data-menu="stats"]');
  assert.equal(new URL(page.url()).pathname, '/stats');
  await canvasIn(page, '#chart-trend');
  await canvasIn(page, '#chart-category');
  await canvasIn(page, '#chart-channel');

  // The figures equal the API's, fetched in the same session, for the same defaults.
  const summary = await api(page, '/api/v1/stats/summary');
  assert.equal(summary.status, 200, JSON.stringify(summary.body));
  const shown = await kpis(page);
  assertSameFigures(shown, summary.body, '临江市');
  assert.ok(summary.body.received > 50, `the city's last 30 days hold cases (${summary.body.received})`);
  assert.match(await page.textContent('#kpis [data-kpi="received"] [data-delta="mom"]'), /环比/);
  await chartsDrawn(page);
  await shots(page, 'overview', () => chartsDrawn(page));

  // A KPI clicks through to the case list, which counts exactly that many.
  await clickAndWait(page, '#kpis [data-kpi="received"] a.kpi-num');
  let url = new URL(page.url());
  assert.equal(url.pathname, '/cases');
  assert.equal(url.searchParams.get('metric'), 'received');
  assert.equal(url.searchParams.get('under'), String(summary.body.org_unit.id));
  assert.equal(url.searchParams.get('from'), summary.body.from);
  assert.equal(url.searchParams.get('to'), summary.body.to);
  assert.equal((await page.textContent('.pager .total'))?.trim(), String(summary.body.received));
  await screenshot(page, 'stats-cases-behind-received');
  await page.goBack({ waitUntil: 'load' });
  await clickAndWait(page, '#kpis [data-kpi="overdue"] a.kpi-num');
  assert.equal((await page.textContent('.pager .total'))?.trim(), String(summary.body.overdue));
  await page.goBack({ waitUntil: 'load' });

  // Drill down through the unit table: county, town, village.
  const levels = ['县（区）', '乡镇（街道）', '村（社区）'];
  for (const [i, level] of levels.entries()) {
    const name = (await page.textContent('#unit-table a.drill'))?.trim();
    await clickAndWait(page, '#unit-table a.drill');
    const here = await page.$eval('#stats-crumbs strong', (s) => [s.textContent.trim(), s.title]);
    assert.deepEqual(here, [name, level], `drilled to ${name}`);
    const crumbs = await page.$$eval('#stats-crumbs a', (as) => as.length);
    assert.equal(crumbs, i + 1, 'breadcrumbs lead back up to the city');
  }
  url = new URL(page.url());
  const village = url.searchParams.get('org_unit');
  assert.ok(village, 'the village is in the query');
  const vs = await api(page, `/api/v1/stats/summary?org_unit=${village}`);
  assert.equal(vs.status, 200);
  assert.equal(vs.body.org_unit.level, 'village');
  assertSameFigures(await kpis(page), vs.body, 'the village');
  await chartsDrawn(page);
  await screenshot(page, 'stats-village-desktop');
  const villageUrl = page.url();
  // Its grids' figures link to their cases too; and back up by the breadcrumbs.
  const gridLink = await page.$eval('#unit-table tbody tr td.num a', (a) => a.getAttribute('href'));
  assert.match(gridLink, /^\/cases\?under=\d+&from=/);
  await clickAndWait(page, '#stats-crumbs a[data-crumb="1"]');
  assert.equal(new URL(page.url()).searchParams.get('org_unit'), null, 'back at the leader’s own unit');

  // A custom period, and a bad one answered beside the field.
  await page.fill('#period-from', summary.body.from);
  await page.fill('#period-to', summary.body.from);
  await clickAndWait(page, '#stats-picker button[type=submit]');
  assert.equal(new URL(page.url()).searchParams.get('to'), summary.body.from);
  await page.goto(`${server.baseUrl}/stats?from=${summary.body.to}&to=${summary.body.from}`);
  assert.match(await page.textContent('#period-error'), /开始日期不能晚于结束日期/);
  await screenshot(page, 'stats-bad-period');

  // The village's 受理量 opens exactly its cases.
  await page.goto(villageUrl);
  await clickAndWait(page, '#kpis [data-kpi="received"] a.kpi-num');
  assert.equal(new URL(page.url()).searchParams.get('under'), village);
  assert.equal((await page.textContent('.pager .total'))?.trim(), String(vs.body.received), 'the village’s cases');

  assert.deepEqual(page.jsErrors, []);
  // The bad period's page answers 422 on purpose.
  assert.deepEqual(problems.filter((p) => !p.startsWith('HTTP 422') && !p.includes('status of 422')), []);
  await page.context().close();
});

test('rankings, the map and the help page render without errors', { timeout: TIMEOUT }, async () => {
  const page = await newPage(browser);
  const problems = watch(page, server.baseUrl);
  await signIn(page, server.baseUrl, 'leader', DEMO_PASSWORD);

  await page.goto(`${server.baseUrl}/stats/rankings`);
  const ranks = await page.$$eval('#rank-unit-table tbody tr', (rs) => rs.map((r) => r.getAttribute('data-rank')));
  assert.ok(ranks.length >= 2 && ranks[0] === '1', `units are ranked: ${ranks}`);
  assert.ok(await page.$('#rank-dept-table tbody tr'), 'departments are ranked');
  await page.selectOption('#rank-sort', 'overdue');
  await clickAndWait(page, '#stats-picker button[type=submit]');
  assert.equal(new URL(page.url()).searchParams.get('sort'), 'overdue');
  assert.match(await page.textContent('#rank-unit-table th.sorted'), /超期数/);
  await shots(page, 'rankings');

  await page.goto(`${server.baseUrl}/stats/map`);
  const mapReady = async () => {
    await page.waitForSelector('#chart-map[data-ready="true"]', { timeout: 20_000 });
    await canvasIn(page, '#chart-map');
  };
  await mapReady();
  assert.match(await page.textContent('#map-status'), /个区域/);
  assert.ok(await page.$('#map-legend'), 'the map has a legend');
  await shots(page, 'map', mapReady);
  // Clicking an area opens its cases.
  const box = await page.$eval('#chart-map', (el) => {
    const r = el.getBoundingClientRect();
    return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
  });
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.mouse.click(box.x, box.y)]);
  const url = new URL(page.url());
  assert.equal(url.pathname, '/cases');
  assert.ok(url.searchParams.get('under'), `an area click opens /cases?under=…: ${url}`);
  assert.equal(url.searchParams.get('metric'), 'received');

  await page.goto(`${server.baseUrl}/stats/help`);
  for (const phrase of ['按受理日期统计', '非常满意', '重复事件', '环比', '同比', '工作时间']) {
    assert.ok((await page.textContent('#stats-help')).includes(phrase), `指标说明 explains ${phrase}`);
  }
  await shots(page, 'help');

  assert.deepEqual(page.jsErrors, []);
  assert.deepEqual(problems, []);
  await page.context().close();
});
