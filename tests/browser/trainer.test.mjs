// The trainer in a real browser: one epoch of the article's MLP on the embedded MNIST digits,
// through WebGPU on Chromium's SwiftShader adapter. This also proves that the WGSL kernels
// compile in Chrome's own shader compiler (Tint), which is stricter than naga in places.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { closeApp, openApp } from './browser.mjs';
import { waitForState } from './webgpu_helpers.mjs';

/**
 * SwiftShader runs compute shaders on the CPU: one epoch of 8,000 digits takes about a second
 * on a quiet machine and far longer beside other builds, so the wait is generous.
 */
const TRAIN_TIMEOUT_MS = Number(process.env.PWL_TRAIN_TIMEOUT_MS ?? 10 * 60_000);
/** Issue 2: one epoch on the embedded data must reach at least this test accuracy. */
const MIN_TEST_ACCURACY = 0.85;
/** How often the wait prints where training stands, so a slow run is not a silent one. */
const PROGRESS_EVERY_MS = 30_000;

describe('trainer', () => {
  let app;
  before(async () => {
    app = await openApp('#train-start');
  });
  after(async () => {
    await closeApp(app);
  });

  it('trains one epoch on the embedded digits to at least 0.85 test accuracy, with timings shown', { timeout: TRAIN_TIMEOUT_MS + 120_000 }, async () => {
    const { page, session } = app;
    const epochs = page.locator('#train-epochs');
    // A bad count first: Train says why; a valid count takes the complaint away again.
    await epochs.fill('0');
    await page.locator('#train-start').click();
    await page.waitForSelector('#train-status[data-state="error"]');
    assert.match(await page.innerText('#train-status'), /10,000,000/, 'the status names the bound the field does');
    await epochs.fill('1');
    await page.waitForFunction(() => document.querySelector('#train-status')?.getAttribute('data-state') !== 'error');
    assert.equal(await epochs.inputValue(), '1', '#train-epochs should now read 1');
    await page.locator('#train-start').click();

    // Wait for done or error, failing at once on any console error or uncaught exception.
    const started = Date.now();
    await waitForState(app, 'done', TRAIN_TIMEOUT_MS, { progressEveryMs: PROGRESS_EVERY_MS });
    const waitedS = (Date.now() - started) / 1000;

    const row = page.locator('#train-epochs-table tr[data-epoch="1"]');
    assert.equal(await row.count(), 1, 'the epoch table should have exactly one row for epoch 1');
    const figures = await row.evaluate((tr) => ({
      testAccuracy: Number(tr.getAttribute('data-test-accuracy')),
      samplesPerS: Number(tr.getAttribute('data-samples-per-s')),
      trainTimeS: Number(tr.getAttribute('data-train-time-s')),
      text: tr.innerText.replace(/\s+/g, ' ').trim(),
    }));
    const adapter = (await page.locator('#train-adapter').innerText()).trim();

    console.log(
      `browser training, 1 epoch: test accuracy ${figures.testAccuracy}, ` +
        `${figures.samplesPerS.toFixed(1)} samples/s, epoch time ${figures.trainTimeS.toFixed(2)} s, ` +
        `adapter '${adapter}' (waited ${waitedS.toFixed(1)} s); row shows: ${figures.text}`,
    );

    assert.ok(
      Number.isFinite(figures.testAccuracy) && figures.testAccuracy >= MIN_TEST_ACCURACY && figures.testAccuracy <= 1,
      `test accuracy ${figures.testAccuracy} should be in [${MIN_TEST_ACCURACY}, 1]`,
    );
    assert.ok(Number.isFinite(figures.samplesPerS) && figures.samplesPerS > 0, `samples/s ${figures.samplesPerS}`);
    assert.ok(Number.isFinite(figures.trainTimeS) && figures.trainTimeS > 0, `epoch time ${figures.trainTimeS} s`);
    // The timings are shown to the reader, not only carried in attributes.
    assert.match(figures.text, /\d/, 'the epoch row should show its figures');
    assert.notEqual(adapter, '', '#train-adapter should name the WebGPU adapter');
    assert.doesNotMatch(figures.text, /\b(NaN|Infinity|undefined)\b/);
    session.assertClean('after training');
  });

  it('starts one run only when Train and Compare are clicked twice in the same moment', { timeout: TRAIN_TIMEOUT_MS }, async () => {
    const { page, session } = app;
    await page.selectOption('#train-device', 'cpu');
    await page.fill('#train-epochs', '2');
    // Two clicks in one task, before any run could have started: the second must be refused.
    await page.evaluate(() => {
      const train = document.querySelector('#train-start');
      const compare = document.querySelector('#compare-start');
      train.click();
      train.click();
      compare?.click();
    });
    await page.waitForFunction(
      () => ['done', 'error', 'stopped'].includes(document.querySelector('#train-status')?.getAttribute('data-state')),
      null,
      { timeout: TRAIN_TIMEOUT_MS },
    );
    const rows = await page.$$eval('#train-epochs-table tbody tr[data-epoch]', (trs) => trs.map((tr) => tr.getAttribute('data-epoch')));
    assert.deepEqual(rows, ['1', '2'], 'one run of two epochs, not two runs interleaved');
    assert.equal(await page.getAttribute('#train-status', 'data-state'), 'done');
    session.assertClean('after a double click');
  });

  it('keeps the keyboard focus on Train through a run', { timeout: TRAIN_TIMEOUT_MS }, async () => {
    const { page, session } = app;
    await page.selectOption('#train-device', 'cpu');
    await page.fill('#train-epochs', '1');
    await page.focus('#train-start');
    await page.keyboard.press('Space');
    await page.waitForSelector('#train-status[data-state="done"]', { timeout: TRAIN_TIMEOUT_MS });
    // A disabled button would have dropped the focus to <body>, and Tab would start over.
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'train-start');
    session.assertClean('after a run started from the keyboard');
  });
});
