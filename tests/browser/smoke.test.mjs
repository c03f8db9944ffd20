// Smoke: the server starts, answers /healthz, and serves a Chinese login page.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchBrowser, newPage, screenshot, startServer } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer({ name: 'smoke' });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('GET /healthz answers 200', async () => {
  const res = await fetch(`${server.baseUrl}/healthz`);
  await res.arrayBuffer();
  assert.equal(res.status, 200);
});

test('/login renders with a Chinese title and the sign-in form', { timeout: 120_000 }, async () => {
  const page = await newPage(browser);
  try {
    const res = await page.goto(`${server.baseUrl}/login`);
    assert.equal(res?.status(), 200, 'status of GET /login');
    const title = await page.title();
    assert.match(title, /[\u4e00-\u9fff]/, `title ${JSON.stringify(title)} has Chinese characters`);
    for (const sel of [
      'form#login-form',
      'form#login-form input[name=username]',
      'form#login-form input[name=password]',
      'form#login-form button[type=submit]',
    ]) {
      assert.equal(await page.locator(sel).count(), 1, `one ${sel}`);
    }
    assert.equal(
      await page.getAttribute('form#login-form input[name=password]', 'type'),
      'password',
      'the password field masks its input',
    );
    await screenshot(page, 'login');
    assert.deepEqual(page.jsErrors, [], 'no JavaScript errors on /login');
  } finally {
    await page.context().close();
  }
});
