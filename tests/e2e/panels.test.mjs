// End to end: the playground's panels in headless Chromium. The site (dist/, from trunk) is
// served on 127.0.0.1 by ./serve.mjs. Screenshots go to target/e2e/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startSite, shots, root, settled } from './site.mjs';

let site;
before(async () => {
  site = await startSite();
});
after(async () => {
  await site?.close();
});

async function open(options = {}) {
  const page = await site.browser.newPage({ viewport: { width: 1440, height: 900 }, ...options });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(site.url);
  await page.locator('.terminal-input').waitFor({ timeout: 30_000 });
  await settled(page);
  return { page, errors };
}

async function typeLine(page, text) {
  const input = page.locator('.terminal-input');
  await input.fill(text);
  await input.press('Enter');
  await settled(page);
}

async function lastOutputAfter(page, typed) {
  const lines = await page.locator('.terminal-line').allTextContents();
  const at = lines.lastIndexOf(typed);
  assert.notEqual(at, -1, `${typed} missing`);
  const out = [];
  for (const l of lines.slice(at + 1)) {
    if (/^(\$ |127\.0\.0\.1:\d+> )/.test(l)) break;
    out.push(l);
  }
  return out;
}

/** Runs the current guided step, and waits for it to end (a step runs over the clock's ticks). */
async function runStep(page) {
  await page.locator('.guide-run').click();
  await settled(page);
  await page.locator('.terminal-running').waitFor({ state: 'detached' });
}

async function runGuide(page) {
  await page.selectOption('.preset-select', 'seed-failover');
  await settled(page);
  const steps = await page.locator('.guide-step').count();
  for (let i = 0; i < steps; i++) {
    await runStep(page);
  }
  await page.locator('.guide-done').waitFor();
}

function save(name) {
  fs.mkdirSync(shots, { recursive: true });
  return path.join(shots, name);
}

/** A screenshot of the top of the page (clicks scroll their target into view). */
async function shoot(page, name, options = {}) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: save(name), ...options });
}

test('the seed preset walks to the promotion and the topology shows 7003 as master', async () => {
  const { page, errors } = await open();
  try {
    await page.selectOption('.preset-select', 'seed-failover');
  await settled(page);
    // Run up to the kill, then the rest, taking pictures of the main states.
    const steps = await page.locator('.guide-step').count();
    for (let i = 0; i < steps; i++) {
      const line = await page.locator('.guide-step.current .guide-line').textContent();
      await runStep(page);
      if (line === '$ sleep 10' && i > 8) await shoot(page, 'after-failover.png');
      if (line.startsWith('127.0.0.1:7003> CLUSTER REPLICATE')) {
        await runStep(page); // sleep 10: the replica syncs
        i += 1;
        await shoot(page, 'cluster-ready.png');
      }
    }
    const master7003 = page.locator('.topology .node.master[data-label^="7003 master"]');
    await master7003.waitFor();
    assert.match(await master7003.getAttribute('data-label'), /slots 0-5460, configEpoch 4, ok/);
    // The old master came back as 7003's replica, drawn as a square.
    await page.locator('.topology .node.replica[data-label^="7000 replica, of 7003"]').waitFor();
    // The event log explains the election with its numbers.
    await page.locator('.event-log li', { hasText: '7003 won the election with 2 votes of the 2 needed' }).waitFor();
    await page.locator('.event-log li', { hasText: /marks 7000 as FAIL: failure reports from .* the quorum of 3 masters is 2/ }).waitFor();
    await shoot(page, 'seed-preset.png');
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

test('a click on Kill writes the same line and has the same outcome as typing it', async () => {
  const outcome = async (useClick) => {
    const { page, errors } = await open();
    try {
      await page.selectOption('.preset-select', 'three-plus-three');
      await settled(page);
      await page.locator('.topology .node[data-label^="7000 master"]').waitFor();
      await typeLine(page, 'redis-cli -p 7001');
      if (useClick) {
        await page.locator('.topology .node[data-label^="7000 master"]').click();
        await page.locator('.node-action.kill').click();
        await shoot(page, 'node-actions.png');
      } else {
        await typeLine(page, 'exit');
        await typeLine(page, 'sim kill 7000');
        await typeLine(page, 'redis-cli -p 7001');
      }
      await typeLine(page, 'DEBUG SLEEP 0');
      await page.locator('.terminal-input').fill('');
      await typeLine(page, 'exit');
      await typeLine(page, 'sleep 20');
      await typeLine(page, 'redis-cli -p 7001 CLUSTER NODES');
      const nodes = await lastOutputAfter(page, '$ redis-cli -p 7001 CLUSTER NODES');
      await page.locator('.transcript summary').click();
      const transcript = await page.locator('.transcript pre').textContent();
      assert.deepEqual(errors, []);
      return { nodes, transcript };
    } finally {
      await page.close();
    }
  };
  const clicked = await outcome(true);
  const typed = await outcome(false);
  assert.match(clicked.transcript, /^\$ sim kill 7000$/m, clicked.transcript);
  assert.match(typed.transcript, /^\$ sim kill 7000$/m);
  assert.deepEqual(clicked.nodes, typed.nodes);
  assert.ok(clicked.nodes.some((l) => / 127\.0\.0\.1:7000@17000 master,fail /.test(l)), clicked.nodes.join('\n'));
});

test('scrubbing back restores the earlier CLUSTER NODES output', async () => {
  const { page, errors } = await open();
  try {
    await runGuide(page);
    await typeLine(page, 'exit');
    await typeLine(page, 'redis-cli -p 7001 CLUSTER NODES');
    const after = await lastOutputAfter(page, '$ redis-cli -p 7001 CLUSTER NODES');
    assert.ok(after.some((l) => /127\.0\.0\.1:7003@17003 master - 0 \d+ 4 connected 0-5460/.test(l)), after.join('\n'));
    // The moment 7000 was sent SIGINT, as the event log links it.
    await page.locator('.event-log li', { hasText: '7000 was sent SIGINT' }).locator('.event-time').click();
    await page.locator('.rewound-note').waitFor();
    await shoot(page, 'rewound.png');
    await typeLine(page, 'redis-cli -p 7001 CLUSTER NODES');
    assert.equal(await page.locator('.terminal-prompt').textContent(), '$ ');
    const before = await lastOutputAfter(page, '$ redis-cli -p 7001 CLUSTER NODES');
    assert.ok(before.some((l) => /127\.0\.0\.1:7000@17000 master - 0 \d+ 1 connected 0-5460/.test(l)), before.join('\n'));
    assert.ok(before.some((l) => /127\.0\.0\.1:7003@17003 slave /.test(l)), before.join('\n'));
    // Typing there forked: the timeline is live again, and the future was dropped.
    assert.equal(await page.locator('.rewound-note').count(), 0);
    await page.locator('.transcript summary').click();
    const transcript = await page.locator('.transcript pre').textContent();
    assert.doesNotMatch(transcript, /sim kill 7000/);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

test('keyboard only: Tab to a node, Enter inspects it; events are announced', async () => {
  const { page, errors } = await open();
  try {
    await page.selectOption('.preset-select', 'three-plus-three');
    await settled(page);
    const node = page.locator('.topology .node[data-label^="7001 master"]');
    await node.focus();
    await page.keyboard.press('Enter');
    await page.locator('.inspector h2', { hasText: 'Node 7001' }).waitFor();
    await page.locator('.node-action.crash').focus();
    await page.keyboard.press('Enter');
    await typeLine(page, 'sleep 10');
    const spoken = await page.locator('.announcer').textContent();
    assert.match(spoken, /7001/, spoken);
    assert.equal(await page.locator('.announcer').getAttribute('aria-live'), 'polite');
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

for (const colorScheme of ['dark', 'light']) {
  test(`axe-core finds no serious or critical violations (${colorScheme})`, async () => {
    // The page's CSP (rightly) refuses injected scripts; axe is the test's, not the page's.
    const { page, errors } = await open({ colorScheme, bypassCSP: true });
    try {
      await page.selectOption('.preset-select', 'seed-failover');
  await settled(page);
      await page.locator('.guide-run').click();
      await typeLine(page, 'redis-cli -p 7000');
      await typeLine(page, 'CLUSTER MEET');
      await page.locator('.topology .node').first().click();
      await page.locator('.inspector').waitFor();
      await page.addScriptTag({ path: path.join(root, 'node_modules', 'axe-core', 'axe.min.js') });
      const result = await page.evaluate(async () =>
        // eslint-disable-next-line no-undef
        axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }),
      );
      const bad = result.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
      assert.deepEqual(bad, []);
      await shoot(page, `theme-${colorScheme}.png`);
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
    }
  });
}

test('usable at 360 px wide, and reduced motion stops the flying', async () => {
  const { page, errors } = await open({ viewport: { width: 360, height: 740 }, reducedMotion: 'reduce' });
  try {
    await page.selectOption('.preset-select', 'three-plus-three');
    await settled(page);
    await page.locator('.topology .node').first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px`);
    const animation = await page.evaluate(() => {
      const svg = document.querySelector('.topology-svg');
      const c = document.createElementNS('http://www.w3.org/2000/svg', 'circle');
      c.setAttribute('class', 'flight msg-ping');
      svg.appendChild(c);
      const name = getComputedStyle(c).animationName;
      c.remove();
      return name;
    });
    assert.equal(animation, 'arrive');
    await shoot(page, 'narrow.png', { fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

test('a file that is not a scenario gets a clear error in the page', async () => {
  const { page, errors } = await open();
  try {
    await page.setInputFiles('.scenario-file', {
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('<script>alert(1)</script>\nhello\n'),
    });
    const banner = page.locator('.error-banner');
    await banner.waitFor();
    assert.match(await banner.textContent(), /no typed lines/);
    assert.equal(await page.locator('script:text("alert")').count(), 0);
    await page.setInputFiles('.scenario-file', {
      name: 'two.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('$ redis-server --port 7000 --cluster-enabled yes\n$ redis-server --port 7001 --cluster-enabled yes\n'),
    });
    await page.locator('.topology .node').nth(1).waitFor();
    assert.equal(await page.locator('.error-banner').count(), 0);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});
