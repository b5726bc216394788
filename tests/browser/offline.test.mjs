// Offline use: once loaded, the page's service worker (web/sw.js) has kept the page, its files
// and the data, so with the network gone (the browser offline and the server stopped) a reload
// still loads, computes and trains from the cache, at the root and under a sub-path. And a new
// deploy is seen on the next online load: the cache never pins an old index.html.

import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DIST_DIR, openSession } from './browser.mjs';
import { startServer } from './serve.mjs';

/** Waits until a service worker controls the page and has finished installing. */
async function waitForServiceWorker(page) {
  await page.evaluate(() => navigator.serviceWorker.ready);
  // `ready` resolves on activation; `controller` is set once it has claimed this page.
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, {
    timeout: 60_000,
  });
}

/** Trains one epoch on the CPU and returns the test accuracy after it. */
async function trainOneEpochOnCpu(page) {
  await page.selectOption('#train-device', 'cpu');
  await page.fill('#train-epochs', '1');
  await page.click('#train-start');
  await page.waitForSelector('#train-status[data-state="done"], #train-status[data-state="error"]', {
    timeout: 240_000,
  });
  const status = await page.$eval('#train-status', (el) => [el.dataset.state, el.textContent]);
  assert.equal(status[0], 'done', `training: ${status[1]}`);
  return Number(await page.getAttribute('#train-epochs-table tr[data-epoch="1"]', 'data-test-accuracy'));
}

for (const prefix of ['/', '/tools/pricewar/']) {
  describe(`offline, hosted at ${prefix}`, () => {
    it('reloads, computes and trains one epoch with the network gone', { timeout: 400_000 }, async () => {
      const server = await startServer(DIST_DIR, { prefix });
      const session = await openSession(server.url);
      try {
        const { page, context } = session;
        const pageUrl = `${server.url}${prefix}`;
        await page.goto(pageUrl, { waitUntil: 'load' });
        await page.waitForSelector('#train-start', { timeout: 60_000 });
        await waitForServiceWorker(page);
        const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
        assert.equal(scope, pageUrl, 'the worker is scoped to the page folder');

        // No network at all: the browser is offline and the server is gone.
        await context.setOffline(true);
        await server.close();
        await page.reload({ waitUntil: 'load' });
        await page.waitForSelector('#train-start', { timeout: 60_000 });
        await page.fill('#utilisation-t', '20');
        await page.waitForSelector('#utilisation-out[data-value="0.02"]');

        const accuracy = await trainOneEpochOnCpu(page);
        assert.ok(accuracy >= 0.85, `test accuracy ${accuracy} after one epoch, from cached data`);
        session.assertClean('offline');
      } finally {
        await session.close();
        await server.close();
      }
    });
  });
}

describe('a new deploy', () => {
  it('is served on the next online load, not the cached page', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'price-war-lab-deploy-'));
    await cp(DIST_DIR, dir, { recursive: true });
    const server = await startServer(dir);
    const session = await openSession(server.url);
    try {
      const { page } = session;
      await page.goto(`${server.url}/`, { waitUntil: 'load' });
      await page.waitForSelector('#train-start', { timeout: 60_000 });
      await waitForServiceWorker(page);

      // "Deploy" a new index.html: same files, one new marker in the head.
      const index = path.join(dir, 'index.html');
      const html = await readFile(index, 'utf8');
      await writeFile(index, html.replace('<head>', '<head><meta name="pwl-build" content="2">'));
      await page.reload({ waitUntil: 'load' });
      await page.waitForSelector('#train-start', { timeout: 60_000 });
      const servedBy = await page.evaluate(() => navigator.serviceWorker.controller !== null);
      assert.ok(servedBy, 'the reload went through the service worker');
      assert.equal(await page.getAttribute('meta[name="pwl-build"]', 'content'), '2');
      session.assertClean('after a deploy');
    } finally {
      await session.close();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
