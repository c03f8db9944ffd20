// 台账导出 (issue 4): a dispatcher opens the export page from the case list, requests the
// ledger, watches the job reach 已完成 without reloading, and downloads the file through the
// page. The Rust test (crates/web/tests/exports.rs) reads files back with calamine; here the
// download's name, size and magic bytes are checked, and the pages are screenshotted.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';

import {
  ARTIFACTS,
  DEMO_PASSWORD,
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

  // Read the workbook back: its data rows are exactly the cases located in the county that
  // the dispatcher may see (the API's count for the same unit), below a frozen header.
  const sheet = readSheet(ledger.bytes);
  assert.ok(sheet.frozen >= 1, 'header row frozen');
  assert.match(sheet.header, /序号/);
  const county = await page.evaluate(async () => {
    const me = await (await fetch('/api/v1/me')).json().catch(() => null);
    return me?.org_unit?.id;
  });
  const countUrl = county ? `/api/v1/cases/count?org_unit=${county}` : '/api/v1/cases/count';
  const expected = await page.evaluate(async (u) => (await (await fetch(u)).json()).count, countUrl);
  assert.equal(sheet.rows - sheet.frozen, expected, `ledger rows vs ${countUrl}`);

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

/** Rows, frozen rows and the header text of the first sheet of an XLSX (read with Python's
 * zipfile, which every test machine has; shared or inline strings). */
function readSheet(bytes) {
  const script = `
import io, json, re, sys, zipfile
z = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read()))
xml = z.read('xl/worksheets/sheet1.xml').decode()
strings = re.findall(r'<si>(.*?)</si>', z.read('xl/sharedStrings.xml').decode(), re.S) if 'xl/sharedStrings.xml' in z.namelist() else []
text = [re.sub(r'<[^>]+>', '', s) for s in strings]
rows = re.findall(r'<row [^>]*>(.*?)</row>', xml, re.S)
m = re.search(r'ySplit="(\\d+)"', xml)
frozen = int(m.group(1)) if m else 0
header = rows[frozen - 1] if frozen else ''
cells = [text[int(v)] for v in re.findall(r't="s"[^>]*><v>(\\d+)</v>', header)]
cells += re.findall(r'<t[^>]*>(.*?)</t>', header)
print(json.dumps({"rows": len(rows), "frozen": frozen, "header": " ".join(cells)}))
`;
  return JSON.parse(execFileSync('python3', ['-c', script], { input: bytes }).toString());
}
