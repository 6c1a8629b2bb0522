// End to end: share links (a round trip through the address bar, a damaged link) and an
// exercise solved by typing, in headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSite, settled } from './site.mjs';

let site;
before(async () => {
  site = await startSite();
});
after(async () => {
  await site?.close();
});

async function open(url) {
  const context = await site.browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  await page.locator('.terminal-input').waitFor({ timeout: 30_000 });
  await settled(page);
  return { page, errors, context };
}

async function typeLine(page, text) {
  const input = page.locator('.terminal-input');
  await input.fill(text);
  await input.press('Enter');
  await settled(page);
}

async function outputOf(page, typed) {
  const before = await page.locator('.terminal-line.input').count();
  await typeLine(page, typed);
  await page.waitForFunction((n) => document.querySelectorAll('.terminal-line.input').length > n, before);
  const lines = await page.locator('.terminal-line').allTextContents();
  const at = lines.lastIndexOf(`$ ${typed}`);
  assert.notEqual(at, -1, `${typed} missing`);
  return lines.slice(at + 1).filter((l) => !l.startsWith('$ '));
}

test('a share link reopens the same cluster in a new tab', async () => {
  const first = await open(site.url);
  let link;
  try {
    const { page } = first;
    await page.selectOption('.preset-select', 'three-plus-three');
    await settled(page);
    // The preset leaves the terminal in redis-cli: back to the shell.
    await typeLine(page, 'exit');
    await typeLine(page, 'sim kill 7000');
    await typeLine(page, 'sleep 30');
    const nodes = await outputOf(page, 'redis-cli -p 7001 CLUSTER NODES');
    await page.locator('.copy-link').click();
    await page.locator('.link-status').filter({ hasText: 'Link ready' }).waitFor();
    link = page.url();
    assert.match(link, /#s=[A-Za-z0-9_-]+$/);
    const status = await page.locator('.link-status').textContent();
    console.log(`# share link for the 3+3 preset plus a failover: ${link.length} characters (${status})`);
    assert.ok(link.length < 2000, `short enough for ordinary use: ${link.length}`);
    const second = await open(link);
    try {
      await typeLine(second.page, 'exit');
      const again = await outputOf(second.page, 'redis-cli -p 7001 CLUSTER NODES');
      // The same ids, roles, epochs and slots (ping/pong times move on as time passes).
      const strip = (ls) => ls.map((l) => l.split(' ').filter((_, i) => i !== 4 && i !== 5).join(' ')).sort();
      assert.deepEqual(strip(again), strip(nodes));
      assert.equal(await second.page.locator('.error-banner').count(), 0);
      assert.deepEqual(second.errors, []);
    } finally {
      await second.context.close();
    }
    assert.deepEqual(first.errors, []);
  } finally {
    await first.context.close();
  }
});

test('a damaged share link shows a clear error and no markup from it', async () => {
  const { page, errors, context } = await open(`${site.url}#s=AAA<img src=x onerror=alert(1)>`);
  try {
    const banner = page.locator('.error-banner');
    await banner.waitFor();
    assert.match(await banner.textContent(), /This share link cannot be opened: the link contains/);
    assert.equal(await page.locator('img[src=x]').count(), 0);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('an exercise solved by typing in the terminal says so', async () => {
  const { page, errors, context } = await open(site.url);
  try {
    await page.selectOption('.exercise-select', '0');
    await settled(page);
    await page.locator('.exercise h3').filter({ hasText: 'Slots and redirection' }).waitFor();
    await page.locator('.exercise-check').click();
    // The verdict comes from the worker: read it once the page has its answer.
    await settled(page);
    assert.match(await page.locator('.exercise-verdict').textContent(), /Not yet/);
    await typeLine(page, 'redis-cli -c -p 7000 SET user:1 alice');
    await page.locator('.exercise-check').click();
    await page.locator('.verdict-solved').waitFor();
    assert.match(await page.locator('.exercise-select').textContent(), /1 of 11 solved/);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('the panels shown travel in a share link', async () => {
  const first = await open(site.url);
  try {
    const { page } = first;
    assert.equal(await page.locator('.event-log').count(), 1);
    await page.locator('.panel-menu summary').click();
    await page.locator('.panel-menu input[name=events]').uncheck();
    await page.locator('.panel-menu input[name=beliefs]').uncheck();
    await settled(page);
    assert.equal(await page.locator('.event-log, .belief-matrix').count(), 0);
    await page.locator('.copy-link').click();
    await page.locator('.link-status').filter({ hasText: 'Link ready' }).waitFor();
    const second = await open(page.url());
    try {
      const p = second.page;
      await p.locator('.topology').waitFor();
      assert.equal(await p.locator('.event-log, .belief-matrix').count(), 0);
      assert.equal(await p.locator('.lost-writes').count(), 1);
      assert.equal(await p.locator('.panel-menu input[name=events]').isChecked(), false);
      assert.deepEqual(second.errors, []);
    } finally {
      await second.context.close();
    }
    assert.deepEqual(first.errors, []);
  } finally {
    await first.context.close();
  }
});
