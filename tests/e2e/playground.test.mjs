// End to end: the built site (dist/, made by trunk) served on 127.0.0.1, driven in Debian's
// headless Chromium through playwright-core. Run by scripts/test.sh after `trunk build`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = path.join(root, 'dist');
const shots = path.join(root, 'target', 'e2e');
const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
};

let server;
let browser;
let baseUrl;

before(async () => {
  assert.ok(fs.existsSync(path.join(dist, 'index.html')), 'dist/ is missing: run trunk build first');
  server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname).replace(/^\/+/, '');
    const file = path.join(dist, rel);
    if (!file.startsWith(dist) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404);
      res.end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${server.address().port}/`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
});

async function typeLine(page, text) {
  const input = page.locator('.terminal-input');
  await input.fill(text);
  await input.press('Enter');
}

test('the terminal answers CLUSTER KEYSLOT foo with (integer) 12182', async () => {
  const page = await browser.newPage({ viewport: { width: 1000, height: 640 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await page.goto(baseUrl);
    await page.locator('.terminal-input').waitFor({ timeout: 30_000 });
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
