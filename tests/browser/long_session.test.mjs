// Issue 7: a reader who trains, stops and trains again many times in one page. Twenty cycles
// of Train (Auto, so WebGPU on SwiftShader) → epoch 1 finishes → Stop during epoch 2 (of ten,
// so that Stop lands before the run's end even at about a second an epoch). After
// each cycle the test counts the GPU buffers and devices still alive (an init script wraps
// createBuffer, requestDevice and both destroy methods; destroying a device destroys its
// buffers) and reads the size of the app's wasm memory (the exports come with Trunk's
// `TrunkApplicationStarted` event, see web/boot.js).
//
// It fails on any growth after the first cycle: buffers and devices must be exactly as many
// as after cycle 1, and wasm memory, which never shrinks, must not have grown at all. Speed
// (epoch 1's samples/s) is printed for runs 2 and 20; the test fails only on a gross slowdown,
// the median of runs 18–20 under half the median of runs 2–4, since one timed run on a shared
// machine can be slow by chance.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { closeApp, openApp } from './browser.mjs';
import { epochRows, expectDiagnosis, waitForState } from './webgpu_helpers.mjs';

const CYCLES = 20;
/** The last runs may be slower than the early ones by noise, but not by this much. */
const MIN_SPEED_RATIO = 0.5;
/** Runs compared on each side. */
const SPEED_RUNS = 3;

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
/** One cycle is a GPU setup and about one and a half epochs on SwiftShader. */
const CYCLE_TIMEOUT_MS = 120_000;

/** Counts what WebGPU objects the page keeps alive, and keeps the wasm memory to measure. */
const COUNT_GPU_OBJECTS = `
const live = { buffers: new Map(), devices: new Set(), createdBuffers: 0, createdDevices: 0 };
globalThis.__pwlLive = live;
const requestDevice = GPUAdapter.prototype.requestDevice;
GPUAdapter.prototype.requestDevice = async function (...args) {
  const device = await requestDevice.apply(this, args);
  live.devices.add(device);
  live.createdDevices += 1;
  return device;
};
const destroyDevice = GPUDevice.prototype.destroy;
GPUDevice.prototype.destroy = function () {
  live.devices.delete(this);
  for (const [buffer, device] of live.buffers) {
    if (device === this) live.buffers.delete(buffer);
  }
  return destroyDevice.call(this);
};
const createBuffer = GPUDevice.prototype.createBuffer;
GPUDevice.prototype.createBuffer = function (...args) {
  const buffer = createBuffer.apply(this, args);
  live.buffers.set(buffer, this);
  live.createdBuffers += 1;
  return buffer;
};
const destroyBuffer = GPUBuffer.prototype.destroy;
GPUBuffer.prototype.destroy = function () {
  live.buffers.delete(this);
  return destroyBuffer.call(this);
};
addEventListener('TrunkApplicationStarted', (event) => {
  globalThis.__pwlWasmMemory = event.detail?.wasm?.memory;
});`;

/** What is alive after a cycle. */
async function measure(page) {
  return page.evaluate(() => ({
    buffers: globalThis.__pwlLive.buffers.size,
    devices: globalThis.__pwlLive.devices.size,
    createdBuffers: globalThis.__pwlLive.createdBuffers,
    createdDevices: globalThis.__pwlLive.createdDevices,
    wasmBytes: globalThis.__pwlWasmMemory?.buffer.byteLength ?? null,
  }));
}

describe('twenty train/stop/restart cycles in one page', () => {
  let app;
  before(async () => {
    app = await openApp('#train-start', { initScript: COUNT_GPU_OBJECTS });
  });
  after(async () => {
    await closeApp(app);
  });

  it('keeps GPU buffers, devices and wasm memory flat after the first cycle, and its speed', { timeout: CYCLES * CYCLE_TIMEOUT_MS }, async () => {
    const { page, session } = app;
    await expectDiagnosis(page, 'ok', 5_000);
    assert.ok(
      (await measure(page)).wasmBytes > 0,
      'the init script should see the wasm memory in TrunkApplicationStarted',
    );
    await page.locator('#train-epochs').fill('10');

    const cycles = [];
    for (let cycle = 1; cycle <= CYCLES; cycle += 1) {
      await page.locator('#train-start').click();
      await page.waitForSelector('#train-epochs-table tr[data-epoch="1"]', { timeout: CYCLE_TIMEOUT_MS });
      await page.locator('#train-stop').click();
      await waitForState(app, 'stopped', CYCLE_TIMEOUT_MS);
      const [epochOne] = await epochRows(page);
      assert.doesNotMatch(await page.locator('#train-adapter').innerText(), /CPU/, 'Auto trains on the GPU');
      const alive = await measure(page);
      cycles.push({ cycle, samplesPerS: Math.round(epochOne.samplesPerS), ...alive });
    }
    session.assertClean('after twenty cycles');
    console.table(cycles);

    const [first, second] = cycles;
    const last = cycles.at(-1);
    assert.ok(last.createdDevices > first.createdDevices, 'every cycle makes a device');
    for (const c of cycles.slice(1)) {
      assert.equal(c.buffers, first.buffers, `live GPU buffers after cycle ${c.cycle}`);
      assert.equal(c.devices, first.devices, `live GPU devices after cycle ${c.cycle}`);
      assert.equal(c.wasmBytes, first.wasmBytes, `wasm memory bytes after cycle ${c.cycle}`);
    }
    const early = median(cycles.slice(1, 1 + SPEED_RUNS).map((c) => c.samplesPerS));
    const late = median(cycles.slice(-SPEED_RUNS).map((c) => c.samplesPerS));
    const ratio = late / early;
    console.log(
      `run 2: ${second.samplesPerS} samples/s, run ${CYCLES}: ${last.samplesPerS} samples/s ` +
        `(${(last.samplesPerS / second.samplesPerS).toFixed(2)}×); median of runs 2–4 ${early}, ` +
        `of runs 18–20 ${late} (${ratio.toFixed(2)}×); live buffers ${last.buffers}, devices ` +
        `${last.devices}, wasm memory ${(last.wasmBytes / 2 ** 20).toFixed(1)} MiB after every cycle`,
    );
    assert.ok(ratio >= MIN_SPEED_RATIO, `runs 18–20 at ${ratio.toFixed(2)}× the speed of runs 2–4`);
  });
});
