// Results a reader keeps: the calculators' state and a run, exported as JSON and CSV (made in
// the page, no request) and imported into a fresh browser to give the same inputs, outputs
// and run figures; a wrong file refused with a message; and the last state and run remembered
// across reloads, with a link's parameters winning and a damaged saved state ignored.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DIST_DIR, openSession } from './browser.mjs';
import { startServer } from './serve.mjs';

/** Inputs set before exporting, and the outputs that depend on them. */
const INPUTS = { '#training-gpus': '8', '#pricewar-price': '12', '#utilisation-t': '20' };
const OUTPUTS = ['#training-cost-out', '#training-days-out', '#pricewar-breakeven-out', '#utilisation-out'];

async function openPage(server, query = '') {
  const session = await openSession(server.url);
  await session.page.goto(`${server.url}/${query}`, { waitUntil: 'load' });
  await session.page.waitForSelector('#keep', { timeout: 60_000 });
  return session;
}

async function readState(page) {
  const state = {};
  for (const selector of Object.keys(INPUTS)) state[selector] = await page.inputValue(selector);
  for (const selector of OUTPUTS) state[selector] = await page.getAttribute(selector, 'data-value');
  return state;
}

/** The kept run's figures, one object per epoch row. */
async function readKeptRun(page) {
  await page.waitForSelector('#kept-run', { timeout: 10_000 });
  return page.$eval('#kept-run', (el) => ({
    device: el.dataset.requestedDevice,
    adapter: el.dataset.adapter,
    rows: [...el.querySelectorAll('tr[data-epoch]')].map((tr) => ({ ...tr.dataset })),
  }));
}

/** A one-epoch CPU run export written by hand, with `epoch` overriding the epoch's figures. */
function handMadeRun(epoch) {
  return {
    format: 'price-war-lab', kind: 'run', version: 1, requested_device: 'cpu', adapter: 'CPU (WebAssembly)',
    config: { epochs: 1, batch_size: 64, seed: 1, adam: { learning_rate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } },
    train_samples: 8000, test_samples: 2000, stopped: false,
    epochs: [{
      epoch: 1, train_loss: 0.4, train_accuracy: 0.9, test_accuracy: 0.91, samples: 8000,
      train_time_s: 2, eval_time_s: 0.1, samples_per_s: 4000, gpu_time_s: null, ...epoch,
    }],
  };
}

async function trainOneEpochOnCpu(page) {
  await page.selectOption('#train-device', 'cpu');
  await page.fill('#train-epochs', '1');
  await page.click('#train-start');
  await page.waitForSelector('#train-status[data-state="done"], #train-status[data-state="error"]', {
    timeout: 240_000,
  });
  assert.equal(await page.getAttribute('#train-status', 'data-state'), 'done');
}

async function downloadFrom(page, button, dir) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
  const file = path.join(dir, download.suggestedFilename());
  await download.saveAs(file);
  return file;
}

describe('keeping results', () => {
  let server;
  let dir;
  before(async () => {
    server = await startServer(DIST_DIR);
    dir = await mkdtemp(path.join(tmpdir(), 'price-war-lab-keep-'));
  });
  after(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('exports as JSON and CSV and imports each into a fresh page with the same results', { timeout: 400_000 }, async () => {
    const source = await openPage(server, '?lang=en');
    let expected;
    let run;
    const files = {};
    try {
      const { page, requests } = source;
      for (const [selector, value] of Object.entries(INPUTS)) await page.fill(selector, value);
      await trainOneEpochOnCpu(page);
      expected = await readState(page);
      assert.equal(expected['#utilisation-out'], '0.02');
      run = await readKeptRun(page);
      assert.equal(run.device, 'cpu');
      assert.equal(run.rows.length, 1);
      const trained = await page.$eval('#train-epochs-table tr[data-epoch="1"]', (tr) => tr.dataset.testAccuracy);
      assert.equal(run.rows[0].testAccuracy, trained, 'the kept run is the run just trained');

      const before = requests.length;
      files.calculatorJson = await downloadFrom(page, '#keep-export-calculator-json', dir);
      files.calculatorCsv = await downloadFrom(page, '#keep-export-calculator-csv', dir);
      files.runJson = await downloadFrom(page, '#keep-export-run-json', dir);
      files.runCsv = await downloadFrom(page, '#keep-export-run-csv', dir);
      const sent = requests.slice(before).filter((r) => !r.includes(' blob:'));
      assert.deepEqual(sent, [], 'exporting sends no request');
      source.assertClean('export');
    } finally {
      await source.close();
    }

    for (const [calculator, runFile] of [
      [files.calculatorJson, files.runJson],
      [files.calculatorCsv, files.runCsv],
    ]) {
      const fresh = await openPage(server, '?lang=en');
      try {
        const { page } = fresh;
        assert.equal(await page.inputValue('#training-gpus'), '1', 'a fresh browser starts from the defaults');
        assert.equal(await page.locator('#kept-run').count(), 0);

        await page.setInputFiles('#keep-import', calculator);
        await page.waitForSelector('#keep-message[data-state="ok"]');
        assert.deepEqual(await readState(page), expected, `state from ${path.basename(calculator)}`);

        await page.setInputFiles('#keep-import', runFile);
        await page.waitForFunction((name) => document.querySelector('#keep-message')?.textContent.startsWith(name), path.basename(runFile));
        assert.equal(await page.getAttribute('#keep-message', 'data-state'), 'ok');
        assert.deepEqual(await readKeptRun(page), run, `run from ${path.basename(runFile)}`);
        fresh.assertClean(`import of ${path.basename(calculator)}`);
      } finally {
        await fresh.close();
      }
    }
  });

  it('refuses a wrong file with a message naming the problem', { timeout: 60_000 }, async () => {
    const session = await openPage(server, '?lang=en');
    try {
      const { page } = session;
      const cases = [
        ['not-ours.json', '{"format": "other", "kind": "run", "version": 1}', "format is 'other'"],
        ['bad-input.csv', 'format,price-war-lab\nkind,calculator\nversion,1\n\ninput,value\ntraining-gpus,many\n', "'training-gpus'"],
        ['array.json', '[{"format": "price-war-lab"}]', 'JSON array'],
        ['huge.json', JSON.stringify(handMadeRun({ train_time_s: 1e308 })), 'epochs[1].train_time_s'],
        ['unknown.csv', 'format,price-war-lab\nkind,calculator\nversion,1\n\ninput,value\ntraining-warp,9\n', "'training-warp'"],
      ];
      for (const [name, text, expected] of cases) {
        const file = path.join(dir, name);
        await writeFile(file, text);
        await page.setInputFiles('#keep-import', file);
        await page.waitForFunction((n) => document.querySelector('#keep-message')?.textContent.startsWith(n), name);
        assert.equal(await page.getAttribute('#keep-message', 'data-state'), 'error');
        const message = await page.textContent('#keep-message');
        assert.ok(message.includes(expected), `${name}: ${message}`);
      }
      assert.equal(await page.inputValue('#training-gpus'), '1', 'a refused file changes nothing');

      // The message on screen follows the language switch, and reads as Chinese there.
      await page.click('#lang-zh');
      await page.waitForFunction(() => document.querySelector('#keep-message')?.textContent.includes('本页没有名为'));
      const zh = await page.textContent('#keep-message');
      assert.doesNotMatch(zh, /has no input/, zh);

      // A run kept from a file shows its device in words, in the page's language.
      const good = path.join(dir, 'good.json');
      await writeFile(good, JSON.stringify(handMadeRun({})));
      await page.setInputFiles('#keep-import', good);
      await page.waitForSelector('#keep-message[data-state="ok"]');
      const kept = await page.textContent('#kept-run');
      assert.ok(kept.includes('CPU（WebAssembly）'), kept);
      await page.click('#lang-en');
      await page.waitForFunction(() => document.querySelector('#kept-run')?.textContent.includes('CPU (WebAssembly)'));
      assert.ok((await page.textContent('#keep-message')).includes('imported a run'));
      session.assertClean('wrong files');
    } finally {
      await session.close();
    }
  });

  it('remembers the last state and run across reloads; a link wins; damage is ignored', { timeout: 300_000 }, async () => {
    const session = await openPage(server);
    try {
      const { page } = session;
      for (const [selector, value] of Object.entries(INPUTS)) await page.fill(selector, value);
      await trainOneEpochOnCpu(page);
      const state = await readState(page);
      const run = await readKeptRun(page);

      // The bare address, with no parameter: everything comes back from the saved state.
      await page.goto(`${server.url}/`, { waitUntil: 'load' });
      await page.waitForSelector('#kept-run', { timeout: 60_000 });
      assert.deepEqual(await readState(page), state);
      assert.deepEqual(await readKeptRun(page), run);

      // A link's parameter wins over the saved state.
      await page.goto(`${server.url}/?training-gpus=4`, { waitUntil: 'load' });
      await page.waitForSelector('#keep', { timeout: 60_000 });
      assert.equal(await page.inputValue('#training-gpus'), '4');

      // A damaged saved state is ignored, with no error.
      await page.evaluate(() => {
        localStorage.setItem('price-war-lab.calculator', '{"format": "price-war-lab", "kind": "calc');
        localStorage.setItem('price-war-lab.run', 'format,price-war-lab\nkind,run\nversion,1\n');
      });
      await page.goto(`${server.url}/`, { waitUntil: 'load' });
      await page.waitForSelector('#keep', { timeout: 60_000 });
      assert.equal(await page.inputValue('#training-gpus'), '1');
      assert.equal(await page.inputValue('#utilisation-t'), '10');
      assert.equal(await page.locator('#kept-run').count(), 0);
      session.assertClean('remembered state');
    } finally {
      await session.close();
    }
  });
});
