// Static hosting under a sub-path, as a blog would host the page: every script, wasm, style
// sheet and data file must be found relative to the page, with nothing requested from the
// server's root or any other host.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DIST_DIR, openSession } from './browser.mjs';
import { startServer } from './serve.mjs';

const PREFIX = '/tools/pricewar/';

describe('hosting under a sub-path', () => {
  let server;
  let session;
  before(async () => {
    server = await startServer(DIST_DIR, { prefix: PREFIX });
    session = await openSession(server.url);
  });
  after(async () => {
    await session?.close();
    await server?.close();
  });

  it(`loads, computes and trains from ${PREFIX}`, { timeout: 300_000 }, async () => {
    const { page, requests } = session;
    await page.goto(`${server.url}${PREFIX}`, { waitUntil: 'load' });
    await page.waitForSelector('#train-start', { timeout: 60_000 });
    assert.equal(await page.getAttribute('#utilisation-out', 'data-value'), '0.01');

    // The CPU trainer: the point here is that the data files are found, not the GPU.
    await page.selectOption('#train-device', 'cpu');
    await page.fill('#train-epochs', '1');
    await page.click('#train-start');
    await page.waitForSelector('#train-status[data-state="done"], #train-status[data-state="error"]', {
      timeout: 240_000,
    });
    assert.equal(await page.getAttribute('#train-status', 'data-state'), 'done');
    const accuracy = Number(
      await page.getAttribute('#train-epochs-table tr[data-epoch="1"]', 'data-test-accuracy'),
    );
    assert.ok(accuracy >= 0.85, `test accuracy ${accuracy} after one epoch`);

    const outside = requests.filter((r) => !new URL(r.split(' ')[1]).pathname.startsWith(PREFIX));
    assert.deepEqual(outside, [], 'every request stays under the sub-path');
    assert.ok(requests.some((r) => r.includes(`${PREFIX}data/train-images-idx3-ubyte.gz`)));
    session.assertClean('under a sub-path');
  });

  it('serves nothing outside the sub-path, so a root-relative URL would have failed', async () => {
    const response = await fetch(`${server.url}/index.html`);
    assert.equal(response.status, 404);
  });
});
