// Issue 5: a page without WebGPU still trains. WebGPU is hidden from the page in two ways:
// an init script that deletes `navigator.gpu` before the app loads (deterministic on every
// machine), and a page that claims not to be a secure context. Each time the trainer panel must
// say which case it is within 3 s of loading, train on the CPU with Auto to at least 0.85 test
// accuracy in one epoch, and say why it is on the CPU, with no console error.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { closeApp, openApp } from './browser.mjs';
import { DIAGNOSIS_TIMEOUT_MS, TRAIN_TIMEOUT_MS, assertCpuFallback, expectDiagnosis } from './webgpu_helpers.mjs';

/** WebGPU's entry point lives on Navigator.prototype as a getter; removing it hides the API. */
const HIDE_WEBGPU = `delete Navigator.prototype.gpu;`;
/** As on a LAN address over plain http: no secure context, and so no navigator.gpu. */
const INSECURE_PAGE = `${HIDE_WEBGPU}
Object.defineProperty(globalThis, 'isSecureContext', { value: false, configurable: true });`;

describe('no WebGPU: navigator.gpu deleted by an init script', () => {
  let app;
  let loadedAt;
  before(async () => {
    app = await openApp('#train-start', { initScript: HIDE_WEBGPU });
    loadedAt = Date.now();
  });
  after(async () => {
    await closeApp(app);
  });

  it('says within 3 s that the API is missing, what to do, and that the CPU still works', async () => {
    const { page, session } = app;
    assert.equal(await page.evaluate(() => 'gpu' in navigator), false, 'the init script should hide navigator.gpu');
    const text = await expectDiagnosis(page, 'no-api');
    assert.ok(Date.now() - loadedAt <= DIAGNOSIS_TIMEOUT_MS + 500, 'diagnosis came too late');
    assert.match(text, /navigator\.gpu/);
    assert.match(text, /CPU/);
    assert.match(text, /Chrome|browser/);
    // The comparison needs WebGPU: disabled, and it says why.
    assert.equal(await page.locator('#compare-start').isDisabled(), true, '#compare-start should be disabled');
    assert.match(await page.locator('#compare-note').innerText(), /WebGPU/);
    session.assertClean('after the diagnosis');
  });

  it('trains one epoch on the CPU with Auto to at least 0.85 and says why', { timeout: TRAIN_TIMEOUT_MS + 30_000 }, async () => {
    const figures = await assertCpuFallback(app, /navigator\.gpu/);
    console.log(`no WebGPU, CPU run: test accuracy ${figures.testAccuracy}, ${figures.samplesPerS.toFixed(0)} samples/s`);
  });

  it('with GPU chosen explicitly, fails with a clear message and no exception', { timeout: 60_000 }, async () => {
    const { page, session } = app;
    await page.locator('#train-device').selectOption('gpu');
    await page.locator('#train-start').click();
    await page.waitForSelector('#train-status[data-state="error"]', { timeout: 30_000 });
    assert.match(await page.locator('#train-status').innerText(), /WebGPU/);
    assert.equal(await page.locator('#webgpu-status').getAttribute('data-diagnosis'), 'no-api');
    session.assertClean('after the refused GPU run');
  });
});

describe('no WebGPU: not a secure context', () => {
  let app;
  before(async () => {
    app = await openApp('#train-start', { initScript: INSECURE_PAGE });
  });
  after(async () => {
    await closeApp(app);
  });

  it('says the page must be opened over https or localhost', async () => {
    const { page, session } = app;
    const text = await expectDiagnosis(page, 'insecure');
    assert.match(text, /https/);
    assert.match(text, /localhost/);
    assert.match(text, /CPU/);
    session.assertClean('after the diagnosis');
  });
});
