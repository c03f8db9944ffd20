// Case journeys through the console (issue 3): the closed loop from a walk-in at a town
// window to the archive, and a case that runs late under an injected clock.
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
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

const JOURNEY_TIMEOUT = 600_000;
// A small demo history keeps start-up quick; the queues still fill.
const SMALL_DEMO = { ZONGZHI__DEMO__CASES: '300' };

let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

/** Selects the first option of `select` whose label contains `text`; returns its value. */
async function selectByLabel(page, select, text) {
  const value = await page.$eval(
    select,
    (el, t) => [...el.options].find((o) => o.textContent.includes(t) && o.value)?.value ?? null,
    text,
  );
  assert.ok(value, `no option containing ${text} in ${select}`);
  await page.selectOption(select, value);
  return value;
}

/** Opens the action panel `kind` on a case page and returns the form's selector. */
async function openAction(page, kind) {
  const panel = `details.action[data-action="${kind}"]`;
  assert.ok(await page.$(panel), `action ${kind} is not offered; offered: ${await offered(page)}`);
  await page.$eval(panel, (d) => {
    d.open = true;
  });
  return `form#action-${kind}`;
}

/** The actions the page offers now. */
async function offered(page) {
  return page.$$eval('details.action[data-action]', (ds) => ds.map((d) => d.dataset.action));
}

async function submitAction(page, kind, fill = async () => {}) {
  const form = await openAction(page, kind);
  await fill(form);
  await clickAndWait(page, `${form} button[type=submit]`);
  const err = await page.$('#action-error');
  assert.equal(err, null, `action ${kind} failed: ${err ? await err.textContent() : ''}`);
}

/** The case's status (snake_case, from the case header). */
async function statusText(page) {
  return (await page.getAttribute('#case-head', 'data-status')) ?? '';
}

async function as(username, baseUrl) {
  const page = await newPage(browser);
  const landed = await signIn(page, baseUrl, username, DEMO_PASSWORD);
  assert.equal(landed, '/', `${username} lands on the workbench`);
  return page;
}

/** Registers a walk-in dispute as the town clerk; returns the case URL. */
async function registerWalkIn(page, baseUrl, { title, badIdFirst = false }) {
  await page.goto(`${baseUrl}/cases/new`);
  await page.selectOption('select[name=channel]', 'walk_in');
  await selectByLabel(page, 'select[name=category_code]', '邻里');
  await page.fill('input[name=title]', title);
  await page.fill(
    'textarea[name=description]',
    '两户居民因楼上卫生间漏水、楼下天花板受损发生争执，双方情绪激动，请求社区协调维修和赔偿。',
  );
  await selectByLabel(page, 'select[name=org_unit_id]', '望江');
  await page.fill('input[name=address]', '望江街道滨江花园3幢2单元');
  await page.fill('input[name="parties[0].name"]', '张建国');
  await page.fill('input[name="parties[0].phone"]', '13800138000');
  if (badIdFirst) {
    // Wrong check digit: the form comes back with the message beside the field.
    await page.fill('input[name="parties[0].id_card_no"]', '110101199003070001');
    await clickAndWait(page, '#case-submit');
    assert.equal(new URL(page.url()).pathname, '/cases/new');
    const idField = page.locator('label:has(input[name="parties[0].id_card_no"]) .field-error');
    assert.match((await idField.textContent()) ?? '', /身份证/);
    assert.equal(await page.inputValue('input[name=title]'), title, 'typed text is kept');
    await screenshot(page, 'case-intake-bad-id');
  }
  await page.fill('input[name="parties[0].id_card_no"]', '11010519491231002X');
  await clickAndWait(page, '#case-submit');
  const url = new URL(page.url());
  assert.match(url.pathname, /^\/cases\/\d+$/, `registered case page, got ${url.pathname}`);
  return url.pathname;
}

test('walk-in dispute: register, route to county 公安, accept, resolve, verify, close, 满意, archive', { timeout: JOURNEY_TIMEOUT }, async () => {
  const server = await startServer({ name: 'case-loop', env: SMALL_DEMO });
  try {
    const { baseUrl } = server;
    const clerk = await as('town_intake', baseUrl);
    await screenshot(clerk, 'case-workbench-intake');
    const casePath = await registerWalkIn(clerk, baseUrl, {
      title: '滨江花园楼上漏水邻里纠纷',
      badIdFirst: true,
    });
    const tracking = (await clerk.textContent('#tracking-no'))?.trim() ?? '';
    assert.match(tracking, /^ZZ\d{13}$/);
    assert.equal(await statusText(clerk), 'triage');
    // The ID number is masked on the page.
    assert.ok(!(await clerk.content()).includes('11010519491231002X'), 'ID number is masked');
    await screenshot(clerk, 'case-registered');

    const dispatcher = await as('town_dispatcher', baseUrl);
    await dispatcher.goto(`${baseUrl}${casePath}`);
    await submitAction(dispatcher, 'route', async (form) => {
      await selectByLabel(dispatcher, `${form} select[name=department_id]`, '公安');
      await dispatcher.fill(`${form} textarea[name=note]`, '请派出所民警协同社区调处');
    });
    assert.equal(await statusText(dispatcher), 'assigned');
    await screenshot(dispatcher, 'case-routed');

    const handler = await as('dept_handler', baseUrl);
    await handler.goto(`${baseUrl}/`);
    await screenshot(handler, 'case-workbench-handler');
    await handler.goto(`${baseUrl}${casePath}`);
    await submitAction(handler, 'accept');
    assert.equal(await statusText(handler), 'in_progress');
    await submitAction(handler, 'resolve', async (form) => {
      await handler.selectOption(`${form} select[name=outcome]`, 'mediated');
      await handler.fill(`${form} textarea[name=note]`, '民警与社区调解员上门调解，楼上住户同意维修并赔偿800元。');
    });
    assert.equal(await statusText(handler), 'resolved');
    assert.deepEqual(await offered(handler), [], 'nothing more for the handler');

    await dispatcher.goto(`${baseUrl}${casePath}`);
    await submitAction(dispatcher, 'verify', async (form) => {
      await dispatcher.check(`${form} input[name=passed][value=true]`);
    });
    await submitAction(dispatcher, 'close');
    assert.equal(await statusText(dispatcher), 'closed');
    await submitAction(dispatcher, 'follow_up', async (form) => {
      await dispatcher.selectOption(`${form} select[name=rating]`, '4');
      await dispatcher.selectOption(`${form} select[name=method]`, 'phone');
      await dispatcher.fill(`${form} textarea[name=note]`, '当事人表示满意');
    });
    assert.equal(await statusText(dispatcher), 'followed_up');
    await submitAction(dispatcher, 'archive');
    assert.equal(await statusText(dispatcher), 'archived');
    assert.deepEqual(await offered(dispatcher), [], 'an archived case offers nothing');
    const timeline = (await dispatcher.textContent('#case-timeline')) ?? '';
    for (const step of ['登记受理', '分流交办', '签收', '办结', '核查', '结案', '回访', '归档']) {
      assert.ok(timeline.includes(step), `timeline shows ${step}`);
    }
    assert.ok(timeline.includes('满意'), 'timeline shows the rating');
    await screenshot(dispatcher, 'case-archived');

    // The clerk finds it again by full-text search.
    await clerk.goto(`${baseUrl}/cases?q=${encodeURIComponent('漏水')}`);
    assert.ok(((await clerk.textContent('main')) ?? '').includes(tracking), 'search finds the case');
    await screenshot(clerk, 'case-list-search');
  } finally {
    await server.stop();
  }
});

test('a routed case runs late: 预警, 超期 and an automatic 督办 appear', { timeout: JOURNEY_TIMEOUT }, async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'zongzhi-clock-'));
  const offsetFile = path.join(dir, 'offset');
  await fs.writeFile(offsetFile, '0');
  const server = await startServer({
    name: 'case-overdue',
    env: {
      ...SMALL_DEMO,
      ZONGZHI__TESTING__CLOCK_OFFSET_FILE: offsetFile,
      ZONGZHI__JOBS__DEADLINE_INTERVAL_SECONDS: '1',
    },
  });
  try {
    const { baseUrl } = server;
    const clerk = await as('town_intake', baseUrl);
    const casePath = await registerWalkIn(clerk, baseUrl, { title: '滨江花园漏水纠纷（超期测试）' });
    const dispatcher = await as('town_dispatcher', baseUrl);
    await dispatcher.goto(`${baseUrl}${casePath}`);
    await submitAction(dispatcher, 'route', async (form) => {
      await selectByLabel(dispatcher, `${form} select[name=department_id]`, '公安');
    });
    assert.equal(await statusText(dispatcher), 'assigned');

    // Nobody signs for it. Ten days later (the job runs every second) it is overdue.
    await fs.writeFile(offsetFile, String(10 * 24 * 3600));
    // Ten idle days also end every session: sign in again.
    await new Promise((r) => setTimeout(r, 1_500));
    const late = await as('town_dispatcher', baseUrl);
    let timeline = '';
    for (let i = 0; i < 40; i += 1) {
      await late.goto(`${baseUrl}${casePath}`);
      timeline = (await late.textContent('#case-timeline')) ?? '';
      if (timeline.includes('督办')) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.ok(timeline.includes('超期'), `timeline shows 超期: ${timeline}`);
    assert.ok(timeline.includes('督办'), 'an automatic 督办 follows');
    assert.ok(((await late.textContent('#case-head')) ?? '').includes('超期'), 'header shows 超期');
    const tracking = (await late.textContent('#tracking-no'))?.trim() ?? '';
    await screenshot(late, 'case-overdue');

    await late.goto(`${baseUrl}/supervision`);
    assert.ok(((await late.textContent('main')) ?? '').includes(tracking), '督办 list shows it');
    await screenshot(late, 'case-supervision-list');
    await late.goto(`${baseUrl}/`);
    await screenshot(late, 'case-workbench-dispatcher');
  } finally {
    await server.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
});
