// Seeing what the model does: the trainer's charts, a digit drawn on the pad and classified by
// the model just trained, the test digits it gets wrong, its weights saved and loaded again
// after a reload, and a cost-model chart following its input.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { closeApp, openApp } from './browser.mjs';

/** One CPU epoch in wasm takes seconds; allow for a loaded machine. */
const TRAIN_TIMEOUT_MS = 5 * 60_000;
/** The ten probabilities are a softmax: they sum to 1 up to f32 rounding. */
const SUM_TOLERANCE = 1e-4;
/** The same drawing with the same weights must give the same probabilities. */
const SAME_TOLERANCE = 1e-6;

/** Waits until `#train-status` says done, failing on error or console problems. */
async function waitForTraining(page, session) {
  const started = Date.now();
  for (;;) {
    session.assertClean('while training');
    const state = await page.getAttribute('#train-status', 'data-state');
    if (state === 'done') return;
    if (state === 'error') assert.fail(`training failed: ${await page.innerText('#train-status')}`);
    if (Date.now() - started > TRAIN_TIMEOUT_MS) assert.fail('training did not finish in time');
    await page.waitForTimeout(250);
  }
}

/**
 * Draws a stroke through `points` given as fractions (0–1) of the pad's width and height.
 * Positions are fractional CSS pixels from the pad's own box, so the same fractions draw the
 * same pixels wherever the page has scrolled or laid the pad out.
 */
async function drawOnPad(page, points) {
  const pad = page.locator('#digit-pad');
  await pad.scrollIntoViewIfNeeded();
  const box = await pad.boundingBox();
  const at = ([fx, fy]) => [box.x + fx * box.width, box.y + fy * box.height];
  await page.mouse.move(...at(points[0]));
  await page.mouse.down();
  for (const p of points.slice(1)) await page.mouse.move(...at(p));
  await page.mouse.up();
}

/** A "1": a vertical stroke down the middle. */
const ONE = Array.from({ length: 21 }, (_, i) => [0.5, 0.15 + (0.7 * i) / 20]);
/** A "0": an ellipse, closed. */
const ZERO = Array.from({ length: 49 }, (_, i) => {
  const a = (2 * Math.PI * i) / 48;
  return [0.5 + 0.22 * Math.sin(a), 0.5 - 0.33 * Math.cos(a)];
});

/** The pad's reading: `{ top, probabilities[10] }`. */
async function readProbabilities(page) {
  return page.evaluate(() => {
    const items = [...document.querySelectorAll('#digit-probs li[data-digit]')];
    return {
      top: document.querySelector('#digit-top')?.getAttribute('data-digit') ?? null,
      marked: items.filter((li) => li.getAttribute('data-top') === 'true').map((li) => li.getAttribute('data-digit')),
      probabilities: items.map((li) => Number(li.getAttribute('data-probability'))),
    };
  });
}

async function clearPad(page) {
  await page.click('#digit-clear');
  await page.waitForFunction(() => !document.querySelector('#digit-top')?.hasAttribute('data-digit'));
}

function assertDistribution(reading, what) {
  assert.equal(reading.probabilities.length, 10, `${what}: ten probabilities`);
  assert.ok(reading.probabilities.every((p) => Number.isFinite(p) && p >= 0 && p <= 1), `${what}: ${reading.probabilities}`);
  const sum = reading.probabilities.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - 1) <= SUM_TOLERANCE, `${what}: probabilities sum to ${sum}`);
  assert.deepEqual(reading.marked, [reading.top], `${what}: exactly the top digit is marked`);
}

describe('charts, the digit pad and saved weights', () => {
  let app;
  let dir;
  before(async () => {
    app = await openApp('#train-start');
    dir = await mkdtemp(path.join(tmpdir(), 'pwl-weights-'));
  });
  after(async () => {
    await closeApp(app);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('before any model, the pad says how to get one', async () => {
    const { page } = app;
    assert.equal(await page.getAttribute('#digit-status', 'data-model'), 'none');
    assert.notEqual((await page.innerText('#digit-status')).trim(), '');
    assert.equal(await page.isDisabled('#weights-save'), true);
  });

  it('trains one CPU epoch, charts it, reads drawn digits, lists mistakes, and keeps the weights', { timeout: TRAIN_TIMEOUT_MS + 120_000 }, async () => {
    const { page, session } = app;
    await page.selectOption('#train-device', 'cpu');
    await page.fill('#train-epochs', '1');
    await page.click('#train-start');
    await waitForTraining(page, session);

    // The training chart: one point per epoch for the epoch figures.
    for (const [chart, series] of [
      ['#chart-train-progress', 'test-accuracy'],
      ['#chart-train-progress', 'epoch-loss'],
      ['#chart-train-throughput', 'samples-per-s'],
    ]) {
      const g = page.locator(`${chart} g[data-series="${series}"]`);
      assert.equal(await g.getAttribute('data-points'), '1', `${chart} ${series}`);
      assert.equal(await g.locator('circle[data-x="1"]').count(), 1, `${chart} ${series}: a point at epoch 1`);
    }
    const chunks = Number(await page.getAttribute('#chart-train-progress g[data-series="chunk-loss"]', 'data-points'));
    assert.ok(chunks >= 2, `the loss per chunk of steps has ${chunks} points`);
    assert.equal(await page.getAttribute('#chart-train-progress svg', 'role'), 'img');
    assert.notEqual((await page.getAttribute('#chart-train-progress svg', 'aria-label')).trim(), '');
    const svgText = await page.locator('#train-charts').innerHTML();
    assert.doesNotMatch(svgText, /NaN|Infinity/);

    assert.equal(await page.getAttribute('#digit-status', 'data-model'), 'trained');

    await drawOnPad(page, ONE);
    const one = await readProbabilities(page);
    assertDistribution(one, 'the drawn 1');
    assert.equal(one.top, '1', `a vertical stroke should read as 1: ${one.probabilities}`);

    await clearPad(page);
    await drawOnPad(page, ZERO);
    const zero = await readProbabilities(page);
    assertDistribution(zero, 'the drawn 0');
    assert.equal(zero.top, '0', `an ellipse should read as 0: ${zero.probabilities}`);
    console.log(`drawn 1: p(1) = ${one.probabilities[1].toFixed(4)}; drawn 0: p(0) = ${zero.probabilities[0].toFixed(4)}`);

    // The same 1 with the keyboard alone: Tab to the pad, pen up 6 steps from the middle,
    // Space puts it down, 12 steps down draw the stroke, Space lifts it, Delete clears.
    await clearPad(page);
    await page.focus('#digit-clear');
    await page.keyboard.press('Shift+Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'digit-pad', 'the pad takes keyboard focus');
    assert.equal(await page.getAttribute('.pad-pen', 'data-down'), 'false');
    for (let i = 0; i < 6; i += 1) await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Space');
    assert.equal(await page.getAttribute('.pad-pen', 'data-down'), 'true');
    for (let i = 0; i < 12; i += 1) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Space');
    const typed = await readProbabilities(page);
    assertDistribution(typed, 'the 1 drawn with the keyboard');
    assert.equal(typed.top, '1', `a keyboard stroke down the middle should read as 1: ${typed.probabilities}`);
    assert.ok(await page.isVisible('.pad-pen'), 'the pen shows while the pad has keyboard focus');
    await page.keyboard.press('Delete');
    await page.waitForFunction(() => !document.querySelector('#digit-top')?.hasAttribute('data-digit'));
    console.log(`keyboard 1: p(1) = ${typed.probabilities[1].toFixed(4)}`);
    // A held Space (the key repeating) puts the pen down once, not down and up by turns.
    await page.keyboard.down('Space');
    await page.keyboard.down('Space');
    await page.keyboard.down('Space');
    await page.keyboard.up('Space');
    assert.equal(await page.getAttribute('.pad-pen', 'data-down'), 'true', 'a held Space toggles once');
    await page.keyboard.press('Space');
    await page.keyboard.press('Delete');
    // A stroke with the mouse gives the pad the keyboard's focus too.
    await page.focus('#digit-clear');
    await drawOnPad(page, ONE);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'digit-pad', 'a click focuses the pad');
    await page.keyboard.press('Delete');
    await page.waitForFunction(() => !document.querySelector('#digit-top')?.hasAttribute('data-digit'));

    // Mistakes: up to 12 test digits, each read as something it is not.
    const mistakes = await page.$$eval('#digit-mistakes li', (items) =>
      items.map((li) => ({
        label: li.getAttribute('data-label'),
        predicted: li.getAttribute('data-predicted'),
        confidence: Number(li.getAttribute('data-confidence')),
      })),
    );
    assert.ok(mistakes.length > 0 && mistakes.length <= 12, `${mistakes.length} mistakes shown`);
    for (const m of mistakes) {
      assert.notEqual(m.label, m.predicted, JSON.stringify(m));
      assert.ok(m.confidence > 0 && m.confidence <= 1, JSON.stringify(m));
    }

    // Save the weights, reload, load them, draw the same 0: the same probabilities.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#weights-save')]);
    const file = path.join(dir, download.suggestedFilename());
    await download.saveAs(file);
    const bytes = await readFile(file);
    assert.equal(bytes.subarray(0, 4).toString('latin1'), 'PWLW');

    await page.reload({ waitUntil: 'load' });
    await page.waitForSelector('#train-start');
    assert.equal(await page.getAttribute('#digit-status', 'data-model'), 'none');

    // A damaged file is refused with a message, and changes nothing.
    const damaged = path.join(dir, 'damaged.pwlw');
    await writeFile(damaged, bytes.subarray(0, 1000));
    await page.setInputFiles('#weights-load', damaged);
    await page.waitForSelector('#weights-status[data-state="error"]');
    assert.match(await page.innerText('#weights-status'), /\S/);
    assert.equal(await page.getAttribute('#digit-status', 'data-model'), 'none');

    await page.setInputFiles('#weights-load', file);
    await page.waitForSelector('#weights-status[data-state="loaded"]');
    assert.equal(await page.getAttribute('#digit-status', 'data-model'), 'loaded');
    await drawOnPad(page, ZERO);
    const again = await readProbabilities(page);
    assertDistribution(again, 'the 0 after loading');
    assert.equal(again.top, zero.top);
    for (let d = 0; d < 10; d += 1) {
      assert.ok(
        Math.abs(again.probabilities[d] - zero.probabilities[d]) <= SAME_TOLERANCE,
        `digit ${d}: ${again.probabilities[d]} after loading, ${zero.probabilities[d]} before`,
      );
    }
    // The loaded model also lists its mistakes (it fetches the test digits itself).
    await page.waitForSelector('#digit-mistakes li');

    // A refused file, then a new run: the run's weights replace the model, and the message
    // about the old file goes with it.
    await page.setInputFiles('#weights-load', damaged);
    await page.waitForSelector('#weights-status[data-state="error"]');
    await page.selectOption('#train-device', 'cpu');
    await page.fill('#train-epochs', '1');
    await page.click('#train-start');
    await page.waitForSelector('#train-status[data-state="done"]', { timeout: 60_000 });
    await page.waitForSelector('#weights-status[data-state="idle"]', { state: 'attached' });
    assert.equal((await page.innerText('#weights-status')).trim(), '');
    assert.equal(await page.getAttribute('#digit-status', 'data-model'), 'trained');
    session.assertClean('after saving and loading');
  });

  it('the GPU-count chart marks the current GPU count and follows it', async () => {
    const { page, session } = app;
    const marker = page.locator('#chart-training-days circle[data-marker="current"]');
    const before = { x: await marker.getAttribute('data-x'), cx: Number(await marker.getAttribute('cx')) };
    assert.equal(before.x, await page.inputValue('#training-gpus'));
    await page.fill('#training-gpus', '64');
    await page.waitForFunction(
      () => document.querySelector('#chart-training-days circle[data-marker="current"]')?.getAttribute('data-x') === '64',
    );
    const afterCx = Number(await marker.getAttribute('cx'));
    assert.ok(afterCx > before.cx, `the marker should move right: ${before.cx} → ${afterCx}`);
    const costMarker = page.locator('#chart-training-cost circle[data-marker="current"]');
    assert.equal(await costMarker.getAttribute('data-x'), '64');
    const points = Number(await page.getAttribute('#chart-training-days g[data-series="days"]', 'data-points'));
    assert.ok(points >= 7, `${points} GPU counts plotted`);
    for (const id of ['#chart-training-days', '#chart-training-cost', '#chart-pricewar-profit', '#chart-serving-batch']) {
      assert.equal(await page.getAttribute(`${id} svg`, 'data-empty'), 'false', `${id} has points`);
      assert.doesNotMatch(await page.locator(id).innerHTML(), /NaN|Infinity/, id);
    }
    session.assertClean('after changing the GPU count');
  });
});
