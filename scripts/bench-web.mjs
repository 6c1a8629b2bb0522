// A benchmark, not a test: how fast the built playground (dist/) becomes interactive in headless
// Chromium, how much it weighs compressed, and its frame times while a 30-node cluster animates.
// Run `trunk build --release` first, then `node scripts/bench-web.mjs`. Prints numbers only.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { startSite, dist } from '../tests/e2e/site.mjs';

const RUNS = 5;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

// 1. Transfer size: brotli (quality 11) of what the page downloads.
let raw = 0;
let brotli = 0;
const parts = [];
for (const f of fs.readdirSync(dist)) {
  if (!/\.(wasm|js|css)$/.test(f)) continue;
  const bytes = fs.readFileSync(path.join(dist, f));
  const br = zlib.brotliCompressSync(bytes, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  raw += bytes.length;
  brotli += br;
  parts.push(`${path.extname(f).slice(1)} ${bytes.length} B raw, ${br} B brotli`);
}
console.log(`size: ${parts.join('; ')}`);
console.log(`size: total ${raw} B raw, ${brotli} B (${(brotli / 1024).toFixed(1)} KiB) brotli (goal: at most 250 KB)`);

const site = await startSite();
try {
  // 2. Time to interactive: from navigation start until the terminal's input line exists
  //    (the wasm is instantiated and the first render is done), in a fresh page each time.
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const page = await site.browser.newPage();
    await page.addInitScript(() => {
      new MutationObserver((_, obs) => {
        if (document.querySelector('.terminal-input')) {
          window.__interactive = performance.now();
          obs.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    });
    await page.goto(site.url);
    await page.waitForFunction(() => window.__interactive !== undefined);
    times.push(await page.evaluate(() => window.__interactive));
    await page.close();
  }
  console.log(`interactive: median ${median(times).toFixed(0)} ms, runs ${times.map((t) => t.toFixed(0)).join(' ')} ms (goal: within 500 ms)`);

  // 3. Frame times: a 30-node cluster (15 masters, 15 replicas) playing with messages flying.
  const ports = Array.from({ length: 30 }, (_, i) => 7000 + i);
  const scenario = [
    ...ports.map((p) => `$ redis-server --port ${p} --cluster-enabled yes --cluster-node-timeout 15000 --daemonize yes`),
    `$ redis-cli --cluster create ${ports.map((p) => `127.0.0.1:${p}`).join(' ')} --cluster-replicas 1 --cluster-yes`,
    '$ sleep 10',
  ].join('\n');
  const page = await site.browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(site.url);
  await page.locator('.terminal-input').waitFor();
  const loadStart = Date.now();
  await page.setInputFiles('.scenario-file', { name: 'thirty.txt', mimeType: 'text/plain', buffer: Buffer.from(scenario) });
  await page.locator('.topology .node').nth(29).waitFor({ timeout: 120_000 });
  console.log(`30 nodes: scenario loaded and drawn in ${Date.now() - loadStart} ms`);
  for (const speed of ['1', '10']) {
    await page.selectOption('.time-controls select', speed);
    if ((await page.locator('.play').textContent()) === 'Play') await page.locator('.play').click();
    await page.waitForTimeout(500);
    const frames = await page.evaluate(
      () =>
        new Promise((resolve) => {
          const deltas = [];
          let last = performance.now();
          const end = last + 4000;
          function frame(now) {
            deltas.push(now - last);
            last = now;
            if (now < end) requestAnimationFrame(frame);
            else resolve({ deltas, flights: document.querySelectorAll('.flight').length });
          }
          requestAnimationFrame(frame);
        }),
    );
    const d = frames.deltas.slice(1);
    const mean = d.reduce((a, b) => a + b, 0) / d.length;
    console.log(
      `30 nodes at ${speed}x: ${d.length} frames in 4 s, mean ${mean.toFixed(1)} ms (${(1000 / mean).toFixed(0)} fps), ` +
        `p95 ${percentile(d, 95).toFixed(1)} ms, worst ${Math.max(...d).toFixed(1)} ms, ${frames.flights} messages drawn at the end (goal: 60 fps)`,
    );
  }
  await page.close();
} finally {
  await site.close();
}
