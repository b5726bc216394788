// The cost model in a real browser: presets reproduce published figures, each section follows
// its inputs, invalid text gets a message beside the field and "—" in the outputs, and the
// page's URL restores every input (while a malformed URL falls back to defaults with a notice).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { closeApp, openApp } from './browser.mjs';

/** How long an output may take to follow an input (a reactive update is immediate). */
const UPDATE_MS = 5_000;
/** What an output shows when its inputs are not valid. */
const NO_VALUE = '—';

/** The raw `data-value` of output `id` as a number, or null when it has none. */
async function rawValue(page, id) {
  const raw = await page.getAttribute(`#${id}`, 'data-value');
  return raw === null || raw === '' ? null : Number(raw);
}

/** Waits until output `id` carries a `data-value` within `relTol` of `expected`. */
async function expectValue(page, id, expected, relTol, what) {
  try {
    await page.waitForFunction(
      ({ id, expected, relTol }) => {
        const raw = document.getElementById(id)?.getAttribute('data-value');
        if (raw === null || raw === undefined || raw === '') return false;
        return Math.abs(Number(raw) - expected) <= relTol * Math.max(1e-300, Math.abs(expected));
      },
      { id, expected, relTol },
      { timeout: UPDATE_MS },
    );
  } catch {
    const text = await page.textContent(`#${id}`).catch(() => null);
    assert.fail(`${what}: #${id} should be ${expected} (±${relTol * 100}%), has data-value ${await rawValue(page, id)}, text '${text}'`);
  }
}

/** Waits until output `id` shows "—" and has no `data-value`. */
async function expectNoValue(page, id, what) {
  try {
    await page.waitForFunction(
      ({ id, noValue }) => {
        const el = document.getElementById(id);
        const raw = el?.getAttribute('data-value');
        return el && el.textContent.trim() === noValue && (raw === null || raw === '');
      },
      { id, noValue: NO_VALUE },
      { timeout: UPDATE_MS },
    );
  } catch {
    assert.fail(`${what}: #${id} should show '${NO_VALUE}', shows '${await page.textContent(`#${id}`)}'`);
  }
}

/** The visible text of the error element beside input `id` (`#<id>-error`). */
async function errorBeside(page, id) {
  return (await page.textContent(`#${id}-error`))?.trim() ?? '';
}

/** Replaces the text of input `id` keystroke by keystroke, as a person types. */
async function typeInto(page, id, text) {
  const input = page.locator(`#${id}`);
  await input.fill('');
  await input.pressSequentially(text);
}

/** NaN, Infinity, inf or undefined anywhere in the cost model. */
async function brokenNumbers(page) {
  return page.evaluate(() => {
    const text = document.getElementById('cost-model')?.innerText ?? '';
    return text.match(/\b(NaN|Infinity|-?inf|undefined)\b/g) ?? [];
  });
}

/** Every cost-model output's `data-value` (null when it has none), by id. */
async function allOutputs(page) {
  return page.$$eval('#cost-model output[id]', (els) =>
    Object.fromEntries(els.map((el) => [el.id, el.getAttribute('data-value') ?? el.textContent.trim()])),
  );
}

describe('cost model', () => {
  let app;
  before(async () => {
    app = await openApp('#training-flops-out');
  });
  after(async () => {
    await closeApp(app);
  });

  it('labels every cost-model input and select', async () => {
    const unlabelled = await app.page.evaluate(() =>
      [...document.querySelectorAll('#cost-model input, #cost-model select')]
        .filter((el) => ![...(el.labels ?? [])].some((label) => label.innerText.trim() !== ''))
        .map((el) => el.id || el.outerHTML.slice(0, 80)),
    );
    assert.deepEqual(unlabelled, []);
    // getByLabel finds the fields by what a reader sees.
    assert.equal(await app.page.getByLabel('Fixed cost F').getAttribute('id'), 'pricewar-fixed');
    assert.equal(await app.page.getByLabel('Price elasticity of demand ε').getAttribute('id'), 'pricewar-elasticity');
  });

  it('reproduces GPT-3 and Llama 2 70B training figures from the presets', async () => {
    const { page } = app;
    await page.click('#costmodel-preset-gpt3');
    // Brown et al. 2020 (GPT-3), table D.1: 175e9 params × 300e9 tokens ≈ 3.14e23 FLOPs;
    // 6·N·D = 3.15e23. Tolerance 1% (the 6·N·D rule itself is approximate).
    await expectValue(page, 'training-flops-out', 3.14e23, 0.01, 'GPT-3 FLOPs');
    assert.match(await page.textContent('#training-flops-out'), /3\.15 × 10²³/);

    await page.click('#costmodel-preset-llama2');
    // Llama 2 model card: 70B trained on 2e12 tokens in 1,720,320 A100-80GB GPU-hours; the
    // preset's MFU 0.435 is that figure worked back at 312 TFLOP/s BF16. Tolerance 0.5%.
    await expectValue(page, 'training-gpu-hours-out', 1_720_320, 0.005, 'Llama 2 70B GPU-hours');
    // Same MFU typed as a percentage gives the same GPU-hours.
    await typeInto(page, 'training-mfu', '43.5%');
    await expectValue(page, 'training-gpu-hours-out', 1_720_320, 0.005, 'Llama 2 70B GPU-hours at 43.5%');
    // Cost = GPU-hours × price: typed $2 per GPU-hour.
    await typeInto(page, 'training-price', '2');
    const hours = await rawValue(page, 'training-gpu-hours-out');
    await expectValue(page, 'training-cost-out', hours * 2, 1e-12, 'cost = GPU-hours × $2');
    // 70e9 params × 16 bytes = 1,120 GB of training state.
    await expectValue(page, 'training-memory-out', 1120, 1e-12, 'memory check');
    assert.match(await page.textContent('#training-accelerator-note'), /Source: NVIDIA A100/);
    app.session.assertClean('after training presets');
  });

  it('follows typed training inputs and data-parallel settings', async () => {
    const { page } = app;
    await page.selectOption('#training-mode', '6nd');
    await typeInto(page, 'training-params', '1e9');
    await typeInto(page, 'training-tokens', '2e10');
    // 6 × 1e9 × 2e10 = 1.2e20 FLOPs.
    await expectValue(page, 'training-flops-out', 1.2e20, 1e-12, '6·N·D typed');
    // Ring all-reduce over 8 GPUs on NVLink 3 (300 GB/s per direction, A100 datasheet):
    // 2 × 7/8 × (1e9 × 2 bytes) ÷ 300e9 B/s = 0.0116667 s.
    await typeInto(page, 'training-gpus', '8');
    await page.selectOption('#training-link', 'nvlink3');
    await typeInto(page, 'training-grad-bytes', '2');
    await expectValue(page, 'training-allreduce-out', (2 * 7 / 8 * 2e9) / 300e9, 1e-9, 'all-reduce time');
    // Sequential communication: efficiency = compute ÷ (compute + all-reduce) < 1.
    await page.selectOption('#training-overlap', 'sequential');
    await page.waitForFunction(() => Number(document.getElementById('training-scaling-out')?.getAttribute('data-value')) < 1);
    // The MNIST MLP counted exactly: 784-128-10 has 101,770 parameters; 16 bytes each.
    await page.selectOption('#training-mode', 'mlp');
    await typeInto(page, 'training-layers', '784, 128, 10');
    await expectValue(page, 'training-memory-out', (101_770 * 16) / 1e9, 1e-9, 'MLP memory');
    app.session.assertClean('after training inputs');
  });

  it('says when the accelerator has no figure for the precision, and shows "—"', async () => {
    const { page } = app;
    await page.selectOption('#training-accelerator', 'm1-max');
    await page.selectOption('#training-precision', 'bf16');
    assert.match(await page.textContent('#training-precision-note'), /no BF16\/FP16 figure/);
    await expectNoValue(page, 'training-gpu-hours-out', 'no BF16 peak on the M1 Max');
    await page.selectOption('#training-precision', 'fp32');
    await page.waitForFunction(() => document.getElementById('training-gpu-hours-out')?.hasAttribute('data-value'));
    // A custom accelerator entered with the A100's BF16 peak (312 TFLOP/s, A100 datasheet)
    // gives the same GPU-hours as the A100 row.
    await page.selectOption('#training-accelerator', 'a100-sxm');
    await page.selectOption('#training-precision', 'bf16');
    const a100Hours = await rawValue(page, 'training-gpu-hours-out');
    await page.selectOption('#training-accelerator', 'custom');
    await typeInto(page, 'training-custom-peak', '312');
    await expectValue(page, 'training-gpu-hours-out', a100Hours, 1e-12, 'custom 312 TFLOP/s = A100 BF16');
    await typeInto(page, 'training-custom-peak', '0');
    await expectNoValue(page, 'training-gpu-hours-out', 'custom peak 0');
    assert.notEqual(await errorBeside(page, 'training-custom-peak'), '');
    await page.selectOption('#training-accelerator', 'a100-sxm');
    app.session.assertClean('after precision');
  });

  it('shows a message beside an invalid field and "—" in its outputs', async () => {
    const { page } = app;
    await typeInto(page, 'training-mfu', 'abc');
    await expectNoValue(page, 'training-gpu-hours-out', "MFU 'abc'");
    await expectNoValue(page, 'training-cost-out', "MFU 'abc'");
    assert.notEqual(await errorBeside(page, 'training-mfu'), '');
    await typeInto(page, 'training-gpus', '0');
    assert.match(await errorBeside(page, 'training-gpus'), /whole number/);
    await typeInto(page, 'pricewar-price', '-');
    await expectNoValue(page, 'pricewar-breakeven-out', "price '-'");
    assert.notEqual(await errorBeside(page, 'pricewar-price'), '');
    assert.deepEqual(await brokenNumbers(page), []);
    await typeInto(page, 'training-mfu', '0.4');
    await typeInto(page, 'training-gpus', '8');
    await typeInto(page, 'pricewar-price', '10');
    assert.equal(await errorBeside(page, 'training-mfu'), '');
    app.session.assertClean('after invalid input');
  });

  it('computes break-even, the price cut, the floor and the markup rule', async () => {
    const { page } = app;
    await typeInto(page, 'pricewar-fixed', '300000');
    await typeInto(page, 'pricewar-price', '10');
    await typeInto(page, 'pricewar-mc', '6');
    // Issue 3's golden value: 300,000 ÷ (10 − 6) = 75,000 units.
    await expectValue(page, 'pricewar-breakeven-out', 75_000, 1e-12, 'break-even');
    // Constant elasticity −2, price 10 → 8: volume × (8/10)^−2 = 1.5625 × 100,000.
    await typeInto(page, 'pricewar-volume', '100000');
    await typeInto(page, 'pricewar-new-price', '8');
    await typeInto(page, 'pricewar-elasticity', '-2');
    await expectValue(page, 'pricewar-volume-after-out', 156_250, 1e-12, 'volume after the cut');
    // Issue 3's golden value: markup rule with MC 4 and ε −2 gives 4 ÷ (1 − 1/2) = 8.
    await typeInto(page, 'pricewar-mc', '4');
    await expectValue(page, 'pricewar-markup-out', 8, 1e-12, 'markup price');
    await expectValue(page, 'pricewar-floor-out', 4, 1e-12, 'Bertrand floor');
    // Price at marginal cost never breaks even: a message, not Infinity.
    await typeInto(page, 'pricewar-price', '4');
    await expectNoValue(page, 'pricewar-breakeven-out', 'price = MC');
    assert.match(await page.textContent('#pricewar-breakeven-error'), /not above marginal cost/);
    await typeInto(page, 'pricewar-price', '10');
    // "Use training cost" copies the training section's cost, to the cent.
    const cost = await rawValue(page, 'training-cost-out');
    await page.click('#pricewar-use-training');
    assert.equal(await page.inputValue('#pricewar-fixed'), cost.toFixed(2));
    assert.deepEqual(await brokenNumbers(page), []);
    app.session.assertClean('after price war');
  });

  it('computes serving throughput, cost per 1M tokens and margin in any price unit', async () => {
    const { page } = app;
    await page.click('#costmodel-preset-article');
    // Defaults: 7e9 BF16 params, 16 sequences × 2,048 tokens × 524,288 KV bytes on one H100 SXM
    // (3,350 GB/s, 989.5 TFLOP/s BF16 dense: NVIDIA H100 datasheet), MFU 0.5, $2.50/GPU-hour.
    const bytes = 7e9 * 2 + 16 * 2048 * 524_288;
    const memoryS = bytes / 3350e9;
    const computeS = (2 * 7e9 * 16) / (989.5e12 * 0.5);
    const tps = 16 / Math.max(memoryS, computeS);
    await expectValue(page, 'serving-tps-out', tps, 1e-9, 'tokens/s per GPU');
    assert.equal(await page.getAttribute('#serving-bound-out', 'data-bound'), 'memory-bandwidth-bound');
    const outputCost = (2.5 / (tps * 3600)) * 1e6;
    await expectValue(page, 'serving-output-cost-out', outputCost, 1e-9, 'cost per 1M output tokens');
    const margin = await rawValue(page, 'serving-margin-out');
    // The same prices quoted per 1K tokens give the same margin.
    await page.selectOption('#serving-price-unit', '1k');
    await typeInto(page, 'serving-input-price', '0.0002');
    await typeInto(page, 'serving-output-price', '0.0006');
    await expectValue(page, 'serving-output-price-m-out', 0.6, 1e-12, '$0.0006 per 1K = $0.60 per 1M');
    await expectValue(page, 'serving-margin-out', margin, 1e-9, 'margin with per-1K prices');
    assert.match(await page.textContent('#serving-price-unit-note'), /per 1K tokens/);
    // "Use serving cost" copies the cost per 1M output tokens into the price war's MC.
    await page.click('#pricewar-use-serving');
    await expectValue(page, 'pricewar-floor-out', outputCost, 1e-9, 'floor = serving cost');
    app.session.assertClean('after serving');
  });

  it('keeps every input in the URL and restores the same outputs from a copied link', async () => {
    const { page } = app;
    await page.selectOption('#training-mode', '6nd');
    await typeInto(page, 'training-params', '3e9');
    await typeInto(page, 'pricewar-elasticity', '-3');
    await page.selectOption('#costmodel-currency', 'CNY');
    await page.waitForFunction(() => document.getElementById('training-cost-out')?.textContent.includes('¥'));
    const url = page.url();
    assert.match(url, /training-params=3e9/);
    assert.match(url, /pricewar-elasticity=-3/);
    const before = await allOutputs(page);

    const fresh = await app.session.context.newPage();
    await fresh.goto(url);
    await fresh.waitForSelector('#training-flops-out[data-value]');
    assert.deepEqual(await allOutputs(fresh), before);
    assert.equal(await fresh.inputValue('#training-params'), '3e9');
    assert.equal(await fresh.locator('#costmodel-url-notice').count(), 0, 'a complete link needs no notice');
    await fresh.close();
    app.session.assertClean('after reopening the link');
  });

  it('falls back to defaults with a notice for malformed URL parameters', async () => {
    const base = new URL(app.page.url());
    const fresh = await app.session.context.newPage();
    const long = '9'.repeat(5000);
    await fresh.goto(`${base.origin}${base.pathname}?training-mfu=%3Cscript%3Ealert(1)%3C%2Fscript%3E&pricewar-fixed=${long}&serving-price-unit=%FF`);
    await fresh.waitForSelector('#training-flops-out[data-value]');
    assert.equal(await fresh.inputValue('#training-mfu'), '0.3', 'MFU falls back to its default');
    assert.equal(await fresh.inputValue('#pricewar-fixed'), '300000');
    const notice = await fresh.textContent('#costmodel-url-invalid');
    for (const name of ['training-mfu', 'pricewar-fixed', 'serving-price-unit']) {
      assert.ok(notice.includes(name), `notice should name ${name}: '${notice}'`);
    }
    assert.ok(!notice.includes('<script'), 'the URL value is not echoed');
    assert.equal(await fresh.locator('#cost-model script').count(), 0, 'no markup from the URL');
    // The URL is rewritten with the defaults, so a copied link is valid again.
    assert.match(fresh.url(), /training-mfu=0\.3/);
    await expectValue(fresh, 'pricewar-breakeven-out', 75_000, 1e-12, 'defaults after a bad link');
    await fresh.close();
    app.session.assertClean('after a malformed link');
  });
});
