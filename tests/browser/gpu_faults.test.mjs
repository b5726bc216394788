// Issue 5: WebGPU is there but fails, in the ways a reader's browser can fail, injected into
// Chromium's real WebGPU (SwiftShader) by init scripts that run before the app: no adapter, a
// training shader that does not compile (from the start, or only once the page has checked
// it), and a device lost in the middle of a run. Each time `#webgpu-status` must name the case
// and Auto must still train on the CPU, with no uncaught exception and no console error (the
// Chromium here prints nothing to the console for a module that fails to compile, so no
// message is allowed).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CHROMIUM_ARGS, closeApp, openApp } from './browser.mjs';
import {
  TRAIN_TIMEOUT_MS,
  assertCpuFallback,
  expectDiagnosis,
  expectTrainError,
} from './webgpu_helpers.mjs';

/** The label the app gives its one shader module (src/train/gpu.rs, SHADER_MODULE_LABEL). */
const SHADER_MODULE = 'trainer_kernels';
/** The probe compiles the shaders too; SwiftShader on a shared machine may take a moment more. */
const PROBE_TIMEOUT_MS = 5_000;

/** `navigator.gpu.requestAdapter()` resolves to null, as on a blocklisted GPU. */
const NO_ADAPTER = `GPU.prototype.requestAdapter = async function () { return null; };`;

/**
 * Makes every shader module's code fail type checking while `globalThis.__pwlCorruptShaders`
 * is true (`startCorrupt` sets it at load): a u32 constant gets a float value. The change keeps
 * the code's length, so the compiler's offsets still fall inside the source wgpu knows (wgpu
 * 30's web backend panics on an offset past its end, as an appended line would give).
 */
const corruptShaders = (startCorrupt) => `
globalThis.__pwlCorruptShaders = ${startCorrupt};
const original = GPUDevice.prototype.createShaderModule;
GPUDevice.prototype.createShaderModule = function (descriptor) {
  if (globalThis.__pwlCorruptShaders) {
    const code = descriptor.code.replace('const HIDDEN: u32 = 128u;', 'const HIDDEN: u32 = 1.5f;');
    if (code === descriptor.code) throw new Error('test init script: the line to corrupt is gone');
    descriptor = { ...descriptor, code };
  }
  return original.call(this, descriptor);
};`;

/** Keeps every device the page makes in `globalThis.__pwlDevices`, so the test can destroy one. */
const KEEP_DEVICES = `
globalThis.__pwlDevices = [];
const original = GPUAdapter.prototype.requestDevice;
GPUAdapter.prototype.requestDevice = async function (...args) {
  const device = await original.apply(this, args);
  globalThis.__pwlDevices.push(device);
  return device;
};`;

describe('no adapter: requestAdapter resolves to null', () => {
  let app;
  before(async () => {
    app = await openApp('#train-start', { initScript: NO_ADAPTER });
  });
  after(async () => {
    await closeApp(app);
  });

  it('says no adapter was given, what to do, and that the CPU still works', async () => {
    const text = await expectDiagnosis(app.page, 'no-adapter');
    assert.match(text, /adapter/);
    assert.match(text, /CPU/);
    assert.equal(await app.page.locator('#compare-start').isDisabled(), true);
    app.session.assertClean('after the diagnosis');
  });

  it('trains one epoch on the CPU with Auto to at least 0.85 and says why', { timeout: TRAIN_TIMEOUT_MS + 30_000 }, async () => {
    await assertCpuFallback(app, /no GPU adapter/);
  });
});

describe('no adapter: Chromium started without --enable-unsafe-webgpu', () => {
  let app;
  before(async () => {
    const args = CHROMIUM_ARGS.filter((arg) => arg !== '--enable-unsafe-webgpu');
    app = await openApp('#train-start', { args });
  });
  after(async () => {
    await closeApp(app);
  });

  it('finds navigator.gpu but no adapter (Chrome on Linux without the flag)', async () => {
    assert.equal(await app.page.evaluate(() => 'gpu' in navigator), true);
    const text = await expectDiagnosis(app.page, 'no-adapter');
    assert.match(text, /CPU/);
    app.session.assertClean('after the diagnosis');
  });
});

describe('shader that fails to compile, from the start', () => {
  let app;
  before(async () => {
    app = await openApp('#train-start', { initScript: corruptShaders(true) });
  });
  after(async () => {
    await closeApp(app);
  });

  it('says on load that the shader module failed, naming it and the compiler message', async () => {
    const text = await expectDiagnosis(app.page, 'shader-error', PROBE_TIMEOUT_MS);
    assert.match(text, new RegExp(SHADER_MODULE));
    assert.match(text, /line \d+/, 'the compiler message should carry its line');
    assert.match(text, /CPU/);
    app.session.assertClean('after the diagnosis');
  });

  it('with GPU chosen, the run fails naming the shader module', { timeout: 90_000 }, async () => {
    const text = await expectTrainError(app.page, 'gpu');
    assert.match(text, new RegExp(SHADER_MODULE));
    assert.equal(await app.page.locator('#webgpu-status').getAttribute('data-diagnosis'), 'shader-error');
    app.session.assertClean('after the GPU run');
  });

  it('with Auto, trains on the CPU to at least 0.85 and says why', { timeout: TRAIN_TIMEOUT_MS + 30_000 }, async () => {
    await assertCpuFallback(app, new RegExp(SHADER_MODULE));
  });
});

describe('shader that fails to compile only after the page checked it', () => {
  let app;
  before(async () => {
    app = await openApp('#train-start', { initScript: corruptShaders(false) });
  });
  after(async () => {
    await closeApp(app);
  });

  it('turns #webgpu-status from ok to shader-error when Train finds the failure', { timeout: 90_000 }, async () => {
    const { page, session } = app;
    await expectDiagnosis(page, 'ok', PROBE_TIMEOUT_MS);
    await page.evaluate(() => {
      globalThis.__pwlCorruptShaders = true;
    });
    const text = await expectTrainError(page, 'gpu');
    assert.match(text, new RegExp(SHADER_MODULE));
    const status = await expectDiagnosis(page, 'shader-error', 1_000);
    assert.match(status, new RegExp(SHADER_MODULE));
    session.assertClean('after the GPU run');
  });
});

describe('device lost in the middle of a GPU run', () => {
  let app;
  before(async () => {
    app = await openApp('#train-start', { initScript: KEEP_DEVICES });
  });
  after(async () => {
    await closeApp(app);
  });

  it('ends the run with a device-lost error instead of hanging, and says so', { timeout: 120_000 }, async () => {
    const { page, session } = app;
    await expectDiagnosis(page, 'ok', PROBE_TIMEOUT_MS);
    // Enough epochs that the run is still going when the device goes.
    await page.locator('#train-epochs').fill('20');
    await page.locator('#train-device').selectOption('gpu');
    await page.locator('#train-start').click();
    await page.waitForSelector('#train-status[data-state="running"]', { timeout: 60_000 });
    await page.waitForTimeout(300);
    const destroyed = await page.evaluate(() => {
      const device = globalThis.__pwlDevices.at(-1);
      device?.destroy();
      return globalThis.__pwlDevices.length;
    });
    assert.ok(destroyed >= 2, 'the probe and the trainer should each have made a device');
    await page.waitForSelector('#train-status[data-state="error"]', { timeout: 10_000 });
    assert.match(await page.locator('#train-status').innerText(), /lost/);
    const status = await expectDiagnosis(page, 'device-lost', 1_000);
    assert.match(status, /destroyed/i);
    session.assertClean('after the lost device');
  });
});
