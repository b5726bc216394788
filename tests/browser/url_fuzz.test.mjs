// The page's URL is input from anyone: a link in a chat, a search engine, an attacker. This
// loads the app with many query strings (written by hand, generated from a fixed seed, and
// 100 KB long), full of markup and script payloads in keys and values, broken percent-encoding
// and repeated keys, and checks after each load that:
// - the page loads and the cost model computes (every output shows a number or "—", never
//   NaN, Infinity or undefined);
// - nothing failed: no console error, uncaught exception, dialog, CSP violation or request
//   elsewhere (the harness, browser.mjs);
// - nothing from the URL became markup: no element a payload would create, no script run;
// - the notice names, as text, the parameters whose values are certainly invalid, and none
//   whose value is certainly valid.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { closeApp, openApp } from './browser.mjs';

/** Seed of the generated query strings; change it to try others. */
const SEED = 0x5eed_2026;
/** How many query strings are generated from the seed. */
const RANDOM_URLS = 36;
/** What a long query string is made of: 100 KB. */
const LONG = 100 * 1024;

/** Every cost-model parameter, as the app registers them (src/ui/cost_model/). */
const NUMBER_KEYS = [
  'training-params', 'training-tokens', 'training-samples', 'training-epochs', 'training-mfu',
  'training-gpus', 'training-price', 'training-step-tokens', 'training-grad-bytes',
  'training-custom-peak', 'training-custom-memory', 'training-custom-bandwidth',
  'serving-params', 'serving-weight-bytes', 'serving-kv-bytes', 'serving-layers', 'serving-kv-heads',
  'serving-head-dim', 'serving-kv-value-bytes', 'serving-context', 'serving-batch', 'serving-gpus',
  'serving-mfu', 'serving-gpu-price', 'serving-input-price', 'serving-output-price',
  'serving-input-tokens', 'serving-output-tokens', 'serving-custom-peak', 'serving-custom-memory',
  'serving-custom-bandwidth', 'pricewar-fixed', 'pricewar-mc', 'pricewar-price', 'pricewar-volume',
  'pricewar-new-price', 'pricewar-elasticity',
];
const TEXT_KEYS = [
  'training-mode', 'training-layers', 'training-accelerator', 'training-precision', 'training-link',
  'training-overlap', 'serving-accelerator', 'serving-precision', 'serving-price-unit',
  'costmodel-currency',
];

/** Payloads that would create an element, run a script or open a dialog if inserted as markup. */
const PAYLOADS = [
  '<script>window.__pwlPwned=1</script>',
  '<img id="pwl-injected" src="x" onerror="window.__pwlPwned=1">',
  '"><svg class="pwl-injected" onload="window.__pwlPwned=1">',
  "'><b class='pwl-injected'>bold</b>",
  '</textarea></code><iframe class="pwl-injected" src="javascript:alert(1)"></iframe>',
  '<style class="pwl-injected">*{display:none}</style>',
  'javascript:alert(document.domain)',
  "{{constructor.constructor('alert(1)')()}}",
  '${alert(1)}',
  '<a class="pwl-injected" href="javascript:alert(1)">x</a>',
  '<details class="pwl-injected" open ontoggle="alert(1)">',
];
/** Raw (already encoded) pieces whose percent-encoding is broken. */
const BROKEN_ESCAPES = ['%', '%G0', '%E4%B8', '%FF%FE', '%C0%AF', '%%', '%u0041', '%2', 'a%'];
/** Values that every number parameter accepts (all are within every field's range). */
const VALID_NUMBERS = ['1', '1e0', '$1', ' 1 ', '１', '+1', '1.0', '1.', '€1'];
/** Values a person might type or paste, which the app may take or refuse. */
const TYPED = [
  '7e10', '1,000', '1.000,5', "1'000", '－５', '40%', '40 %', '8 GPUs', '2.5 USD', '¥3', '1e999',
  '-1e-999', 'NaN', 'Infinity', '-0', '', ' ', '+', '-', '.', '0x10', '١٢٣', '1e', '𝟙𝟚𝟛', '\u202e12',
];

/** A small seeded PRNG (mulberry32): the same query strings on every run. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One query string to try, from `[key, value, kind]` pairs and raw text appended. Kinds:
 * `valid` and `invalid` (a cost-model key whose value is certainly accepted or refused),
 * `typed` (a cost-model key whose value may go either way), `foreign` (any other key): all
 * percent-encoded; `raw` (key and value written as they are), `invalid-raw` (an encoded
 * cost-model key with a value written as it is, whose encoding is broken).
 * Returns `{ name, query, invalid, valid }`: the notice must list `invalid`, not `valid`.
 */
function entry(name, pairs, rawTail = '') {
  // The app reads the last value of a repeated key.
  const last = new Map();
  for (const [key, , kind] of pairs) last.set(key, kind);
  const invalid = [...last].filter(([, kind]) => kind.startsWith('invalid')).map(([k]) => k);
  const valid = [...last].filter(([, kind]) => kind === 'valid').map(([k]) => k);
  const write = ([key, value, kind]) => {
    if (kind === 'raw') return `${key}=${value}`;
    if (kind === 'invalid-raw') return `${encodeURIComponent(key)}=${value}`;
    return `${encodeURIComponent(key)}=${encodeURIComponent(value)}`;
  };
  return { name, query: pairs.map(write).join('&') + rawTail, invalid, valid };
}

/** The query strings written by hand. */
function handWritten() {
  const list = [
    entry('empty', []),
    entry('markup in every kind of value', PAYLOADS.map((p, i) => [NUMBER_KEYS[i], p, 'invalid'])),
    entry('markup in select values', TEXT_KEYS.map((k, i) => [k, PAYLOADS[i % PAYLOADS.length], 'invalid'])),
    entry('markup in keys', PAYLOADS.map((p) => [p, '1', 'foreign'])),
    entry('markup in keys, unencoded', PAYLOADS.map((p) => [p.replaceAll('&', ''), '2', 'raw'])),
    entry('broken escapes in own values', BROKEN_ESCAPES.map((e, i) => [NUMBER_KEYS[i], `1${e}`, 'invalid-raw'])),
    entry('broken escapes in keys', BROKEN_ESCAPES.map((e) => [`training-params${e}`, '1', 'raw'])),
    entry('repeated keys, the last valid', [
      ['pricewar-price', '<b>', 'invalid'], ['pricewar-price', 'NaN', 'invalid'], ['pricewar-price', '12', 'valid'],
    ]),
    entry('repeated keys, the last invalid', [
      ['pricewar-price', '12', 'valid'], ['pricewar-price', '1e999', 'invalid'],
    ]),
    entry('typed values everywhere', NUMBER_KEYS.map((k, i) => [k, TYPED[i % TYPED.length], 'typed'])),
    entry('valid values everywhere', NUMBER_KEYS.map((k, i) => [k, VALID_NUMBERS[i % VALID_NUMBERS.length], 'valid'])),
    entry('values of 101 characters', NUMBER_KEYS.slice(0, 5).map((k) => [k, '1'.repeat(101), 'invalid'])),
    entry('keys without values, values without keys', [], '&&training-params&=5&==&training-mfu==0.3&&&'),
    entry('a lone question mark and ampersands', [], '&'),
    entry('plus and encoded plus', [['pricewar-price', '1+2', 'invalid'], ['pricewar-mc', '1%2B2', 'invalid-raw']]),
    entry('null and control characters', [['pricewar-price', '1\u0000', 'invalid'], ['pricewar-mc', '\u0007\u001b[31m', 'invalid']]),
    entry('fragment and language', [['lang', '<script>alert(1)</script>', 'foreign'], ['pricewar-price', '3', 'valid']], '#<img src=x onerror=alert(1)>'),
  ];
  list.push(
    entry(`one value of ${LONG / 1024} KB`, [['training-params', '9'.repeat(LONG), 'invalid']]),
    entry(`${LONG / 1024} KB of markup in one value`, [['pricewar-price', PAYLOADS[1].repeat(Math.ceil(LONG / PAYLOADS[1].length)).slice(0, LONG), 'invalid']]),
    entry(`${LONG / 1024} KB of foreign keys`, Array.from({ length: LONG / 16 }, (_, i) => [`x${i}<b>`, 'y', 'foreign'])),
  );
  return list;
}

/** Query strings generated from `SEED`: random keys, values, payloads, escapes and repeats. */
function generated() {
  const next = random(SEED);
  const pick = (list) => list[Math.floor(next() * list.length)];
  const junk = (length) =>
    Array.from({ length }, () => String.fromCodePoint(pick([0x20, 0x30, 0x41, 0x3c, 0x26, 0x25, 0x4e00, 0x1f600, 0xff10, 0x2212]) + Math.floor(next() * 10))).join('');
  const list = [];
  for (let n = 0; n < RANDOM_URLS; n++) {
    const pairs = [];
    const count = 1 + Math.floor(next() * 14);
    for (let i = 0; i < count; i++) {
      const roll = next();
      const key = roll < 0.6 ? pick(NUMBER_KEYS) : roll < 0.8 ? pick(TEXT_KEYS) : roll < 0.9 ? pick(PAYLOADS) : junk(1 + Math.floor(next() * 8));
      const own = NUMBER_KEYS.includes(key) || TEXT_KEYS.includes(key);
      const kind = next();
      if (kind < 0.25) pairs.push([key, pick(PAYLOADS), own ? 'invalid' : 'foreign']);
      else if (kind < 0.4) pairs.push([own ? key : encodeURIComponent(key), `${pick(['', '1', '<'])}${pick(BROKEN_ESCAPES)}`, own ? 'invalid-raw' : 'raw']);
      else if (kind < 0.55 && NUMBER_KEYS.includes(key)) pairs.push([key, pick(VALID_NUMBERS), 'valid']);
      else if (kind < 0.75) pairs.push([key, pick(TYPED), own ? 'typed' : 'foreign']);
      else if (kind < 0.85) pairs.push([key, 'x'.repeat(101 + Math.floor(next() * 2000)), own ? 'invalid' : 'foreign']);
      else pairs.push([key, junk(Math.floor(next() * 30)), own ? 'typed' : 'foreign']);
    }
    list.push(entry(`generated #${n}`, pairs, next() < 0.2 ? '&&' + pick(BROKEN_ESCAPES) : ''));
  }
  return list;
}

/** What the page shows after a load: outputs, injected elements, the notice, a script's mark. */
async function inspect(page) {
  return page.evaluate(() => {
    const outputs = [...document.querySelectorAll('output[id]')].map((el) => ({
      id: el.id,
      text: el.textContent.trim(),
      value: el.getAttribute('data-value'),
    }));
    return {
      outputs,
      broken: document.body.innerText.match(/\b(NaN|Infinity|-?inf|undefined)\b/g) ?? [],
      injected: document.querySelectorAll('#pwl-injected, .pwl-injected').length,
      elements: document.querySelectorAll('script, img, iframe, svg, style, object, embed, a[href^="javascript"]').length,
      pwned: window.__pwlPwned !== undefined,
      notice: document.getElementById('costmodel-url-invalid')?.textContent ?? '',
      title: document.title,
    };
  });
}

describe('URL state under hostile query strings', () => {
  let app;
  let baseline;

  before(async () => {
    app = await openApp('#training-flops-out[data-value]');
    app.page.on('dialog', async (dialog) => {
      app.session.problems.push(`a dialog opened: ${dialog.type()} '${dialog.message()}'`);
      await dialog.dismiss();
    });
    baseline = await inspect(app.page);
  });
  after(async () => {
    await closeApp(app);
  });

  it('loads a working page for every query string and inserts nothing from it as markup', async () => {
    const { page, server, session } = app;
    const cases = [...handWritten(), ...generated()];
    const numeric = new Set(baseline.outputs.filter((o) => o.value !== null).map((o) => o.id));
    const started = Date.now();
    let longest = 0;
    for (const c of cases) {
      const url = `${server.url}/?${c.query}`;
      longest = Math.max(longest, url.length);
      await page.goto(url, { waitUntil: 'load' });
      await page.waitForSelector('#training-flops-out', { timeout: 20_000 });
      // One more frame, so every reactive output has been written.
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve())));
      const seen = await inspect(page);
      const what = `${c.name} (?${c.query.slice(0, 120)}${c.query.length > 120 ? '…' : ''})`;

      assert.ok(seen.outputs.length >= baseline.outputs.length && seen.outputs.length > 20, `${what}: outputs missing`);
      for (const out of seen.outputs) {
        // Numeric outputs (those with a value at defaults) show a number or "—"; the others
        // are verdicts in words ("fits on one GPU").
        if (numeric.has(out.id)) {
          assert.ok(out.text === '—' || /\d/.test(out.text), `${what}: #${out.id} shows '${out.text}'`);
        }
        if (out.value !== null) assert.ok(Number.isFinite(Number(out.value)), `${what}: #${out.id} data-value ${out.value}`);
      }
      assert.deepEqual(seen.broken, [], `${what}: the page shows ${seen.broken.join(', ')}`);
      assert.equal(seen.injected, 0, `${what}: an element from the URL was created`);
      assert.equal(seen.elements, baseline.elements, `${what}: script, image, frame or style elements appeared`);
      assert.equal(seen.pwned, false, `${what}: a script from the URL ran`);
      assert.equal(seen.title, baseline.title, `${what}: the title changed`);
      for (const name of c.invalid) {
        assert.ok(seen.notice.includes(name), `${what}: the notice should name ${name}: '${seen.notice}'`);
      }
      const listed = seen.notice.split(/[\s,:：]+/);
      for (const name of c.valid) {
        assert.ok(!listed.includes(name), `${what}: the notice lists ${name}, whose value is valid`);
      }
      assert.ok(!/[<>]/.test(seen.notice), `${what}: the notice shows markup from the URL: '${seen.notice}'`);
      session.assertClean(what);
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`url fuzz: ${cases.length} URLs loaded (${cases.length - RANDOM_URLS} written by hand, ${RANDOM_URLS} generated from seed 0x${SEED.toString(16)}), longest ${longest} characters, in ${seconds} s`);
  });
});
