// Shared helpers for the browser tests: start a real `zongzhi` server on a free
// loopback port with a throw-away data dir, drive Debian's Chromium through
// playwright-core (no browser download), take screenshots, compute TOTP codes.

import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, '..', '..');
export const ARTIFACTS = path.join(HERE, 'artifacts');

/** Password of every demo account the server seeds (see ZONGZHI_DEMO_PASSWORD). */
export const DEMO_PASSWORD = 'Demo!2026pass';

const HEALTH_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;
const LOG_LIMIT = 256 * 1024;

/** A free TCP port on 127.0.0.1 (the OS picks it; we close and hand it over). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Path of the server binary: $ZONGZHI_BIN (relative to the repo root) or target/debug/zongzhi. */
export function serverBinary() {
  const bin = process.env.ZONGZHI_BIN || 'target/debug/zongzhi';
  return path.isAbsolute(bin) ? bin : path.resolve(REPO_ROOT, bin);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts `zongzhi --data-dir DIR serve --listen 127.0.0.1:PORT` with the demo
 * password set, and waits until GET /healthz answers 200.
 *
 * @param {{name?: string, env?: Record<string,string>}} [opts] name labels the
 *   server log saved to artifacts/NAME-server.log when it stops.
 * @returns {Promise<{baseUrl: string, port: number, dataDir: string, log: () => string, stop: () => Promise<void>}>}
 */
export async function startServer(opts = {}) {
  const bin = serverBinary();
  if (!existsSync(bin)) {
    throw new Error(
      `server binary ${bin} does not exist: run \`cargo build -p zongzhi\` first or set ZONGZHI_BIN`,
    );
  }
  const port = await freePort();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'zongzhi-browser-data-'));
  const baseUrl = `http://127.0.0.1:${port}`;

  let output = '';
  const append = (chunk) => {
    output += chunk.toString('utf8');
    if (output.length > LOG_LIMIT) output = output.slice(-LOG_LIMIT);
  };

  const child = spawn(bin, ['--data-dir', dataDir, 'serve', '--listen', `127.0.0.1:${port}`], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      ZONGZHI_DEMO_PASSWORD: DEMO_PASSWORD,
      // A small demo history keeps start-up quick in a debug build; tests that need the
      // full 20,000 cases pass their own value.
      ZONGZHI__DEMO__CASES: '300',
      RUST_LOG: 'info',
      NO_COLOR: '1',
      ...(opts.env ?? {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', append);
  child.stderr.on('data', append);

  let exited = null;
  const exitPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    });
    child.on('error', (err) => {
      append(`\n[harness] spawn error: ${err.message}\n`);
      exited = { code: null, signal: null, error: err };
      resolve(exited);
    });
  });

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (exited === null) {
      child.kill('SIGTERM');
      const timer = sleep(STOP_TIMEOUT_MS).then(() => 'timeout');
      if ((await Promise.race([exitPromise, timer])) === 'timeout') {
        child.kill('SIGKILL');
        await exitPromise;
      }
    }
    if (opts.name) {
      await fs.mkdir(ARTIFACTS, { recursive: true });
      await fs.writeFile(path.join(ARTIFACTS, `${opts.name}-server.log`), output);
    }
    await fs.rm(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  let lastError = 'no answer yet';
  for (;;) {
    if (exited !== null) {
      await stop();
      throw new Error(
        `zongzhi exited before /healthz answered (code ${exited.code}, signal ${exited.signal}); its output:\n${output}`,
      );
    }
    try {
      const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === 200) break;
      lastError = `HTTP ${res.status}`;
    } catch (err) {
      lastError = err.cause?.code ?? err.message;
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `zongzhi did not answer 200 on ${baseUrl}/healthz within ${HEALTH_TIMEOUT_MS / 1000} s (last: ${lastError}); its output:\n${output}`,
      );
    }
    await sleep(200);
  }

  return { baseUrl, port, dataDir, log: () => output, stop };
}

/** Path of Chromium: $CHROMIUM_BIN or Debian's /usr/bin/chromium. */
export function chromiumPath() {
  return process.env.CHROMIUM_BIN || '/usr/bin/chromium';
}

/**
 * Launches headless Debian Chromium with a fresh, empty user-data dir (a temp dir
 * playwright creates per launch and removes on close). The flags keep it from
 * calling out to the network, which this machine does not have.
 * Use `browser.newContext()` (or the `newPage` helper below) per signed-in user.
 */
export async function launchBrowser() {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath)) {
    throw new Error(`Chromium not found at ${executablePath}: apt-get install chromium (scripts/test does)`);
  }
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
      '--lang=zh-CN',
    ],
    // The browser's own widgets (date inputs) speak Chinese, as on a clerk's desktop; this
    // needs Debian's chromium-l10n (scripts/test installs it). Only LANGUAGE: a LANG naming
    // a locale the machine has not generated breaks file names of downloads.
    env: { ...process.env, LANGUAGE: 'zh_CN:zh' },
    timeout: 60_000,
  });
}

/**
 * A new isolated context (own cookies) and page, Chinese locale, fixed viewport.
 * JavaScript errors on the page are collected in `page.jsErrors`.
 */
export async function newPage(browser) {
  const context = await browser.newContext({
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: { width: 1280, height: 800 },
  });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(30_000);
  const page = await context.newPage();
  page.jsErrors = [];
  page.on('pageerror', (err) => page.jsErrors.push(String(err)));
  return page;
}

/** Saves a full-page screenshot to tests/browser/artifacts/NAME.png and returns its path. */
export async function screenshot(page, name) {
  await fs.mkdir(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Clicks `selector` (a submit button, say) and waits for the page it leads to to load. */
export async function clickAndWait(page, selector) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
}

/** Decodes RFC 4648 base32 (case-insensitive; spaces, dashes and '=' padding ignored). */
export function base32Decode(input) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const clean = input.toUpperCase().replace(/[\s=-]/g, '');
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of clean) {
    const idx = alphabet.indexOf(ch);
    if (idx < 0) throw new Error(`invalid base32 character ${JSON.stringify(ch)}`);
    value = ((value << 5) | idx) & 0xffff; // at most 12 live bits
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

/**
 * RFC 6238 TOTP: HMAC-SHA-1, 30 s steps from the Unix epoch, `digits` digits (6).
 * @param {string} base32Secret
 * @param {number} [timeMs] defaults to now
 */
export function totp(base32Secret, timeMs = Date.now(), digits = 6) {
  const key = base32Decode(base32Secret);
  const counter = BigInt(Math.floor(timeMs / 1000 / 30));
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(counter);
  const mac = createHmac('sha1', key).update(msg).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const bin =
    ((mac[offset] & 0x7f) << 24) |
    (mac[offset + 1] << 16) |
    (mac[offset + 2] << 8) |
    mac[offset + 3];
  return String(bin % 10 ** digits).padStart(digits, '0');
}

/** The username → role table of the demo data the server seeds. */
export const DEMO_USERS = [
  'admin',
  'security',
  'auditor',
  'leader',
  'city_dispatcher',
  'county_dispatcher',
  'town_intake',
  'town_dispatcher',
  'village_worker',
  'grid_worker',
  'mediator',
  'dept_handler',
];

/** Accounts that must sign in with TOTP (三员). */
export const ADMIN_USERS = new Set(['admin', 'security', 'auditor']);

/**
 * Signs `username` in through the console. Handles the TOTP step: on
 * /login/totp/enroll it reads the secret from #totp-secret and stores it in
 * `secrets[username]`; on /login/totp it uses the stored secret.
 * Returns the final URL path; `secrets.steps[username]` records which TOTP page
 * the sign-in went through ('enroll', 'verify' or none). Throws if a TOTP step
 * appears without a secret. A code is never reused: if the last code for this
 * user was from the current 30 s step, it waits for the next one (servers may
 * refuse replays).
 *
 * @param {import('playwright-core').Page} page
 * @param {string} baseUrl
 * @param {string} username
 * @param {string} password
 * @param {Record<string,string>} [secrets]
 */
export async function signIn(page, baseUrl, username, password, secrets = {}) {
  await page.goto(`${baseUrl}/login`);
  await page.fill('form#login-form input[name=username]', username);
  await page.fill('form#login-form input[name=password]', password);
  await clickAndWait(page, 'form#login-form button[type=submit]');

  let pathname = new URL(page.url()).pathname;
  secrets.steps ??= {};
  secrets.steps[username] = null;
  if (pathname === '/login/totp/enroll') {
    const secret = (await page.textContent('#totp-secret'))?.replace(/\s+/g, '') ?? '';
    if (!/^[A-Z2-7]+=*$/i.test(secret)) {
      throw new Error(`#totp-secret does not hold a base32 secret: ${JSON.stringify(secret)}`);
    }
    secrets[username] = secret;
    secrets.steps[username] = 'enroll';
    await submitTotp(page, username, secret);
  } else if (pathname === '/login/totp') {
    const secret = secrets[username];
    if (!secret) throw new Error(`${username} was asked for a TOTP code but its secret is unknown`);
    secrets.steps[username] = 'verify';
    await submitTotp(page, username, secret);
  }
  pathname = new URL(page.url()).pathname;
  return pathname;
}

const lastTotpStep = new Map();

/** Fills and submits a fresh TOTP code, never one from a 30 s step already used for `username`. */
async function submitTotp(page, username, secret) {
  const step = () => Math.floor(Date.now() / 30_000);
  const last = lastTotpStep.get(username);
  if (last !== undefined && step() <= last) {
    await sleep((last + 1) * 30_000 - Date.now() + 250);
  }
  lastTotpStep.set(username, step());
  await page.fill('input[name=code]', totp(secret));
  await clickAndWait(page, 'form:has(input[name=code]) button[type=submit]');
}

/** The `data-menu` values of the sidebar's links, sorted and de-duplicated. */
export async function menuItems(page) {
  const items = await page.$$eval('nav.sidebar a[data-menu]', (as) =>
    as.map((a) => a.getAttribute('data-menu')),
  );
  return [...new Set(items)].sort();
}

/** Text of `.form-error` on the page (all of them joined), or '' if there is none. */
export async function formError(page) {
  const texts = await page.$$eval('.form-error', (els) => els.map((e) => e.textContent ?? ''));
  return texts.join(' ').trim();
}
