// End to end: the terminal on the built site, driven in Debian's headless Chromium through
// playwright-core (see ./site.mjs). Run by scripts/test.sh after `trunk build`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startSite, shots, settled } from './site.mjs';

let site;
let browser;
let baseUrl;

before(async () => {
  site = await startSite();
  browser = site.browser;
  baseUrl = site.url;
});

after(async () => {
  await site?.close();
});

/** A new page on the playground, ready for typing, and the errors it throws. */
async function openPlayground() {
  const page = await browser.newPage({ viewport: { width: 1000, height: 640 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(baseUrl);
  await page.locator('.terminal-input').waitFor({ timeout: 30_000 });
  await settled(page);
  return { page, errors };
}

/** Loads the 3+3 preset, waits for its lines to run, and leaves its redis-cli for the shell. */
async function sixNodesAtTheShell(page) {
  await page.selectOption('.preset-select', 'three-plus-three');
  await settled(page);
  await page.locator('.terminal-prompt', { hasText: '127.0.0.1:7000>' }).waitFor({ timeout: 30_000 });
  await typeLine(page, 'exit');
}

async function typeLine(page, text) {
  const input = page.locator('.terminal-input');
  await input.fill(text);
  await input.press('Enter');
  await settled(page);
}

test('the terminal answers CLUSTER KEYSLOT foo with (integer) 12182', async () => {
  const { page, errors } = await openPlayground();
  try {
    assert.equal(await page.locator('.terminal-prompt').textContent(), '$ ');

    await typeLine(page, 'redis-server --port 7000 --cluster-enabled yes --daemonize yes');
    await typeLine(page, 'redis-cli -p 7000');
    await page.locator('.terminal-prompt', { hasText: '127.0.0.1:7000>' }).waitFor();
    await typeLine(page, 'CLUSTER KEYSLOT foo');
    const reply = page.locator('.terminal-line', { hasText: '(integer) 12182' });
    await reply.waitFor({ timeout: 10_000 });

    const lines = await page.locator('.terminal-line').allTextContents();
    const at = lines.lastIndexOf('127.0.0.1:7000> CLUSTER KEYSLOT foo');
    assert.notEqual(at, -1, `typed line missing from: ${lines.join(' | ')}`);
    assert.equal(lines[at + 1], '(integer) 12182');

    await typeLine(page, 'CLUSTER NODES');
    await page.locator('.terminal-line', { hasText: ':7000@17000 myself,master - 0 0 0 connected' }).waitFor();

    fs.mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: path.join(shots, 'terminal.png') });
    assert.deepEqual(errors, [], 'the page threw');
  } finally {
    await page.close();
  }
});

test('arrow-up recalls the previous line', async () => {
  const page = await browser.newPage();
  try {
    await page.goto(baseUrl);
    const input = page.locator('.terminal-input');
    await input.waitFor({ timeout: 30_000 });
    await typeLine(page, 'echo hello');
    await page.locator('.terminal-line', { hasText: /^hello$/ }).waitFor();
    await input.press('ArrowUp');
    assert.equal(await input.inputValue(), 'echo hello');
  } finally {
    await page.close();
  }
});

test('the seed failover runs in the browser terminal: 7003 is promoted with epoch 4', async () => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await page.goto(baseUrl);
    await page.locator('.terminal-input').waitFor({ timeout: 30_000 });
    const lines = [
      'redis-server --port 7000 --cluster-enabled yes --cluster-node-timeout 2000 --daemonize yes',
      'redis-server --port 7001 --cluster-enabled yes --cluster-node-timeout 2000 --daemonize yes',
      'redis-server --port 7002 --cluster-enabled yes --cluster-node-timeout 2000 --daemonize yes',
      'redis-cli --cluster create 127.0.0.1:7000 127.0.0.1:7001 127.0.0.1:7002 --cluster-replicas 0 --cluster-yes',
      'redis-server --port 7003 --cluster-enabled yes --cluster-node-timeout 2000 --daemonize yes',
      'redis-cli -p 7003 CLUSTER MEET 127.0.0.1 7000',
      'sleep 3',
      'redis-cli -p 7003 CLUSTER REPLICATE $(redis-cli -p 7000 CLUSTER MYID)',
      'sleep 10',
      'sim kill 7000',
      'sleep 30',
      'redis-cli -p 7003 CLUSTER NODES',
      'redis-cli -p 7003 CLUSTER INFO',
    ];
    for (const l of lines) await typeLine(page, l);
    await page
      .locator('.terminal-line', { hasText: /127\.0\.0\.1:7003@17003 myself,master - 0 \d+ 4 connected 0-5460/ })
      .waitFor({ timeout: 30_000 });
    await page.locator('.terminal-line', { hasText: /^cluster_current_epoch:4$/ }).waitFor();
    await page.locator('.terminal-line', { hasText: /127\.0\.0\.1:7000@17000 master,fail - / }).waitFor();
    fs.mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: path.join(shots, 'seed-failover.png'), fullPage: false });
    // The belief matrix agrees, and the inspector shows 7003's side of the story.
    await page.locator('.belief-matrix .row-select', { hasText: '7003 master' }).click();
    await page.locator('.inspector h2', { hasText: 'Node 7003' }).waitFor();
    await page.locator('.inspector .node-log', { hasText: 'Failover election won' }).waitFor();
    await page.screenshot({ path: path.join(shots, 'inspector.png'), fullPage: false });
    assert.deepEqual(errors, [], 'the page threw');
  } finally {
    await page.close();
  }
});

test('the page runs under a strict Content-Security-Policy without violating it', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const violations = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  try {
    await page.goto(baseUrl);
    await page.locator('.terminal-input').waitFor({ timeout: 30_000 });
    const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    assert.match(policy, /default-src 'none'/);
    assert.match(policy, /script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/=]+'/);
    assert.match(policy, /style-src 'self'(;|$)/);
    assert.doesNotMatch(policy, /unsafe-inline/);
    // Record every violation in the page itself as well.
    await page.evaluate(() => {
      window.__violations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    // Messages fly in the topology and the timeline gets marks: both set styles via the CSSOM.
    await page.selectOption('.preset-select', 'three-plus-three');
    await settled(page);
    await typeLine(page, 'exit');
    await typeLine(page, 'sim kill 7000');
    await page.locator('.play').click();
    await page.locator('.flight').first().waitFor({ timeout: 10_000 });
    await page.locator('.timeline-marks .mark').first().waitFor({ timeout: 30_000 });
    const transform = await page.locator('.flight').first().evaluate((el) => el.style.getPropertyValue('--x2'));
    assert.match(transform, /px$/, 'the flight got its coordinates');
    const left = await page.locator('.timeline-marks .mark').first().evaluate((el) => el.style.left);
    assert.match(left, /%$/, 'the mark got its position');
    await page.locator('.play').click();
    assert.deepEqual(await page.evaluate(() => window.__violations), []);
    assert.deepEqual(violations, []);
  } finally {
    await page.close();
  }
});

test('the world is stepped in a Web Worker, not on the page', async () => {
  const { page, errors } = await openPlayground();
  try {
    // The page names the worker's script, and the worker runs the engine's wasm.
    const workers = page.workers();
    assert.equal(workers.length, 1, 'one worker');
    assert.match(workers[0].url(), /\/worker_loader\.js$/);
    assert.equal(await workers[0].evaluate(() => typeof wasm_bindgen), 'function');
    // Its frames reach the page: a typed line is answered.
    await typeLine(page, 'redis-server --port 7000 --cluster-enabled yes --daemonize yes');
    await typeLine(page, 'redis-cli -p 7000 cluster keyslot foo');
    await page.locator('.terminal-line', { hasText: '(integer) 12182' }).waitFor();
    assert.equal(await page.locator('main.app').getAttribute('data-pending'), '0');
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

test('without its worker the page says the simulator cannot run, does not hang, and reloads', async () => {
  // A page whose worker script does not load, and one that names no worker at all.
  for (const [what, setup, text] of [
    ['a worker script that does not load', (page) => page.route('**/worker_loader.js', (r) => r.fulfill({ status: 404, body: '' })), 'The simulator stopped'],
    [
      'no worker named',
      (page) =>
        page.route(/\/$/, async (r) => {
          const res = await r.fetch();
          const html = (await res.text()).replace(/<meta name="clusterlab-worker"[^>]*>/, '');
          await r.fulfill({ response: res, body: html });
        }),
      'The simulator cannot start',
    ],
  ]) {
    const page = await browser.newPage({ viewport: { width: 1000, height: 640 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    try {
      await setup(page);
      await page.goto(baseUrl);
      const banner = page.locator('.error-banner', { hasText: text });
      await banner.waitFor({ timeout: 30_000 });
      assert.match(await banner.textContent(), /Reload the page/, what);
      // Nothing waits on an answer that will not come.
      await settled(page);
      assert.deepEqual(errors, [], what);
      // Dismissing would leave a page that does nothing: the banner's one button reloads,
      // and once the cause is gone the simulator runs again.
      assert.equal(await banner.locator('button').count(), 1, what);
      await page.unrouteAll();
      await banner.getByRole('button', { name: 'Reload' }).click();
      await page.locator('.error-banner').waitFor({ state: 'detached', timeout: 30_000 });
      await typeLine(page, 'redis-server --port 7000 --daemonize yes');
      await typeLine(page, 'redis-cli -p 7000 PING');
      await page.locator('.terminal-line', { hasText: /^PONG$/ }).waitFor({ timeout: 10_000 });
      assert.deepEqual(errors, [], what);
    } finally {
      await page.close();
    }
  }
});

test('a line that waits on a day of virtual time runs over the clock ticks and the page stays responsive', async (t) => {
  const { page, errors } = await openPlayground();
  try {
    await sixNodesAtTheShell(page);
    const typedAt = Date.now();
    await typeLine(page, 'sleep 86400');
    // Six nodes for a day is millions of events: seconds of CPU, run a tick's budget at a time.
    const running = page.locator('.terminal-running');
    await running.waitFor({ timeout: 10_000 });
    const first = await running.textContent();
    assert.match(first, /^Running: [\d.]+ s of virtual time so far\./);
    // Meanwhile the page draws frames: ten animation frames come within a couple of seconds.
    const frames = await page.evaluate(
      () =>
        new Promise((resolve) => {
          const start = performance.now();
          let n = 0;
          const next = () => (++n === 10 ? resolve(performance.now() - start) : requestAnimationFrame(next));
          requestAnimationFrame(next);
        }),
    );
    assert.ok(frames < 2000, `ten frames took ${frames} ms`);
    t.diagnostic(`while it ran, ten animation frames took ${Math.round(frames)} ms`);
    // And the line moves on: the virtual time it reports grows.
    await page.waitForFunction(
      (before) => {
        const el = document.querySelector('.terminal-running');
        return !el || el.textContent !== before;
      },
      first,
      { timeout: 10_000 },
    );
    // It ends with the prompt back, recorded as typed.
    await page.locator('.terminal-input').waitFor({ timeout: 120_000 });
    t.diagnostic(`the day of six nodes took ${Date.now() - typedAt} ms of real time`);
    const lines = await page.locator('.terminal-line').allTextContents();
    assert.ok(lines.includes('$ sleep 86400'), lines.slice(-5).join(' | '));
    assert.match(await page.locator('.clock').first().textContent(), /15 Jan 2020/);
    assert.deepEqual(errors, [], 'the page threw');
  } finally {
    await page.close();
  }
});

test('Ctrl-C stops a running sleep where it is and gives the prompt back', async () => {
  const { page, errors } = await openPlayground();
  try {
    await sixNodesAtTheShell(page);
    const clock = async () => Date.parse((await page.locator('.clock').first().textContent()).replace(' UTC', 'Z'));
    const before = await clock();
    await typeLine(page, 'sleep 86400');
    await page.locator('.terminal-running').waitFor({ timeout: 10_000 });
    // The prompt is gone, so the Stop button holds the focus: Ctrl-C goes to it.
    await page.waitForFunction(() => document.activeElement?.classList.contains('terminal-stop'));
    await page.keyboard.press('Control+c');
    await page.locator('.terminal-input').waitFor({ timeout: 10_000 });
    const lines = await page.locator('.terminal-line').allTextContents();
    assert.deepEqual(lines.slice(-2), ['$ sleep 86400', '^C']);
    const slept = (await clock()) - before;
    assert.ok(slept > 0 && slept < 86_400_000, `the sleep stopped after ${slept} virtual ms`);
    // The prompt has the focus back: typing goes on without a click.
    await page.waitForFunction(() => document.activeElement?.classList.contains('terminal-input'));
    await page.keyboard.type('redis-cli -p 7000 PING');
    await page.keyboard.press('Enter');
    await page.locator('.terminal-line', { hasText: 'PONG' }).last().waitFor();
    assert.deepEqual(errors, [], 'the page threw');
  } finally {
    await page.close();
  }
});
