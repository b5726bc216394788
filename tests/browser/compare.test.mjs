// Issue 5: GPU and CPU side by side. With WebGPU (Chromium's SwiftShader adapter), "Compare GPU
// and CPU" trains one epoch on each with the same settings and shows both rows: samples/s,
// epoch time, test accuracy, the article's η = T / R and E = R / T with R = 1 device, and the
// speed-up against the CPU.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { closeApp, openApp } from './browser.mjs';
import { MIN_TEST_ACCURACY, TRAIN_TIMEOUT_MS, expectDiagnosis } from './webgpu_helpers.mjs';

/** Relative tolerance for figures the page rounds through decimal text: far above f64 noise. */
const REL_TOL = 1e-9;

describe('GPU and CPU side by side', () => {
  let app;
  before(async () => {
    app = await openApp('#compare-start');
  });
  after(async () => {
    await closeApp(app);
  });

  it('trains one epoch on each and shows both rows with η, E and the speed-up', { timeout: 2 * TRAIN_TIMEOUT_MS + 30_000 }, async () => {
    const { page, session } = app;
    await expectDiagnosis(page, 'ok', 5_000);
    assert.equal(await page.locator('#compare-start').isDisabled(), false, '#compare-start should be enabled');
    assert.equal(await page.locator('#compare-note').count(), 0, 'no note when the comparison can run');
    await page.locator('#train-epochs').fill('1');
    await page.locator('#compare-start').click();

    const started = Date.now();
    for (;;) {
      session.assertClean('while comparing');
      const state = await page.getAttribute('#train-status', 'data-state');
      if (state === 'error') assert.fail(`comparison failed: ${await page.locator('#train-status').innerText()}`);
      if ((await page.locator('#compare-table tbody tr').count()) === 2 && state === 'done') break;
      if (Date.now() - started > 2 * TRAIN_TIMEOUT_MS) assert.fail('the comparison did not finish');
      await page.waitForTimeout(250);
    }

    const rows = await page.$$eval('#compare-table tbody tr', (trs) =>
      trs.map((tr) => ({
        device: tr.getAttribute('data-device'),
        samplesPerS: Number(tr.getAttribute('data-samples-per-s')),
        testAccuracy: Number(tr.getAttribute('data-test-accuracy')),
        trainTimeS: Number(tr.getAttribute('data-train-time-s')),
        eta: Number(tr.getAttribute('data-eta')),
        efficiency: Number(tr.getAttribute('data-efficiency')),
        speedup: Number(tr.getAttribute('data-speedup')),
        text: tr.innerText.replace(/\s+/g, ' ').trim(),
      })),
    );
    assert.deepEqual(rows.map((r) => r.device), ['gpu', 'cpu'], 'one GPU row, then one CPU row');
    const [gpu, cpu] = rows;
    for (const row of rows) {
      assert.ok(row.samplesPerS > 0 && Number.isFinite(row.samplesPerS), `${row.device} samples/s ${row.samplesPerS}`);
      assert.ok(row.testAccuracy >= MIN_TEST_ACCURACY && row.testAccuracy <= 1, `${row.device} test accuracy ${row.testAccuracy}`);
      assert.ok(row.trainTimeS > 0, `${row.device} T ${row.trainTimeS}`);
      // η = T / R and E = R / T with R = 1 (article §4.1).
      assert.ok(Math.abs(row.eta - row.trainTimeS) <= REL_TOL * row.trainTimeS, `${row.device} η ${row.eta} ≠ T`);
      assert.ok(Math.abs(row.efficiency * row.trainTimeS - 1) <= REL_TOL, `${row.device} E ${row.efficiency} ≠ 1/T`);
      // 8,000 samples in one epoch: samples/s × T gives them back.
      assert.ok(Math.abs(row.samplesPerS * row.trainTimeS - 8000) <= 1e-6 * 8000, `${row.device} samples/s × T`);
      assert.doesNotMatch(row.text, /\b(NaN|Infinity|undefined)\b/);
    }
    assert.ok(Math.abs(cpu.speedup - 1) <= REL_TOL, `the CPU's speed-up against itself is 1, not ${cpu.speedup}`);
    const expected = cpu.trainTimeS / gpu.trainTimeS;
    assert.ok(Math.abs(gpu.speedup - expected) <= REL_TOL * expected, `GPU speed-up ${gpu.speedup} ≠ T_cpu / T_gpu = ${expected}`);
    const summary = await page.locator('#compare-summary').innerText();
    assert.match(summary, /η = T\/R/);
    assert.match(summary, /R = 1/);
    console.log(`comparison: ${JSON.stringify(rows.map(({ text, ...r }) => r))}`);
    session.assertClean('after the comparison');
  });
});
