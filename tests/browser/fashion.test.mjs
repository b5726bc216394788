// Fashion-MNIST in the browser: the reader's own IDX files picked through the file input
// (Debian's dataset-fashion-mnist, installed by scripts/setup.sh), shown as the active data
// set, then 5 epochs on WebGPU (Chromium's SwiftShader adapter). Issue 4 asks for at least
// 85% test accuracy after 5 epochs on its 60,000 training images.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { closeApp, openApp } from './browser.mjs';
import { waitForState } from './webgpu_helpers.mjs';

const FASHION_DIR = process.env.PWL_FASHION_DIR ?? '/usr/share/datasets/fashion-mnist';
const FILES = [
  'train-images-idx3-ubyte.gz',
  'train-labels-idx1-ubyte.gz',
  't10k-images-idx3-ubyte.gz',
  't10k-labels-idx1-ubyte.gz',
].map((name) => path.join(FASHION_DIR, name));
const EPOCHS = 5;
/** Issue 4: 5 epochs on Fashion-MNIST reach at least this test accuracy in the browser. */
const MIN_TEST_ACCURACY = 0.85;
/**
 * 300,000 samples at ~7,500 samples/s is about 40 s on a quiet machine; a machine shared with
 * other builds can be several times slower, so the wait is generous.
 */
const TRAIN_TIMEOUT_MS = Number(process.env.PWL_FASHION_TIMEOUT_MS ?? 20 * 60_000);
const PROGRESS_EVERY_MS = 30_000;

async function activeData(page) {
  return page.$eval('#data-active', (el) => ({
    source: el.getAttribute('data-source'),
    train: el.getAttribute('data-train-samples'),
    test: el.getAttribute('data-test-samples'),
    text: el.textContent.trim(),
  }));
}

describe('Fashion-MNIST from the reader\'s files', () => {
  let app;
  before(async () => {
    for (const file of FILES) {
      assert.ok(existsSync(file), `${file} is missing: run 'bash scripts/setup.sh' (installs dataset-fashion-mnist)`);
    }
    app = await openApp('#data-files');
  });
  after(async () => {
    await closeApp(app);
  });

  it('refuses three files with a message and keeps the bundled data', async () => {
    const { page, session } = app;
    await page.setInputFiles('#data-files', FILES.slice(0, 3));
    const error = page.locator('#data-error');
    await error.waitFor({ timeout: 30_000 });
    assert.match(await error.innerText(), /four IDX files/);
    // The message follows the language switch, as every message on the page does.
    await page.click('#lang-zh');
    await page.waitForFunction(() => document.querySelector('#data-error')?.innerText.includes('四个 IDX 文件'), null, { timeout: 10_000 });
    await page.click('#lang-en');
    await page.waitForFunction(() => document.querySelector('#data-error')?.innerText.includes('four IDX files'), null, { timeout: 10_000 });
    assert.equal((await activeData(page)).source, 'bundled');
    session.assertClean('after a wrong pick');
  });

  it(`loads the four files and trains ${EPOCHS} epochs on WebGPU to at least ${MIN_TEST_ACCURACY} test accuracy`, { timeout: TRAIN_TIMEOUT_MS + 180_000 }, async () => {
    const { page, session } = app;
    const loadStarted = Date.now();
    await page.setInputFiles('#data-files', FILES);
    await page.waitForFunction(
      () => document.querySelector('#data-active')?.getAttribute('data-source') === 'files',
      null,
      { timeout: 120_000 },
    );
    const loadS = (Date.now() - loadStarted) / 1000;
    const data = await activeData(page);
    assert.equal(data.train, '60000', `training images: ${data.text}`);
    assert.equal(data.test, '10000', `test images: ${data.text}`);
    assert.equal(await page.locator('#data-error').count(), 0, 'no error after a right pick');

    await page.locator('#train-device').selectOption('gpu');
    await page.locator('#train-epochs').fill(String(EPOCHS));
    await page.locator('#train-start').click();

    const started = Date.now();
    await waitForState(app, 'done', TRAIN_TIMEOUT_MS, { progressEveryMs: PROGRESS_EVERY_MS });
    const waitedS = (Date.now() - started) / 1000;

    const rows = await page.$$eval('#train-epochs-table tr[data-epoch]', (trs) =>
      trs.map((tr) => ({
        epoch: Number(tr.getAttribute('data-epoch')),
        testAccuracy: Number(tr.getAttribute('data-test-accuracy')),
        samplesPerS: Number(tr.getAttribute('data-samples-per-s')),
        trainTimeS: Number(tr.getAttribute('data-train-time-s')),
        gpuTimeS: tr.getAttribute('data-gpu-time-s'),
      })),
    );
    assert.equal(rows.length, EPOCHS, 'one row per epoch');
    const last = rows[EPOCHS - 1];
    const steady = rows.slice(1);
    const steadySamplesPerS =
      steady.reduce((sum, r) => sum + r.samplesPerS * r.trainTimeS, 0) / steady.reduce((sum, r) => sum + r.trainTimeS, 0);
    const adapter = (await page.locator('#train-adapter').innerText()).trim();
    const gpuTime = page.locator('#train-gpu-time');
    const timer = await gpuTime.getAttribute('data-available');
    console.log(
      `Fashion-MNIST, ${EPOCHS} epochs on '${adapter}': test accuracy ${last.testAccuracy}, ` +
        `${steadySamplesPerS.toFixed(0)} samples/s over epochs 2-${EPOCHS} ` +
        `(per epoch: ${rows.map((r) => r.samplesPerS.toFixed(0)).join(', ')}), ` +
        `GPU time ${timer === 'true' ? rows.map((r) => Number(r.gpuTimeS).toFixed(2)).join(', ') + ' s' : 'not available'}; ` +
        `files read in ${loadS.toFixed(1)} s, training waited ${waitedS.toFixed(1)} s`,
    );

    assert.ok(last.testAccuracy >= MIN_TEST_ACCURACY && last.testAccuracy <= 1, `test accuracy ${last.testAccuracy}`);
    assert.ok(Number.isFinite(steadySamplesPerS) && steadySamplesPerS > 0, `samples/s ${steadySamplesPerS}`);
    assert.ok(timer === 'true' || timer === 'false', `#train-gpu-time data-available is '${timer}'`);
    if (timer === 'true') {
      for (const r of rows) {
        const seconds = Number(r.gpuTimeS);
        assert.ok(seconds > 0 && seconds <= r.trainTimeS * 1.1, `epoch ${r.epoch}: GPU time ${r.gpuTimeS} s, wall ${r.trainTimeS} s`);
      }
    } else {
      assert.match(await gpuTime.innerText(), /not available on this adapter/);
    }
    assert.notEqual((await page.locator('#train-figures-note').innerText()).trim(), '');
    session.assertClean('after training');
  });
});
