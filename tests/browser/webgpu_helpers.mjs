// Helpers shared by the WebGPU-fault browser tests of issue 5 (no_webgpu, gpu_faults,
// compare): train one epoch, wait for a diagnosis, check a CPU fallback. Not a test file itself.

import assert from 'node:assert/strict';

/** Issue 5: one CPU epoch on the embedded digits must reach at least this test accuracy. */
export const MIN_TEST_ACCURACY = 0.85;
/** Issue 5: the diagnosis shows up "within a second or two"; the test allows 3 s. */
export const DIAGNOSIS_TIMEOUT_MS = 3_000;
/** One CPU epoch of 8,000 digits takes seconds; allow for a slow, shared machine. */
export const TRAIN_TIMEOUT_MS = 180_000;

/** Sets one epoch and a device, presses Train, and waits for done (failing on error). */
export async function trainOneEpoch(app, device) {
  const { page, session } = app;
  await page.locator('#train-epochs').fill('1');
  await page.locator('#train-device').selectOption(device);
  await page.locator('#train-start').click();
  const started = Date.now();
  for (;;) {
    session.assertClean('while training');
    const status = await page.$eval('#train-status', (el) => ({
      state: el.getAttribute('data-state'),
      text: el.textContent.trim(),
    }));
    if (status.state === 'error') assert.fail(`training failed in the page: ${status.text}`);
    if (status.state === 'done') break;
    if (Date.now() - started > TRAIN_TIMEOUT_MS) {
      assert.fail(`training not done after ${TRAIN_TIMEOUT_MS / 1000} s: ${JSON.stringify(status)}`);
    }
    await page.waitForTimeout(250);
  }
  return page.locator('#train-epochs-table tr[data-epoch="1"]').evaluate((tr) => ({
    testAccuracy: Number(tr.getAttribute('data-test-accuracy')),
    samplesPerS: Number(tr.getAttribute('data-samples-per-s')),
  }));
}

/** Waits for `#webgpu-status` to carry `diagnosis`, and returns its text. */
export async function expectDiagnosis(page, diagnosis, timeout = DIAGNOSIS_TIMEOUT_MS) {
  const selector = `#webgpu-status[data-diagnosis="${diagnosis}"]`;
  try {
    await page.waitForSelector(selector, { timeout });
  } catch (error) {
    const now = await page
      .$eval('#webgpu-status', (el) => `${el.getAttribute('data-diagnosis')}: ${el.textContent}`)
      .catch(() => 'no #webgpu-status');
    throw new Error(`expected ${selector} within ${timeout} ms; the page shows ${now}`, { cause: error });
  }
  return (await page.locator('#webgpu-status').innerText()).trim();
}

/** Asserts that a run used the CPU because of the GPU problem `why` matches, and learned well. */
export async function assertCpuFallback(app, why) {
  const { page, session } = app;
  const figures = await trainOneEpoch(app, 'auto');
  assert.ok(
    figures.testAccuracy >= MIN_TEST_ACCURACY && figures.testAccuracy <= 1,
    `CPU test accuracy ${figures.testAccuracy} should be in [${MIN_TEST_ACCURACY}, 1]`,
  );
  assert.ok(figures.samplesPerS > 0, `samples/s ${figures.samplesPerS}`);
  const adapter = (await page.locator('#train-adapter').innerText()).trim();
  assert.match(adapter, /CPU/, `#train-adapter should say CPU, not '${adapter}'`);
  const note = (await page.locator('#train-note').innerText()).trim();
  assert.match(note, /CPU/, `#train-note should say the run is on the CPU: '${note}'`);
  assert.match(note, why, `#train-note should say why: '${note}'`);
  session.assertClean('after the CPU run');
  return figures;
}

/** Presses Train with `device` and waits for `#train-status[data-state="error"]`; returns its text. */
export async function expectTrainError(page, device, timeout = 60_000) {
  await page.locator('#train-epochs').fill('1');
  await page.locator('#train-device').selectOption(device);
  await page.locator('#train-start').click();
  await page.waitForSelector('#train-status[data-state="error"]', { timeout });
  return (await page.locator('#train-status').innerText()).trim();
}

/**
 * Waits until `#train-status` carries `state`, failing at once on a console error, an uncaught
 * exception, or (unless `state` is 'error') an error state. Returns the status text. With
 * `progressEveryMs`, prints the status that often, for long runs.
 */
export async function waitForState(app, state, timeout = TRAIN_TIMEOUT_MS, { progressEveryMs } = {}) {
  const { page, session } = app;
  const started = Date.now();
  let lastReport = started;
  for (;;) {
    session.assertClean(`while waiting for ${state}`);
    const status = await page.$eval('#train-status', (el) => ({
      state: el.getAttribute('data-state'),
      text: el.textContent.trim(),
    }));
    if (status.state === state) return status.text;
    if (status.state === 'error') assert.fail(`training failed in the page: ${status.text}`);
    const now = Date.now();
    if (now - started > timeout) {
      assert.fail(`no ${state} after ${timeout / 1000} s: ${JSON.stringify(status)}`);
    }
    if (progressEveryMs && now - lastReport >= progressEveryMs) {
      console.log(`waiting for ${state} for ${Math.round((now - started) / 1000)} s: [${status.state}] ${status.text}`);
      lastReport = now;
    }
    await page.waitForTimeout(100);
  }
}

/** The rows of `#train-epochs-table`, as numbers. */
export async function epochRows(page) {
  return page.$$eval('#train-epochs-table tr[data-epoch]', (rows) =>
    rows.map((tr) => ({
      epoch: Number(tr.getAttribute('data-epoch')),
      testAccuracy: Number(tr.getAttribute('data-test-accuracy')),
      trainLoss: Number(tr.getAttribute('data-train-loss')),
      samplesPerS: Number(tr.getAttribute('data-samples-per-s')),
      warmup: tr.getAttribute('data-warmup') === 'true',
    })),
  );
}
