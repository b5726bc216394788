// The page's language in a real browser: it follows the browser's language, `?lang=` overrides
// it, the switch in the header changes every section at once without losing what was typed or
// what the trainer did, and the choice survives a reload. Money is written the way each
// language writes large amounts (万 / 亿 against million / billion).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { closeApp, openApp } from './browser.mjs';

/** How long the page may take to follow a change (a reactive update is immediate). */
const UPDATE_MS = 5_000;
/** One CPU epoch of the embedded MNIST subset, with room for a slow machine. */
const TRAIN_MS = 120_000;
/** Any CJK ideograph. */
const HAN = /\p{Script=Han}/u;

/** The text of every section heading (h2), in page order. */
async function headings(page) {
  return page.$$eval('h2', (els) => els.map((el) => el.textContent.trim()));
}

/** The trimmed text of element `selector`. */
async function text(page, selector) {
  return ((await page.textContent(selector)) ?? '').trim();
}

/** Waits until the page shows language `code` ('zh' or 'en'): `<html lang>` and the switch. */
async function waitForLanguage(page, code) {
  const tag = code === 'zh' ? 'zh-CN' : 'en';
  await page.waitForFunction(
    ({ code, tag }) =>
      document.documentElement.lang === tag &&
      document.getElementById(`lang-${code}`)?.getAttribute('aria-pressed') === 'true',
    { code, tag },
    { timeout: UPDATE_MS },
  );
}

/** Asserts that every heading is Chinese (with `han` true) or free of Chinese (false). */
async function assertHeadings(page, han, when) {
  const all = await headings(page);
  assert.ok(all.length >= 3, `expected the three section headings, got ${JSON.stringify(all)}`);
  for (const heading of all) {
    assert.equal(HAN.test(heading), han, `${when}: heading '${heading}'`);
  }
}

describe('language from a Chinese browser', () => {
  let app;
  before(async () => {
    app = await openApp('#calculator-title', { locale: 'zh-CN' });
  });
  after(async () => {
    await closeApp(app);
  });

  it('opens in Chinese, with no English heading', async () => {
    const { page } = app;
    await waitForLanguage(page, 'zh');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
    assert.equal(await text(page, '#calculator-title'), '公式计算器');
    assert.equal(await page.title(), '价格战实验室');
    await assertHeadings(page, true, 'zh-CN browser');
    assert.equal(await page.getAttribute('#lang-en', 'aria-pressed'), 'false');
    app.session.assertClean('at load');
  });

  it('switches every section to English at once, keeping typed text, results and the run', { timeout: TRAIN_MS + 60_000 }, async () => {
    const { page } = app;
    await waitForLanguage(page, 'zh');

    // A field error that is showing, a number typed in the cost model, and large money.
    await page.fill('#utilisation-t', 'abc');
    await page.waitForFunction(() => document.getElementById('utilisation-t-error')?.textContent.trim() !== '');
    assert.match(await text(page, '#utilisation-t-error'), HAN, 'the error is in Chinese first');
    // A preset resets every cost-model field, so it comes before the typing.
    await page.click('#costmodel-preset-gpt3');
    await page.fill('#pricewar-volume', '123456');
    await page.fill('#training-price', '2000');
    await page.waitForFunction(() => /亿/.test(document.getElementById('training-cost-out')?.textContent ?? ''));
    const costValue = await page.getAttribute('#training-cost-out', 'data-value');
    assert.ok(Number(costValue) > 1e9, `GPT-3-like at 2000 per GPU-hour costs billions, got ${costValue}`);
    assert.match(await text(page, '#training-steps'), /亿/, 'the derivation writes money in 亿 too');

    // One short CPU run, so the trainer has a status message and a table row to keep.
    await page.fill('#train-epochs', '1');
    await page.selectOption('#train-device', 'cpu');
    await page.click('#train-start');
    await page.waitForSelector('#train-status[data-state="done"]', { timeout: TRAIN_MS });
    const statusZh = await text(page, '#train-status');
    assert.match(statusZh, /训练完成/);
    assert.equal(await page.locator('#train-epochs-table tbody tr').count(), 1);

    await page.click('#lang-en');
    await waitForLanguage(page, 'en');

    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    assert.equal(await page.title(), 'Price War Lab');
    await assertHeadings(page, false, 'after #lang-en');
    assert.equal(await text(page, '#calculator-title'), "The article's formulas");
    assert.equal(await text(page, 'label[for="utilisation-t"]'), 'Training time T (days)');
    const error = await text(page, '#utilisation-t-error');
    assert.match(error, /not a number/, `the showing error is now English: '${error}'`);
    assert.doesNotMatch(error, HAN);

    // Nothing typed or computed is lost.
    assert.equal(await page.inputValue('#utilisation-t'), 'abc');
    assert.equal(await page.inputValue('#pricewar-volume'), '123456');
    assert.equal(await page.inputValue('#training-price'), '2000');
    assert.equal(await page.inputValue('#train-epochs'), '1');
    assert.equal(await page.getAttribute('#training-cost-out', 'data-value'), costValue);
    const costEn = await text(page, '#training-cost-out');
    assert.match(costEn, /billion/, `English money: '${costEn}'`);
    assert.doesNotMatch(costEn, /亿|万/);
    assert.match(await text(page, '#training-steps'), /billion/);

    // The trainer keeps its state; the message already on screen is translated.
    assert.equal(await page.getAttribute('#train-status', 'data-state'), 'done');
    assert.match(await text(page, '#train-status'), /^Finished 1 epoch/);
    assert.equal(await page.locator('#train-epochs-table tbody tr').count(), 1);
    assert.doesNotMatch(await page.$eval('#trainer', (el) => el.innerText), HAN);
    assert.doesNotMatch(await page.$eval('#cost-model', (el) => el.innerText), HAN);

    // And back: the same value in Chinese again.
    await page.click('#lang-zh');
    await waitForLanguage(page, 'zh');
    assert.match(await text(page, '#training-cost-out'), /亿/);
    assert.equal(await page.getAttribute('#training-cost-out', 'data-value'), costValue);
    assert.match(await text(page, '#train-status'), /训练完成/);
    app.session.assertClean('after switching');
  });

  it('remembers the choice across a reload', async () => {
    const { page } = app;
    await page.click('#lang-en');
    await waitForLanguage(page, 'en');
    await page.reload({ waitUntil: 'load' });
    await page.waitForSelector('#calculator-title');
    await waitForLanguage(page, 'en');
    await assertHeadings(page, false, 'after a reload');
    app.session.assertClean('after the reload');
  });
});

describe('language from an English browser', () => {
  let app;
  before(async () => {
    app = await openApp('#calculator-title', { locale: 'en-US' });
  });
  after(async () => {
    await closeApp(app);
  });

  it('opens in English', async () => {
    const { page } = app;
    await waitForLanguage(page, 'en');
    assert.equal(await text(page, '#calculator-title'), "The article's formulas");
    await assertHeadings(page, false, 'en-US browser');
    app.session.assertClean('at load');
  });

  it('writes the same amount as million in English and 万 in Chinese', async () => {
    const { page } = app;
    await page.click('#costmodel-preset-gpt3');
    await page.waitForFunction(() => /million/.test(document.getElementById('training-cost-out')?.textContent ?? ''));
    const value = await page.getAttribute('#training-cost-out', 'data-value');
    await page.click('#lang-zh');
    await waitForLanguage(page, 'zh');
    const zh = await text(page, '#training-cost-out');
    assert.match(zh, /万/, `Chinese money: '${zh}'`);
    assert.doesNotMatch(zh, /million/);
    assert.equal(await page.getAttribute('#training-cost-out', 'data-value'), value);
    app.session.assertClean('after the preset');
  });
});

describe('?lang= in the URL', () => {
  let app;
  before(async () => {
    app = await openApp('#calculator-title', { locale: 'en-US', query: '?lang=zh' });
  });
  after(async () => {
    await closeApp(app);
  });

  it('overrides an English browser, and the cost model keeps it in the URL', async () => {
    const { page } = app;
    await waitForLanguage(page, 'zh');
    await assertHeadings(page, true, '?lang=zh in an en-US browser');
    // The cost model rewrites the query string with its inputs; other parameters stay.
    await page.fill('#training-gpus', '8');
    await page.waitForFunction(() => new URLSearchParams(location.search).get('training-gpus') === '8');
    assert.equal(new URL(page.url()).searchParams.get('lang'), 'zh');
    app.session.assertClean('with ?lang=zh');
  });

  it('writes the switch into ?lang=, so that a reload keeps the reader\'s choice', async () => {
    const { page } = app;
    await page.click('#lang-en');
    await waitForLanguage(page, 'en');
    await page.waitForFunction(() => new URLSearchParams(location.search).get('lang') === 'en');
    assert.equal(new URL(page.url()).searchParams.get('training-gpus'), '8', 'the other inputs stay');
    await page.reload({ waitUntil: 'load' });
    await page.waitForSelector('#calculator-title');
    await waitForLanguage(page, 'en');
    app.session.assertClean('after switching with ?lang= in the URL');
  });
});

describe('the language switch on a 360 px screen', () => {
  let app;
  before(async () => {
    app = await openApp('#lang-en', { locale: 'zh-CN' });
  });
  after(async () => {
    await closeApp(app);
  });

  it('fits at the top right without widening the page, in light and dark', async () => {
    const { page } = app;
    await page.setViewportSize({ width: 360, height: 740 });
    for (const colorScheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme });
      const box = await page.locator('.lang-switch').boundingBox();
      assert.ok(box, 'the switch is shown');
      assert.ok(box.x + box.width <= 360 && box.x > 180, `${colorScheme}: switch at the right, got ${JSON.stringify(box)}`);
      assert.ok(box.y < 60, `${colorScheme}: switch at the top, got ${JSON.stringify(box)}`);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 360, `${colorScheme}: the page is ${width} px wide`);
      // The pressed button is filled with the accent colour, the other is not.
      const look = await page.$$eval('.lang-switch button', (buttons) =>
        Object.fromEntries(buttons.map((b) => [b.getAttribute('aria-pressed'), getComputedStyle(b).backgroundColor])),
      );
      const [pressed, other] = [look.true, look.false];
      assert.ok(pressed && other, `${colorScheme}: one pressed and one other button, got ${JSON.stringify(look)}`);
      assert.notEqual(pressed, other, `${colorScheme}: the pressed language looks different`);
    }
    app.session.assertClean('at 360 px');
  });
});
