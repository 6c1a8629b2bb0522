// End to end: static/embed-demo.html with three embedded playgrounds of different sizes, each
// working on its own, and the host page hearing that an exercise was solved in one of them.
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

async function typeIn(frame, text) {
  const input = frame.locator('.terminal-input');
  await input.fill(text);
  await input.press('Enter');
  await settled(frame);
}

test('three embeds work independently and the host hears a solved exercise', async () => {
  const page = await site.browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await page.goto(`${site.url}embed-demo.html`);
    const card = page.frameLocator('#card');
    const exercise = page.frameLocator('#exercise');
    const wide = page.frameLocator('#wide iframe');
    for (const f of [card, exercise, wide]) {
      await f.locator('.terminal-input').waitFor({ timeout: 30_000 });
      // Chrome-less: no page header, no preset menu; a way out to the full playground.
      assert.equal(await f.locator('.app-header').count(), 0);
      assert.equal(await f.locator('.preset-select').count(), 0);
      assert.equal(await f.locator('.open-full').count(), 1);
    }
    // The card runs the 3+3 preset, the wide one walks the seed failover, the middle one has
    // an exercise: each its own world.
    await card.locator('.topology .node').nth(5).waitFor();
    assert.equal(await card.locator('.topology .node').count(), 6);
    assert.equal(await exercise.locator('.topology .node').count(), 3);
    // Each playground said it is ready.
    await page.waitForFunction(() => [...document.querySelectorAll('#events li')].filter((li) => li.textContent === 'clusterlab:ready').length === 3);
    await wide.locator('.guide-run').click();
    await wide.locator('.topology .node').first().waitFor();
    assert.equal(await wide.locator('.topology .node').count(), 1);
    // Killing a node in the card changes nothing elsewhere.
    await typeIn(card, 'exit');
    await typeIn(card, 'sim kill 7000');
    assert.equal(await exercise.locator('.topology .node.down').count(), 0);
    assert.equal(await wide.locator('.topology .node').count(), 1);
    // Solving the exercise by typing: the host page hears of it.
    await typeIn(exercise, 'redis-cli -c -p 7000 SET user:1 alice');
    await exercise.locator('.exercise-check').click();
    await exercise.locator('.verdict-solved').waitFor();
    await page.locator('#events li').filter({ hasText: 'clusterlab:exercise-completed slots-and-redirection' }).waitFor();
    // The wide one walks the whole seed failover: the host hears 7003's promotion.
    while (await wide.locator('.guide-run').count() > 0) {
      await wide.locator('.guide-run').click();
    }
    await page.locator('#events li').filter({ hasText: 'clusterlab:node-promoted 7003' }).waitFor();
    // The small card fits its frame: no sideways scrolling inside it.
    const overflow = await card.locator('main').evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the card scrolls sideways by ${overflow} px`);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

test('a bad option in an embed address is a clear error, not a broken page', async () => {
  const page = await site.browser.newPage();
  try {
    await page.goto(`${site.url}?embed=1&preset=<b>bold</b>`);
    const banner = page.locator('.error-banner');
    await banner.waitFor({ timeout: 30_000 });
    assert.match(await banner.textContent(), /there is no scenario/);
    assert.equal(await page.locator('b').count(), 0);
  } finally {
    await page.close();
  }
});

test('the <cluster-lab> element mounts a playground that plays from the start with autoplay', async () => {
  const page = await site.browser.newPage();
  try {
    await page.goto(`${site.url}embed-demo.html`);
    await page.evaluate(() => {
      const el = document.createElement('cluster-lab');
      el.setAttribute('scenario', 'three-plus-three');
      el.setAttribute('autoplay', '');
      el.id = 'custom';
      document.body.append(el);
    });
    const frame = page.frameLocator('#custom iframe');
    await frame.locator('.topology .node').nth(5).waitFor({ timeout: 30_000 });
    assert.equal(await frame.locator('.play').getAttribute('aria-pressed'), 'true');
    assert.match(await page.locator('#custom iframe').getAttribute('src'), /\?embed=1&preset=three-plus-three&play=1$/);
  } finally {
    await page.close();
  }
});

test('embed attributes choose the speed, the panels and read-only', async () => {
  const page = await site.browser.newPage();
  try {
    await page.goto(`${site.url}embed-demo.html`);
    await page.evaluate(() => {
      const el = document.createElement('cluster-lab');
      el.setAttribute('scenario', 'three-plus-three');
      el.setAttribute('speed', '10');
      el.setAttribute('panels', 'clock,terminal,slots');
      el.setAttribute('readonly', '');
      el.id = 'custom';
      document.body.append(el);
    });
    assert.match(
      await page.locator('#custom iframe').getAttribute('src'),
      /\?embed=1&preset=three-plus-three&speed=10&panels=clock%2Cterminal%2Cslots&readonly=1$/,
    );
    const frame = page.frameLocator('#custom iframe');
    await frame.locator('.slot-map').waitFor({ timeout: 30_000 });
    await frame.locator('.terminal-read-only').waitFor();
    // Read-only: no input line; only the panels asked for; the clock at 10x.
    assert.equal(await frame.locator('.terminal-input').count(), 0);
    assert.equal(await frame.locator('.topology').count(), 0);
    assert.equal(await frame.locator('select[aria-label=speed]').inputValue(), '10');
  } finally {
    await page.close();
  }
});
