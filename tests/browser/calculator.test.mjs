// The calculator in a real browser: the article's worked example at load, outputs that follow
// every keystroke, and a clear error (never NaN or Infinity) for input that is not a number.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { closeApp, openApp } from './browser.mjs';

/** Relative tolerance for the numbers the page shows; they are f64 results of one operation. */
const REL_TOL = 1e-9;
/** How long an output may take to follow an input (a reactive update is immediate). */
const UPDATE_MS = 5_000;
/** What an output shows when its inputs are not valid. */
const NO_VALUE = '—';

// The article's worked example (article.md, section 4.4 "举例说明"): 10 days on 1000 GPUs gives
// η = 10 / 1000 = 0.01, and 2 × 0.01 = 0.02 with GPUs twice as fast; service value
// 1000 × 0.8 = 800 for both services; innovation value 2000 − 1000 = 1000 (technical) and
// 1000 − 500 = 500 (product), in 万元.
const WORKED_EXAMPLE = [
  ['utilisation-out', 0.01],
  ['utilisation-faster-out', 0.02],
  ['customisation-out', 800],
  ['professional-out', 800],
  ['tech-innovation-out', 1000],
  ['product-innovation-out', 500],
];

/** The text and `data-value` of an output element, as the page shows them now. */
async function readOutput(page, id) {
  return page.$eval(`#${id}`, (el) => ({
    text: el.textContent.trim(),
    value: el.getAttribute('data-value'),
  }));
}

function closeTo(actual, expected) {
  return Math.abs(actual - expected) <= REL_TOL * Math.max(1, Math.abs(expected));
}

/** Waits until output `id` carries `data-value` ≈ `expected`, or fails saying what it shows. */
async function expectValue(page, id, expected, what, { checkText = true } = {}) {
  try {
    await page.waitForFunction(
      ({ id, expected, tol }) => {
        const raw = document.getElementById(id)?.getAttribute('data-value');
        if (raw === null || raw === undefined || raw === '') return false;
        const value = Number(raw);
        return Math.abs(value - expected) <= tol * Math.max(1, Math.abs(expected));
      },
      { id, expected, tol: REL_TOL },
      { timeout: UPDATE_MS },
    );
  } catch {
    const now = await readOutput(page, id).catch(() => null);
    assert.fail(`${what}: #${id} should be ${expected}, shows ${JSON.stringify(now)}`);
  }
  const shown = await readOutput(page, id);
  assert.ok(closeTo(Number(shown.value), expected), `${what}: data-value ${shown.value}`);
  if (checkText) {
    // Digit grouping ("1,000", "1 000") is fine; the digits must be there.
    const digits = shown.text.replace(/[,\s\u202f\u2009]/g, '');
    assert.ok(digits.includes(String(expected)), `${what}: #${id} text '${shown.text}' should show ${expected}`);
  }
}

/** Waits until output `id` shows "—" with no `data-value`, or fails saying what it shows. */
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
    const now = await readOutput(page, id).catch(() => null);
    assert.fail(`${what}: #${id} should show '${NO_VALUE}' and no data-value, shows ${JSON.stringify(now)}`);
  }
}

/**
 * The error message shown for element `id` (an input or an output): the elements its
 * `aria-describedby` names, or else `#<id>-error`. Returns the visible text, '' when none.
 */
async function visibleErrorFor(page, id) {
  return page.evaluate((ownerId) => {
    const owner = document.getElementById(ownerId);
    const ids = (owner?.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
    const candidates = [...ids.map((id) => document.getElementById(id)), document.getElementById(`${ownerId}-error`)];
    return candidates
      .filter((el) => el && el.checkVisibility?.() !== false && el.getClientRects().length > 0)
      .map((el) => el.textContent.trim())
      .filter(Boolean)
      .join(' ');
  }, id);
}

/**
 * A zero divisor is a valid number in its field but has no quotient: its message may sit beside
 * the field or beside the result. Returns whichever is visible, '' when neither is.
 */
async function errorBesideFieldOrResult(page, inputId, outputId) {
  return (await visibleErrorFor(page, inputId)) || (await visibleErrorFor(page, outputId));
}

/**
 * Broken numbers leaking into the view: NaN anywhere on the page, and in any output also
 * Rust's `inf`, JavaScript's `Infinity` or `undefined`. Returns what it found.
 */
async function brokenNumbersOnPage(page) {
  return page.evaluate(() => {
    const found = document.body.innerText.match(/\bNaN\b/g) ?? [];
    for (const output of document.querySelectorAll('[id$="-out"]')) {
      const bad = output.textContent.match(/\b(NaN|-?inf|-?Infinity|undefined)\b/g);
      if (bad) found.push(`#${output.id}: ${output.textContent.trim()}`);
    }
    return found;
  });
}

/** Replaces the text of input `id` keystroke by keystroke, as a person types. */
async function typeInto(page, id, text) {
  const input = page.locator(`#${id}`);
  await input.fill('');
  await input.pressSequentially(text);
}

describe('calculator', () => {
  let app;
  before(async () => {
    app = await openApp('#utilisation-out');
  });
  after(async () => {
    await closeApp(app);
  });

  it('gives every input a visible label', async () => {
    // An input in a closed <details> is hidden with its label; one that shows must show its label.
    const unlabelled = await app.page.evaluate(() =>
      [...document.querySelectorAll('input, select, textarea')]
        .filter((el) => el.type !== 'hidden')
        .filter((el) => {
          const labels = [...(el.labels ?? [])].filter((label) => label.textContent.trim() !== '');
          if (labels.length === 0) return true;
          return el.checkVisibility() && !labels.some((label) => label.checkVisibility());
        })
        .map((el) => el.id || el.outerHTML.slice(0, 80)),
    );
    assert.deepEqual(unlabelled, [], 'inputs without a visible <label>');
  });

  it("shows the article's worked example at load", async () => {
    for (const [id, expected] of WORKED_EXAMPLE) {
      await expectValue(app.page, id, expected, 'worked example');
    }
    // E = R / T has no worked number in the article: it must be the quotient of its own inputs.
    const r = Number(await app.page.inputValue('#efficiency-r'));
    const t = Number(await app.page.inputValue('#efficiency-t'));
    assert.ok(r > 0 && t > 0, `efficiency inputs should start positive, are R=${r}, T=${t}`);
    await expectValue(app.page, 'efficiency-out', r / t, 'E = R / T at load', { checkText: false });
    assert.deepEqual(await brokenNumbersOnPage(app.page), []);
    app.session.assertClean('at load');
  });

  it('updates η on each keystroke, without any submit', async () => {
    await typeInto(app.page, 'utilisation-t', '2');
    await expectValue(app.page, 'utilisation-out', 0.002, 'η after typing T = 2');
    await app.page.locator('#utilisation-t').press('0');
    await expectValue(app.page, 'utilisation-out', 0.02, 'η after typing T = 20');
    // R = 1000 GPUs twice as fast: η doubles too (2 × 0.02).
    await expectValue(app.page, 'utilisation-faster-out', 0.04, 'faster η after typing T = 20');

    await typeInto(app.page, 'efficiency-t', '4');
    const r = Number(await app.page.inputValue('#efficiency-r'));
    await expectValue(app.page, 'efficiency-out', r / 4, 'E after typing T = 4', { checkText: false });

    await typeInto(app.page, 'customisation-s', '0.5');
    await expectValue(app.page, 'customisation-out', 500, 'V = 1000 × 0.5');
    await typeInto(app.page, 'tech-innovation-c', '1500');
    await expectValue(app.page, 'tech-innovation-out', 500, 'V = 2000 − 1500');
    app.session.assertClean('after typing numbers');
  });

  it('shows an error beside the field and "—" in the output for input that is not a number', async () => {
    await typeInto(app.page, 'utilisation-t', 'abc');
    await expectNoValue(app.page, 'utilisation-out', "η after typing T = 'abc'");
    const message = await visibleErrorFor(app.page, 'utilisation-t');
    assert.notEqual(message, '', "no visible error message for #utilisation-t after typing 'abc'");
    assert.deepEqual(await brokenNumbersOnPage(app.page), []);

    // A valid value again clears the error and brings the number back.
    await typeInto(app.page, 'utilisation-t', '10');
    await expectValue(app.page, 'utilisation-out', 0.01, 'η after fixing T = 10');
    assert.equal(await visibleErrorFor(app.page, 'utilisation-t'), '', 'the error message should go away');
    app.session.assertClean('after invalid input');
  });

  it('never shows NaN or Infinity for a zero divisor', async () => {
    await typeInto(app.page, 'efficiency-t', '0');
    await expectNoValue(app.page, 'efficiency-out', 'E = R / 0');
    assert.notEqual(await errorBesideFieldOrResult(app.page, 'efficiency-t', 'efficiency-out'), '', 'no error message for T = 0');

    await typeInto(app.page, 'utilisation-r', '0');
    await expectNoValue(app.page, 'utilisation-out', 'η = T / 0');
    assert.notEqual(await errorBesideFieldOrResult(app.page, 'utilisation-r', 'utilisation-out'), '', 'no error message for R = 0');

    assert.deepEqual(await brokenNumbersOnPage(app.page), []);
    app.session.assertClean('after zero divisors');
  });

  it('keeps its inputs in the URL beside the cost model\'s, so a copied link restores both', async () => {
    await typeInto(app.page, 'utilisation-t', '30');
    await typeInto(app.page, 'utilisation-r', '100');
    await typeInto(app.page, 'professional-s', '0.25');
    await typeInto(app.page, 'training-gpus', '64');
    await app.page.waitForFunction(() => {
      const q = new URLSearchParams(location.search);
      return q.get('utilisation-t') === '30' && q.get('utilisation-r') === '100' && q.get('professional-s') === '0.25' && q.get('training-gpus') === '64';
    }, null, { timeout: UPDATE_MS });
    const link = new URL(app.page.url());

    const fresh = await openApp('#utilisation-out', { query: link.search });
    try {
      assert.equal(await fresh.page.inputValue('#utilisation-t'), '30');
      assert.equal(await fresh.page.inputValue('#training-gpus'), '64');
      await expectValue(fresh.page, 'utilisation-out', 0.3, 'η = 30 / 100 from the link');
      // §4.2.2 example cost 1000 with S = 0.25 from the link.
      await expectValue(fresh.page, 'professional-out', 250, 'V = 1000 × 0.25 from the link');
      assert.equal(await fresh.page.locator('#formulas-url-notice').count(), 0, 'a complete link needs no notice');
      fresh.session.assertClean('a shared link with both groups');
    } finally {
      await closeApp(fresh);
    }

    const bad = await openApp('#utilisation-out', { query: '?utilisation-t=%3Cb%3Ex&efficiency-r=12' });
    try {
      const notice = await bad.page.textContent('#formulas-url-invalid');
      assert.match(notice, /utilisation-t/, 'the notice names the bad parameter');
      assert.doesNotMatch(notice, /efficiency-r/, 'a good parameter is not named');
      assert.equal(await bad.page.inputValue('#utilisation-t'), '10', 'a bad value falls back to the example');
      assert.equal(await bad.page.inputValue('#efficiency-r'), '12');
      assert.equal(await bad.page.locator('#calculator b').count(), 0, 'nothing from the URL becomes markup');
      bad.session.assertClean('a link with a bad formula parameter');
    } finally {
      await closeApp(bad);
    }
  });
});
