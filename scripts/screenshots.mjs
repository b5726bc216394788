// Screenshots of the built page for README: the whole page at 360 px (a phone) and 1280 px
// (a laptop) wide, in Chinese and in English, after one epoch of training on the CPU so that
// the trainer's figures are filled in. Serves dist/ on 127.0.0.1 and drives Debian's Chromium
// headless through the browser tests' harness; nothing leaves the machine.
//
//   trunk build --release && node scripts/screenshots.mjs [out-dir]   (default docs/screenshots)
//
// Chinese text needs a CJK font on this machine (Debian: fonts-wqy-microhei), or it shows as boxes.

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DIST_DIR, openSession } from '../tests/browser/browser.mjs';
import { startServer } from '../tests/browser/serve.mjs';

const OUT_DIR = path.resolve(process.argv[2] ?? 'docs/screenshots');
const WIDTHS = [360, 1280];
const LANGS = ['zh', 'en'];

await mkdir(OUT_DIR, { recursive: true });
const server = await startServer(DIST_DIR);
const session = await openSession(server.url);
try {
  const { page } = session;
  for (const lang of LANGS) {
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 800 });
      await page.goto(`${server.url}/?lang=${lang}`, { waitUntil: 'load' });
      await page.waitForSelector('#train-start', { timeout: 60_000 });
      await page.selectOption('#train-device', 'cpu');
      await page.fill('#train-epochs', '1');
      await page.click('#train-start');
      await page.waitForSelector('#train-status[data-state="done"]', { timeout: 240_000 });
      const file = path.join(OUT_DIR, `page-${lang}-${width}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(`wrote ${path.relative(process.cwd(), file)}`);
    }
  }
  session.assertClean('screenshots');
} finally {
  await session.close();
  await server.close();
}
