// 台账导出 (issue 4): a dispatcher opens the export page from the case list, requests the
// ledger, watches the job reach 已完成 without reloading, and downloads the file through the
// page. The downloaded ledger is read back with calamine (crates/report/examples/xlsx_rows)
// and its rows matched, case by case, to the API's list for the same unit; the weekly PDF's
// name and magic bytes are checked, and the pages are screenshotted.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';

import {
  ARTIFACTS,
  DEMO_PASSWORD,
  REPO_ROOT,
  clickAndWait,
  launchBrowser,
  newPage,
  screenshot,
  signIn,
  startServer,
} from './harness.mjs';

const TIMEOUT = 300_000;

let browser;
let server;

before(async () => {
  browser = await launchBrowser();
  server = await startServer({ name: 'exports', env: { ZONGZHI__DEMO__CASES: '300' } });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Waits until the job row `id` shows 已完成 (updated in place by the page's poller). */
async function waitDone(page, id) {
  const row = `#export-jobs tr#export-${id}`;
  await page.waitForSelector(`${row}[data-status="done"] a.export-download`, { timeout: 90_000 });
  assert.equal((await page.textContent(`${row} .export-status`))?.trim(), '已完成');
  return row;
}

/** Downloads through the row's 下载 link; returns the suggested name and the bytes. */
async function downloadRow(page, row) {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click(`${row} a.export-download`),
  ]);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'zongzhi-export-'));
  const file = path.join(dir, 'file');
  await download.saveAs(file);
  const bytes = await fs.readFile(file);
  await fs.rm(dir, { recursive: true, force: true });
  // Kept beside the screenshots for a person to open.
  await fs.mkdir(ARTIFACTS, { recursive: true });
  await fs.writeFile(path.join(ARTIFACTS, `exports-${download.suggestedFilename()}`), bytes);
  return { name: download.suggestedFilename(), bytes };
}

/** The id of the job just created (from the redirect's `created`). */
function createdId(page) {
  const id = new URL(page.url()).searchParams.get('created');
  assert.ok(id, `redirected to /exports?created=…, got ${page.url()}`);
  return id;
}

test('a dispatcher exports the ledger and a weekly report from the console', { timeout: TIMEOUT }, async () => {
  const page = await newPage(browser);
  const landed = await signIn(page, server.baseUrl, 'county_dispatcher', DEMO_PASSWORD);
  assert.equal(landed, '/');
  assert.ok(await page.$('nav.sidebar a[data-menu="exports"]'), '台账导出 is in the menu');

  // From the case list: the 导出 button carries the current filters to the export page.
  await page.goto(`${server.baseUrl}/cases?status=triage`);
  await screenshot(page, 'exports-case-list');
  await clickAndWait(page, '#export-cases');
  assert.equal(new URL(page.url()).searchParams.get('status'), 'triage');
  assert.equal(new URL(page.url()).pathname, '/exports');
  assert.equal(await page.$eval('#export-kind', (s) => s.value), 'ledger');
  assert.equal(await page.$eval('#export-form select[name=status]', (s) => s.value), 'triage');
  await page.selectOption('#export-form select[name=status]', '');
  await screenshot(page, 'exports-form');

  // A PDF ledger is refused beside the field, in Chinese.
  await page.selectOption('#export-format', 'pdf');
  await clickAndWait(page, '#export-submit');
  assert.match(await page.textContent('#export-form'), /台账和事件清单只能导出为Excel/);
  await screenshot(page, 'exports-error');

  await page.selectOption('#export-format', 'xlsx');
  const polls = [];
  page.on('request', (r) => {
    if (/\/api\/v1\/exports\/\d+$/.test(new URL(r.url()).pathname)) polls.push(r.url());
  });
  await clickAndWait(page, '#export-submit');
  const ledgerId = createdId(page);
  assert.match(await page.textContent('.notice'), /已提交导出/);
  const listed = page.url();
  const initial = await page.getAttribute(`#export-jobs tr#export-${ledgerId}`, 'data-status');
  if (initial !== 'done') await screenshot(page, 'exports-queued');
  const row = await waitDone(page, ledgerId);
  if (initial !== 'done') {
    // The row turned 已完成 in place: the page polled the API and was not reloaded.
    assert.ok(polls.length > 0, 'the page polled GET /api/v1/exports/{id}');
    assert.equal(page.url(), listed);
  }
  await screenshot(page, 'exports-done');
  const ledger = await downloadRow(page, row);
  assert.match(ledger.name, /^矛盾纠纷排查化解台账_东湖区_截至\d{8}\.xlsx$/, ledger.name);
  assert.ok(ledger.bytes.length > 1000, `size ${ledger.bytes.length}`);
  assert.equal(ledger.bytes.subarray(0, 2).toString('latin1'), 'PK', 'xlsx magic bytes');

  // Read the workbook back: below a frozen header, one row per case located in the county
  // that the dispatcher may see, numbered 1…n — exactly the API's list for the same unit.
  const sheet = await readSheet(ledger.bytes);
  assert.ok(sheet.frozen >= 1, 'header row frozen');
  const header = sheet.rows[sheet.frozen - 1];
  assert.equal(header[0], '序号');
  const col = header.indexOf('登记编号(一案一码)');
  assert.ok(col > 0, `tracking number column in ${header.join(',')}`);
  const data = sheet.rows.slice(sheet.frozen);
  data.forEach((r, i) => assert.equal(r[0], String(i + 1), `序号 of row ${i + 1}`));
  const county = await page.evaluate(async () => {
    const me = await (await fetch('/api/v1/me')).json().catch(() => null);
    return me?.org_unit?.id;
  });
  assert.ok(county, 'the dispatcher has an org unit');
  const expected = await page.evaluate(async (unit) => {
    const all = [];
    let cursor = null;
    do {
      const q = new URLSearchParams({ org_unit: String(unit), limit: '500' });
      if (cursor) q.set('cursor', cursor);
      const body = await (await fetch(`/api/v1/cases?${q}`)).json();
      all.push(...body.items.map((c) => c.tracking_no));
      cursor = body.next_cursor;
    } while (cursor);
    return all;
  }, county);
  assert.ok(expected.length > 0, 'the county has cases');
  assert.deepEqual(data.map((r) => r[col]).sort(), [...expected].sort(), 'ledger rows = API list');

  // A weekly report as PDF.
  await page.selectOption('#export-kind', 'weekly');
  await page.selectOption('#export-format', 'pdf');
  await clickAndWait(page, '#export-submit');
  const weeklyId = createdId(page);
  const weeklyRow = await waitDone(page, weeklyId);
  const weekly = await downloadRow(page, weeklyRow);
  assert.match(weekly.name, /^周研判报告_东湖区_\d{8}-\d{8}\.pdf$/, weekly.name);
  assert.equal(weekly.bytes.subarray(0, 4).toString('latin1'), '%PDF');
  await screenshot(page, 'exports-list');

  assert.deepEqual(page.jsErrors, [], 'no script errors');
  await page.context().close();
});

/** The first sheet of an XLSX, read with calamine by crates/report/examples/xlsx_rows
 * (`cargo build -p zongzhi-report --example xlsx_rows`; $ZONGZHI_XLSX_ROWS overrides):
 * `{ frozen, rows: [[cell text]] }`. */
async function readSheet(bytes) {
  const bin = path.resolve(
    REPO_ROOT,
    process.env.ZONGZHI_XLSX_ROWS || 'target/debug/examples/xlsx_rows',
  );
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'zongzhi-xlsx-'));
  try {
    const file = path.join(dir, 'ledger.xlsx');
    await fs.writeFile(file, bytes);
    return JSON.parse(execFileSync(bin, [file], { maxBuffer: 256 << 20 }).toString());
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
