// User journeys through the console, each on its own fresh server (so account
// locks, TOTP enrolments and audit rows never leak from one journey to another).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  ADMIN_USERS,
  DEMO_PASSWORD,
  DEMO_USERS,
  clickAndWait,
  formError,
  launchBrowser,
  menuItems,
  newPage,
  screenshot,
  signIn,
  startServer,
} from './harness.mjs';

const BAD_CREDENTIALS = '用户名或密码错误';
const LOCKED = '已锁定';

// What each demo user's sidebar must and must not offer (`a[data-menu=...]`).
// 三员分立: no admin role sees case work; only the auditor sees the audit log.
const CASE_MENU = {
  must: ['workbench', 'org-units', 'departments', 'profile'],
  mustNot: ['accounts', 'audit', 'policies', 'categories', 'time-limits', 'calendar'],
};
const MENUS = {
  admin: {
    must: ['org-units', 'departments', 'categories', 'time-limits', 'calendar', 'accounts', 'profile'],
    mustNot: ['audit', 'policies', 'workbench'],
  },
  security: {
    must: ['accounts', 'policies', 'profile'],
    mustNot: ['audit', 'org-units', 'workbench'],
  },
  auditor: { exactly: ['audit', 'profile'] },
  leader: CASE_MENU,
  city_dispatcher: CASE_MENU,
  county_dispatcher: CASE_MENU,
  town_intake: CASE_MENU,
  town_dispatcher: CASE_MENU,
  village_worker: CASE_MENU,
  grid_worker: CASE_MENU,
  mediator: CASE_MENU,
  dept_handler: CASE_MENU,
};

const JOURNEY_TIMEOUT = 600_000;

let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

/** Runs `fn(server)` against a fresh server, always stopping it. */
async function withServer(name, fn) {
  const server = await startServer({ name });
  try {
    await fn(server);
  } finally {
    await server.stop();
  }
}

/** Runs `fn(page)` in a fresh browser context (own cookies), always closing it. */
async function withPage(fn) {
  const page = await newPage(browser);
  try {
    await fn(page);
  } finally {
    await page.context().close();
  }
}

function assertMenu(username, items) {
  const spec = MENUS[username];
  if (spec.exactly) {
    assert.deepEqual(items, [...spec.exactly].sort(), `${username}'s menu is exactly ${spec.exactly}`);
    return;
  }
  for (const m of spec.must) {
    assert.ok(items.includes(m), `${username}'s menu has ${m} (menu: ${items.join(', ')})`);
  }
  for (const m of spec.mustNot) {
    assert.ok(!items.includes(m), `${username}'s menu lacks ${m} (menu: ${items.join(', ')})`);
  }
}

/** Submits the login form once and returns the `.form-error` text. */
async function attemptLogin(page, baseUrl, username, password) {
  await page.goto(`${baseUrl}/login`);
  await page.fill('form#login-form input[name=username]', username);
  await page.fill('form#login-form input[name=password]', password);
  await clickAndWait(page, 'form#login-form button[type=submit]');
  return formError(page);
}

async function assertSignedOut(page, what) {
  assert.equal(new URL(page.url()).pathname, '/login', `${what}: still on /login`);
  assert.equal(await page.locator('nav.sidebar').count(), 0, `${what}: no sidebar`);
  assert.equal(await page.locator('form#login-form').count(), 1, `${what}: the login form again`);
}

test('journey 1: every demo user signs in and sees its own menu', { timeout: JOURNEY_TIMEOUT }, async (t) => {
  await withServer('journey1', async (server) => {
    const secrets = {};
    for (const username of DEMO_USERS) {
      await t.test(username, async () => {
        await withPage(async (page) => {
          const landed = await signIn(page, server.baseUrl, username, DEMO_PASSWORD, secrets);
          const err = await formError(page);
          assert.ok(!landed.startsWith('/login'), `${username} got past the login pages (at ${landed}; error: ${err})`);
          if (ADMIN_USERS.has(username)) {
            assert.ok(secrets[username], `${username} (admin role) enrolled TOTP at /login/totp/enroll`);
          } else {
            assert.ok(!secrets[username], `${username} (case role) was not asked to enrol TOTP`);
          }

          assert.equal(await page.locator('nav.sidebar').count(), 1, 'one nav.sidebar');
          assertMenu(username, await menuItems(page));
          const shown = ((await page.textContent('#current-user')) ?? '').trim();
          assert.ok(shown.length > 0, '#current-user shows the display name');
          await screenshot(page, `home-${username}`);

          // Every menu link leads to a page with the same sidebar and user.
          const home = page.url();
          const hrefs = await page.$$eval('nav.sidebar a[data-menu]', (as) =>
            as.map((a) => [a.getAttribute('data-menu'), a.href]),
          );
          for (const [menu, href] of hrefs) {
            const res = await page.goto(href);
            assert.equal(res?.status(), 200, `${username}: ${menu} (${href}) answers 200`);
            assert.equal(await page.locator('nav.sidebar').count(), 1, `${username}: ${menu} has the sidebar`);
            assert.equal(
              ((await page.textContent('#current-user')) ?? '').trim(),
              shown,
              `${username}: ${menu} shows the same #current-user`,
            );
          }
          assert.deepEqual(page.jsErrors, [], `no JavaScript errors for ${username}`);

          await page.goto(home);
          await clickAndWait(page, 'button#logout');
          assert.equal(await page.locator('nav.sidebar').count(), 0, 'signed out: no sidebar');
          await page.goto(home);
          assert.equal(await page.locator('nav.sidebar').count(), 0, `after logout ${home} shows no sidebar`);
          assert.equal(await page.locator('#current-user').count(), 0, 'after logout no #current-user');
        });
      });
    }
  });
});

test('journey 2: five wrong passwords lock town_intake out', { timeout: JOURNEY_TIMEOUT }, async () => {
  await withServer('journey2', async (server) => {
    await withPage(async (page) => {
      let lockedAt = 0;
      for (let attempt = 1; attempt <= 6; attempt++) {
        const err = await attemptLogin(page, server.baseUrl, 'town_intake', `Wrong!pass${attempt}`);
        await assertSignedOut(page, `wrong password #${attempt}`);
        if (err.includes(LOCKED)) {
          lockedAt = attempt;
          break;
        }
        assert.ok(err.includes(BAD_CREDENTIALS), `wrong password #${attempt} says ${BAD_CREDENTIALS} (got: ${JSON.stringify(err)})`);
      }
      assert.ok(lockedAt >= 5 && lockedAt <= 6, `the lock message appears at the 5th or 6th wrong password (at: ${lockedAt || 'never'})`);

      const err = await attemptLogin(page, server.baseUrl, 'town_intake', DEMO_PASSWORD);
      await assertSignedOut(page, 'right password while locked');
      assert.ok(err.includes(LOCKED), `the right password is refused with ${LOCKED} (got: ${JSON.stringify(err)})`);
      await screenshot(page, 'lockout-town_intake');
    });

    // The lock is town_intake's own: another user still signs in.
    await withPage(async (page) => {
      const landed = await signIn(page, server.baseUrl, 'town_dispatcher', DEMO_PASSWORD);
      assert.ok(!landed.startsWith('/login'), `town_dispatcher still signs in (at ${landed})`);
      assert.equal(await page.locator('nav.sidebar').count(), 1);
    });
  });
});

test('journey 3: the auditor finds town_intake\'s failed sign-in in the audit log', { timeout: JOURNEY_TIMEOUT }, async () => {
  await withServer('journey3', async (server) => {
    await withPage(async (page) => {
      const err = await attemptLogin(page, server.baseUrl, 'town_intake', 'Wrong!pass1');
      assert.ok(err.includes(BAD_CREDENTIALS), `wrong password says ${BAD_CREDENTIALS} (got: ${JSON.stringify(err)})`);
    });

    await withPage(async (page) => {
      const secrets = {};
      const landed = await signIn(page, server.baseUrl, 'auditor', DEMO_PASSWORD, secrets);
      assert.ok(secrets.auditor, 'the auditor enrolled TOTP');
      assert.ok(!landed.startsWith('/login'), `the auditor got past the login pages (at ${landed})`);
      assertMenu('auditor', await menuItems(page));

      const res = await page.goto(`${server.baseUrl}/admin/audit`);
      assert.equal(res?.status(), 200, 'GET /admin/audit');
      assert.equal(await page.locator('table#audit-table').count(), 1, 'the audit table');
      const allRows = await page.locator('table#audit-table tbody tr').count();

      await page.selectOption('form#audit-filter select[name=outcome]', 'failure');
      await clickAndWait(page, 'form#audit-filter [type=submit]');
      const rows = await page.$$eval('table#audit-table tbody tr', (trs) =>
        trs.map((tr) => (tr.textContent ?? '').replace(/\s+/g, ' ').trim()),
      );
      await screenshot(page, 'audit-failures');
      assert.ok(
        rows.some((r) => r.includes('auth.login') && r.includes('town_intake')),
        `a failure row for auth.login by town_intake; rows:\n${rows.join('\n')}`,
      );
      assert.ok(
        rows.length < allRows,
        `the failure filter narrows the list (${rows.length} rows of ${allRows}; the auditor's own sign-in succeeded)`,
      );
      assert.deepEqual(page.jsErrors, [], 'no JavaScript errors');

      // Signed out and in again: now /login/totp asks for a code from the enrolled secret.
      await clickAndWait(page, 'button#logout');
      assert.equal(await page.locator('nav.sidebar').count(), 0, 'signed out');
      const again = await signIn(page, server.baseUrl, 'auditor', DEMO_PASSWORD, secrets);
      assert.equal(secrets.steps.auditor, 'verify', 'the second sign-in went through /login/totp');
      assert.ok(!again.startsWith('/login'), `the auditor signed in again with TOTP (at ${again})`);
      assertMenu('auditor', await menuItems(page));
    });
  });
});
