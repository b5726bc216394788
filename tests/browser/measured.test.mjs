// The link the page exists for: a run trained in this browser, put into the cost model with
// one click, gives the article's η and E, the MFU against a chosen peak, and what the training
// section's job would take at the measured speed.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { closeApp, openApp } from './browser.mjs';

/** The article's MLP does 409,088 FLOPs per training sample (src/model/mod.rs). */
const FLOPS_PER_SAMPLE = 409_088;

async function value(page, id) {
  const raw = await page.getAttribute(`#${id}`, 'data-value');
  assert.ok(raw !== null, `#${id} should show a number`);
  return Number(raw);
}

function assertClose(actual, expected, relTol, what) {
  assert.ok(
    Math.abs(actual - expected) <= relTol * Math.abs(expected),
    `${what}: ${actual}, expected ${expected} (relative tolerance ${relTol})`,
  );
}

describe('trainer to cost model', () => {
  let app;
  before(async () => {
    app = await openApp('#train-start');
  });
  after(async () => {
    await closeApp(app);
  });

  it('puts one trained epoch into the cost model with one click', { timeout: 600_000 }, async () => {
    const { page, session } = app;
    assert.ok(await page.isDisabled('#train-use-in-cost-model'), 'nothing to use before a run');
    assert.ok(await page.isVisible('#measured-empty'));

    await page.fill('#train-epochs', '1');
    await page.click('#train-start');
    await page.waitForSelector('#train-status[data-state="done"], #train-status[data-state="error"]', {
      timeout: 540_000,
    });
    assert.equal(await page.getAttribute('#train-status', 'data-state'), 'done');
    const row = page.locator('#train-epochs-table tr[data-epoch="1"]');
    const samplesPerS = Number(await row.getAttribute('data-samples-per-s'));
    const trainTimeS = Number(await row.getAttribute('data-train-time-s'));

    await page.click('#train-use-in-cost-model');
    await page.waitForSelector('#measured-achieved-out[data-value]');
    const achieved = await value(page, 'measured-achieved-out');
    assertClose(achieved, samplesPerS * FLOPS_PER_SAMPLE, 1e-6, 'achieved FLOP/s');
    assertClose(await value(page, 'measured-eta-out'), trainTimeS, 1e-6, 'η = T / R with R = 1');
    assertClose(await value(page, 'measured-efficiency-out'), 1 / trainTimeS, 1e-6, 'E = R / T');

    // A custom accelerator of 1 TFLOP/s: MFU is the achieved FLOP/s over 1e12.
    await page.selectOption('#training-accelerator', 'custom');
    await page.fill('#training-custom-peak', '1');
    assertClose(await value(page, 'measured-mfu-out'), achieved / 1e12, 1e-6, 'MFU');

    // The training section's job at the measured speed, on its GPU count.
    const flops = await value(page, 'training-flops-out');
    await page.fill('#training-gpus', '4');
    const days = await value(page, 'measured-days-out');
    assertClose(days, flops / (achieved * 4) / 86_400, 1e-6, 'projected days on 4 devices');
    const deviceHours = await value(page, 'measured-device-hours-out');

    // One more click: the training section now runs at this MFU, so its GPU-hours match.
    await page.click('#measured-apply-mfu');
    await page.waitForFunction(() => document.querySelector('#training-mfu').value !== '0.3');
    assertClose(await value(page, 'training-gpu-hours-out'), deviceHours, 1e-5, 'GPU-hours at the measured MFU');
    console.log(
      `measured run: ${samplesPerS.toFixed(0)} samples/s = ${(achieved / 1e9).toFixed(3)} GFLOP/s; ` +
        `the training section's ${flops.toExponential(3)} FLOPs would take ${days.toExponential(3)} days on 4 such devices`,
    );
    session.assertClean('after the link');
  });
});
