// End to end: static/api-demo.html drives a read-only playground through the JavaScript API
// (ClusterLab.mount with scenario text, seed, speed, panels and read-only; run, play, pause,
// reset) and shows the events it reports; bad messages get clear errors.
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

test('a host page drives a playground through the JavaScript API', async () => {
  const page = await site.browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await page.goto(`${site.url}api-demo.html`);
    const log = page.locator('#log');
    const nodes = page.locator('#nodes');
    const frame = page.frameLocator('#lab iframe');
    // Mounted with the page's scenario text: six nodes, three with slots, paused at 10x.
    await log.filter({ hasText: 'ready' }).waitFor({ timeout: 30_000 });
    await nodes.filter({ hasText: '7005 slave' }).waitFor();
    assert.match(await nodes.textContent(), /7000 master epoch \d+ 0-5460/);
    assert.match(await nodes.textContent(), /clock paused at 10x/);
    const replica = (await nodes.textContent()).match(/(\d+) slave of 7000/)[1];
    // Read-only, with the panels asked for.
    await frame.locator('.terminal-read-only').waitFor();
    assert.equal(await frame.locator('.terminal-input').count(), 0);
    assert.equal(await frame.locator('.node-actions, .partition-actions').count(), 0);
    assert.equal(await frame.locator('.topology').count(), 1);
    assert.equal(await frame.locator('.slot-map, .event-log').count(), 0);
    assert.equal(await frame.locator('select[aria-label=speed]').inputValue(), '10');
    // run: the line runs in the frame's terminal and its output comes back as an event.
    await page.click('#info');
    await log.filter({ hasText: 'output #1: redis-cli -p 7000 CLUSTER INFO' }).waitFor();
    assert.match(await log.textContent(), /cluster_state:ok/);
    await frame.locator('.terminal-line').filter({ hasText: 'cluster_slots_assigned:16384' }).waitFor();
    // Kill a master and play (a SIGINT-ed server exits once time runs): the replica is
    // promoted and the page hears it.
    await page.click('#kill');
    await log.filter({ hasText: 'output #2: sim kill 7000' }).waitFor();
    await page.click('#play');
    await nodes.filter({ hasText: 'clock playing at 10x' }).waitFor();
    await nodes.filter({ hasText: '7000 master (down)' }).waitFor();
    await log.filter({ hasText: `node-promoted ${replica}` }).waitFor({ timeout: 30_000 });
    await nodes.filter({ hasText: new RegExp(`${replica} master epoch \\d+ 0-5460`) }).waitFor();
    await page.click('#pause');
    await nodes.filter({ hasText: 'clock paused' }).waitFor();
    // reset: the page's scenario again, from the start.
    await page.click('#reset');
    await nodes.filter({ hasText: `${replica} slave of 7000` }).waitFor();
    assert.doesNotMatch(await nodes.textContent(), /\(down\)/);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

test('bad messages get clear errors and only the parent is listened to', async () => {
  const page = await site.browser.newPage();
  try {
    await page.goto(`${site.url}api-demo.html`);
    const log = page.locator('#log');
    await page.locator('#nodes').filter({ hasText: '7005 slave' }).waitFor({ timeout: 30_000 });
    const origin = new URL(site.url).origin;
    // A speed the clock does not offer, then an unknown field: each an error event and a
    // banner in the frame, as text.
    await page.evaluate((o) => {
      const w = document.querySelector('#lab iframe').contentWindow;
      w.postMessage({ type: 'clusterlab:mount', options: { speed: 3 } }, o);
      w.postMessage({ type: 'clusterlab:run', line: '<b>x</b>', sudo: true }, o);
    }, origin);
    await log.filter({ hasText: 'error: the page' }).waitFor();
    await log.filter({ hasText: /speed must be one of 0\.01, 0\.1/ }).waitFor();
    await log.filter({ hasText: /unknown field `sudo`/ }).waitFor();
    const frame = page.frameLocator('#lab iframe');
    await frame.locator('.error-banner').filter({ hasText: 'cannot be followed' }).waitFor();
    assert.equal(await frame.locator('b').count(), 0);
    // A message the frame posts to itself is not its parent's: it is ignored.
    const inner = page.frames().find((f) => f !== page.mainFrame());
    await inner.evaluate(() => window.postMessage({ type: 'clusterlab:run', line: 'sim kill 7001' }, '*'));
    await page.click('#info');
    await log.filter({ hasText: 'output #1:' }).waitFor();
    assert.doesNotMatch(await log.textContent(), /sim kill 7001/);
    assert.doesNotMatch(await page.locator('#nodes').textContent(), /7001 master \(down\)/);
  } finally {
    await page.close();
  }
});
