// A benchmark, not a test (scripts/bench.sh page [NODES...]): the built playground in headless
// Chromium with a big world. For each size it loads a scenario file that starts the servers and
// runs `redis-cli --cluster create --cluster-replicas 1`, then plays the clock at 1x, and prints
// how long that took, how smoothly the page drew meanwhile (animation frames) and how soon a
// line typed while it plays is answered. Numbers are printed, never asserted;
// docs/PERFORMANCE.md records them.
import { startSite } from './site.mjs';

const sizes = process.argv.slice(2).map(Number);
const playSeconds = Number(process.env.BENCH_PLAY_SECONDS ?? 30);
// BENCH_KILL=PORT kills that server at half time, so the second half covers a failover, and
// prints at the end the cluster's state and whether the killed node still holds slots (play
// long enough for the failover to finish).
const killPort = process.env.BENCH_KILL;

/** A scenario file: `n` servers from port 30000, then a cluster of them. */
function scenario(n) {
  const ports = Array.from({ length: n }, (_, i) => 30000 + i);
  const servers = ports.map((p) => `$ redis-server --port ${p} --cluster-enabled yes --daemonize yes`);
  const create = `$ redis-cli --cluster create ${ports.map((p) => `127.0.0.1:${p}`).join(' ')} --cluster-replicas 1 --cluster-yes`;
  return [...servers, create].join('\n') + '\n';
}

/** Records, in the page, every gap between animation frames; returns a reader of them. */
async function watchFrames(page) {
  await page.evaluate(() => {
    window.benchFrames = [];
    let last = performance.now();
    const tick = (t) => {
      window.benchFrames.push(t - last);
      last = t;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  return async () => {
    const gaps = await page.evaluate(() => window.benchFrames.splice(0));
    const sorted = [...gaps].sort((a, b) => a - b);
    const total = gaps.reduce((a, b) => a + b, 0);
    return {
      fps: gaps.length / Math.max(total / 1000, 1e-9),
      median: sorted[Math.floor(sorted.length / 2)] ?? 0,
      worst: sorted[sorted.length - 1] ?? 0,
    };
  };
}

const MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');

/** Virtual ms since the epoch of the clock's text (`14 Jan 2020 23:34:33.000 UTC`). */
function virtual(text) {
  const [, day, month, year, time] = text.match(/^(\d+) (\w+) (\d+) ([\d:.]+)/);
  const mm = String(MONTHS.indexOf(month) + 1).padStart(2, '0');
  return Date.parse(`${year}-${mm}-${day.padStart(2, '0')}T${time}Z`);
}

const show = (f) => `${f.fps.toFixed(1)} frames/s, median ${Math.round(f.median)} ms, worst ${Math.round(f.worst)} ms`;
const site = await startSite();
try {
  console.log(`nodes | load+create (real s, virtual s) | frames meanwhile | play ${playSeconds} s at 1x: speed | frames meanwhile | a line typed meanwhile`);
  for (const n of sizes) {
    const page = await site.browser.newPage({ viewport: { width: 1200, height: 800 } });
    // A panic or an error in the page would otherwise only show as a wait that never ends.
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && console.error(`page console: ${m.text()}`));
    await page.goto(site.url);
    await page.locator('.terminal-input').waitFor({ timeout: 30_000 });
    const frames = await watchFrames(page);
    const clock = () => page.evaluate(() => document.querySelector('.clock')?.textContent ?? '');

    const before = await clock();
    const t0 = Date.now();
    await page.setInputFiles('.scenario-file', { name: 'big.txt', mimeType: 'text/plain', buffer: Buffer.from(scenario(n)) });
    // What the terminal says meanwhile, every minute, so that a stall shows where it is.
    const status = setInterval(async () => {
      const note = await page
        .evaluate(() => document.querySelector('.terminal-running')?.textContent ?? '(nothing running)')
        .catch((e) => `(page unreadable: ${e.message})`);
      console.error(`${Math.round((Date.now() - t0) / 1000)} s: ${note.slice(0, 200)}`);
    }, 60_000);
    // Done when nothing runs any more and create has printed its last line (at 1,000 nodes its
    // output is longer than the scrollback keeps, so the create line itself scrolls away).
    await page.waitForFunction(
      () =>
        !document.querySelector('.terminal-running') &&
        /^\[(OK\] All 16384 slots covered|ERR\])/.test([...document.querySelectorAll('.terminal-line')].at(-1)?.textContent ?? ''),
      null,
      { timeout: 3_600_000, polling: 500 },
    );
    clearInterval(status);
    const loadSecs = (Date.now() - t0) / 1000;
    const created = await clock();
    const loadFrames = await frames();
    await page.locator('.play').click();
    const t1 = Date.now();
    // The clock at half time too: right after create, every node is still learning the other
    // nodes' roles from their own packets, which costs more than the steady state after it.
    await new Promise((r) => setTimeout(r, (playSeconds * 1000) / 2));
    const half = await clock();
    const tHalf = Date.now();
    // A line typed while the world plays: how long until its reply shows.
    const input = page.locator('.terminal-input');
    await input.fill(`redis-cli -p ${30000 + n - 1} PING`);
    const tTyped = Date.now();
    await input.press('Enter');
    await page.waitForFunction(
      () => [...document.querySelectorAll('.terminal-line')].at(-1)?.textContent === 'PONG',
      null,
      { timeout: 60_000, polling: 'raf' },
    );
    const replyMs = Date.now() - tTyped;
    if (killPort) {
      await input.fill(`sim kill ${killPort}`);
      await input.press('Enter');
    }
    await new Promise((r) => setTimeout(r, Math.max(0, (playSeconds * 1000) / 2 - replyMs)));
    await page.locator('.play').click();
    const ended = await clock();
    const played = (virtual(ended) - virtual(created)) / (Date.now() - t1);
    const halves = [
      (virtual(half) - virtual(created)) / (tHalf - t1),
      (virtual(ended) - virtual(half)) / (Date.now() - tHalf),
    ];
    const playFrames = await frames();
    // After a kill: whether the cluster is whole again (a replica took the killed master's
    // slots), as a node still running says.
    let after = '';
    if (killPort) {
      await input.fill(`redis-cli -p ${30000 + n - 1} CLUSTER INFO`);
      await input.press('Enter');
      const state = page.locator('.terminal-line', { hasText: /^cluster_state:/ }).last();
      await state.waitFor({ timeout: 60_000 });
      // `ok` alone could also mean the failure is not detected yet: the killed node's line
      // says whether it is flagged fail and still holds slots.
      await input.fill(`redis-cli -p ${30000 + n - 1} CLUSTER NODES`);
      await input.press('Enter');
      const killed = page.locator('.terminal-line', { hasText: `127.0.0.1:${killPort}@` }).last();
      await killed.waitFor({ timeout: 60_000 });
      const fields = (await killed.textContent()).trim().split(' ');
      after = `${(await state.textContent()).trim()}, ${killPort} is ${fields[2]} with ${fields.length > 8 ? 'slots' : 'no slots'}`;
    }
    console.log(
      `${n} | ${loadSecs.toFixed(1)} s, ${((virtual(created) - virtual(before)) / 1000).toFixed(1)} s | ${show(loadFrames)} | ${played.toFixed(2)}x (halves ${halves.map((h) => `${h.toFixed(2)}x`).join(', ')}) | ${show(playFrames)} | a typed PING answered in ${replyMs} ms${killPort ? ` | killed ${killPort}: ${after}` : ''}`,
    );
    await page.close();
  }
} finally {
  await site.close();
}
