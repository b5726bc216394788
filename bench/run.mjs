// The benchmark driver (run it through `bash scripts/bench.sh`, which builds what it needs
// first). Trains the article's MLP (784 → 128 ReLU → 10, softmax cross-entropy, Adam 0.001,
// batch 64) on the app's MNIST files with every system below, one after another, and prints
// one JSON line per system, then a table of samples/s ratios.
//
//   a  price-war-lab-webgpu   this app's trainer, WebGPU, headless Chromium (the real page)
//   h  price-war-lab-wasm     this app's CPU trainer, WebAssembly SIMD, same page (issue 5)
//   b  tfjs-webgpu            TensorFlow.js, WebGPU backend, same browser
//   c  jax-js-webgpu          jax-js, WebGPU device, same browser
//   c  jax-js-wasm            jax-js, wasm device, same browser
//   d  tfjs-wasm              TensorFlow.js, wasm backend, same browser
//   e  native-gpu             target/release/train --device gpu (wgpu, local adapter)
//   f  native-cpu             target/release/train --device cpu
//   g  pytorch-cpu            bench/torch_mlp.py in bench/.venv
//
// Options: --epochs N (default 5), --quick (1 epoch), --only a,b,... (system names or letters).
// Progress goes to stderr; stdout holds only the JSON lines and the table.

import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeApp, openApp, openSession } from '../tests/browser/browser.mjs';
import { mimeType } from '../tests/browser/serve.mjs';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH_DIR, '..');
const DATA_DIR = path.join(ROOT, 'public', 'data');

/** The whole run must end within this; a system that would start later is skipped. */
const RUN_BUDGET_S = Number(process.env.PWL_BENCH_BUDGET_S ?? 24 * 60);

const SYSTEMS = [
  { name: 'price-war-lab-webgpu', letter: 'a', run: (s, e, t) => runApp(s, e, t, 'gpu'), perEpochS: 120 },
  { name: 'price-war-lab-wasm', letter: 'h', run: (s, e, t) => runApp(s, e, t, 'cpu'), perEpochS: 60 },
  { name: 'tfjs-webgpu', letter: 'b', run: (s, e, t) => runPeer(s.name, e, t), perEpochS: 120 },
  { name: 'jax-js-webgpu', letter: 'c', run: (s, e, t) => runPeer(s.name, e, t), perEpochS: 60 },
  { name: 'jax-js-wasm', letter: 'c', run: (s, e, t) => runPeer(s.name, e, t), perEpochS: 90 },
  { name: 'tfjs-wasm', letter: 'd', run: (s, e, t) => runPeer(s.name, e, t), perEpochS: 90 },
  { name: 'native-gpu', letter: 'e', run: (s, e, t) => runNative('gpu', e, t), perEpochS: 120 },
  { name: 'native-cpu', letter: 'f', run: (s, e, t) => runNative('cpu', e, t), perEpochS: 60 },
  { name: 'pytorch-cpu', letter: 'g', run: runTorch, perEpochS: 60 },
];

function log(line) {
  process.stderr.write(`[bench] ${line}\n`);
}

function parseArgs(argv) {
  const options = { epochs: 5, only: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') options.epochs = 1;
    else if (arg === '--epochs') {
      options.epochs = Number(argv[++i]);
      if (!Number.isInteger(options.epochs) || options.epochs < 1) throw new Error('--epochs needs a whole number ≥ 1');
    } else if (arg === '--only') {
      options.only = new Set((argv[++i] ?? '').split(',').filter(Boolean));
    } else {
      throw new Error(`unknown argument '${arg}' (options: --epochs N, --quick, --only a,b,...)`);
    }
  }
  return options;
}

/**
 * Reduces per-epoch rows (`{ epoch, samples, train_time_s, test_accuracy }`) to the figures
 * reported: with more than one epoch, the steady rate over epochs 2..N (total samples over
 * total train time; epoch 1 carries shader compilation and first uploads); with one epoch,
 * that epoch. Test accuracy is the last epoch's.
 */
function summarize(rows, epochs) {
  if (rows.length !== epochs) throw new Error(`expected ${epochs} epoch rows, got ${rows.length}`);
  const steady = epochs > 1 ? rows.slice(1) : rows;
  const samples = steady.reduce((sum, r) => sum + r.samples, 0);
  const seconds = steady.reduce((sum, r) => sum + r.train_time_s, 0);
  if (!(seconds > 0) || !(samples > 0)) throw new Error('epoch rows carry no time or samples');
  return {
    ms_per_epoch: round((seconds / steady.length) * 1000, 1),
    samples_per_s: round(samples / seconds, 1),
    test_accuracy: round(rows[rows.length - 1].test_accuracy, 6),
    measured: epochs > 1 ? `epochs 2-${epochs} (epoch 1 excluded as warm-up)` : 'epoch 1 (includes warm-up)',
    first_epoch_samples_per_s: round(rows[0].samples / rows[0].train_time_s, 1),
    // Every epoch's own rate, so a noisy epoch on a shared machine shows.
    epoch_samples_per_s: rows.map((r) => round(r.samples / r.train_time_s, 0)),
  };
}

function round(x, digits) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Rejects after `seconds` with a timeout message, unless `promise` settles first. */
async function withTimeout(promise, seconds, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${seconds} s (${what})`)), seconds * 1000);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------- (a) the app in Chromium

async function runApp(system, epochs, timeoutS, device) {
  const app = await openApp('#train-start');
  try {
    const { page } = app;
    await page.selectOption('#train-device', device);
    await page.fill('#train-epochs', String(epochs));
    await page.click('#train-start');
    const started = Date.now();
    let lastReport = started;
    for (;;) {
      const status = await page.$eval('#train-status', (el) => ({ state: el.getAttribute('data-state'), text: el.textContent.trim() }));
      if (status.state === 'done') break;
      if (status.state === 'error' || status.state === 'stopped') throw new Error(`the page says: ${status.text}`);
      if (Date.now() - started > timeoutS * 1000) throw new Error(`timed out after ${timeoutS} s; status: ${status.text}`);
      if (Date.now() - lastReport > 30_000) {
        log(`${system.name}: ${Math.round((Date.now() - started) / 1000)} s, ${status.text}`);
        lastReport = Date.now();
      }
      await page.waitForTimeout(500);
    }
    const rows = await page.$$eval('#train-epochs-table tr[data-epoch]', (trs) =>
      trs.map((tr) => ({
        epoch: Number(tr.dataset.epoch),
        samples: Math.round(Number(tr.dataset.samplesPerS) * Number(tr.dataset.trainTimeS)),
        train_time_s: Number(tr.dataset.trainTimeS),
        samples_per_s: Number(tr.dataset.samplesPerS),
        test_accuracy: Number(tr.dataset.testAccuracy),
      })),
    );
    const adapter = (await page.locator('#train-adapter').innerText()).trim();
    const problems = app.session.problems;
    return {
      device: device === 'gpu' ? `WebGPU (${adapter})` : adapter,
      rows,
      notes: problems.length ? `page problems: ${problems.join('; ')}` : `the app page itself, device select = ${device}`,
    };
  } finally {
    await closeApp(app);
  }
}

// ------------------------------------------------------- (b)–(d) peers in the bench page

/**
 * Serves the bench page, the peers' npm files and the app's data on 127.0.0.1, with the
 * cross-origin isolation headers (COOP/COEP) that let wasm peers use threads
 * (SharedArrayBuffer), as their documentation asks of a page that wants them.
 */
async function startBenchServer() {
  const mounts = [
    ['/bench/', path.join(BENCH_DIR, 'web')],
    ['/node_modules/', path.join(BENCH_DIR, 'node_modules')],
    ['/data/', DATA_DIR],
  ];
  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    let file = null;
    for (const [prefix, dir] of mounts) {
      if (!url.pathname.startsWith(prefix)) continue;
      const relative = decodeURIComponent(url.pathname.slice(prefix.length));
      const full = path.resolve(dir, relative);
      if (full.startsWith(dir + path.sep)) file = full;
    }
    const info = file ? await stat(file).catch(() => null) : null;
    if (!info?.isFile()) {
      response.writeHead(404, { 'Content-Type': 'text/plain' });
      response.end('not found\n');
      return;
    }
    response.writeHead(200, {
      'Content-Type': mimeType(file),
      'Content-Length': info.size,
      'Cache-Control': 'no-store',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
    });
    createReadStream(file).on('error', () => response.destroy()).pipe(response);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

let benchServer = null;

async function runPeer(system, epochs, timeoutS) {
  benchServer ??= await startBenchServer();
  const session = await openSession(benchServer.url);
  try {
    const { page } = session;
    page.on('console', (message) => {
      if (message.type() === 'log') log(message.text());
    });
    await page.goto(`${benchServer.url}/bench/peer.html`, { waitUntil: 'load' });
    await page.waitForSelector('#status[data-state="ready"]', { timeout: 60_000 });
    const result = await withTimeout(
      page.evaluate(([s, e]) => globalThis.runPeer(s, e), [system, epochs]),
      timeoutS,
      system,
    );
    if (session.problems.length) result.notes += `; page problems: ${session.problems.join('; ')}`;
    return result;
  } finally {
    await session.close();
  }
}

// ------------------------------------------------------------ (e)–(g) native processes

/**
 * Runs a command, kills it after `timeoutS`, and resolves to its stdout; rejects with the end
 * of its stderr when it fails.
 */
function runProcess(command, args, timeoutS) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      for (const line of String(chunk).split('\n').filter(Boolean)) log(`${path.basename(command)}: ${line}`);
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out after ${timeoutS} s`));
    }, timeoutS * 1000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`exit ${code}: ${stderr.trim().split('\n').slice(-5).join(' | ')}`));
    });
  });
}

function jsonLines(stdout) {
  return stdout
    .split('\n')
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => JSON.parse(line));
}

async function runNative(device, epochs, timeoutS) {
  const binary = path.join(ROOT, 'target', 'release', 'train');
  if (!existsSync(binary)) throw new Error(`${binary} missing: run 'cargo build --release --bin train'`);
  const lines = jsonLines(await runProcess(binary, ['--data', DATA_DIR, '--epochs', String(epochs), '--device', device, '--json'], timeoutS));
  const rows = lines.filter((l) => 'epoch' in l);
  const summary = lines.find((l) => 'system' in l || 'samples_per_s' in l && !('epoch' in l)) ?? {};
  return {
    device: summary.device ?? device,
    rows,
    notes: `target/release/train --device ${device}`,
  };
}

async function runTorch(_system, epochs, timeoutS) {
  const python = path.join(BENCH_DIR, '.venv', 'bin', 'python');
  if (!existsSync(python)) {
    throw new Error(`PyTorch is not installed (${python} missing); scripts/bench.sh installs it into bench/.venv unless --no-torch is given`);
  }
  const lines = jsonLines(await runProcess(python, [path.join(BENCH_DIR, 'torch_mlp.py'), '--data', DATA_DIR, '--epochs', String(epochs)], timeoutS));
  const rows = lines.filter((l) => 'epoch' in l);
  const summary = lines.find((l) => 'device' in l && !('epoch' in l)) ?? {};
  return { device: summary.device ?? 'cpu', rows, notes: summary.notes ?? '' };
}

// ----------------------------------------------------------------------------- main

function table(results) {
  const byName = new Map(results.map((r) => [r.system, r]));
  const base = (name) => byName.get(name)?.samples_per_s;
  const tf = base('tfjs-webgpu');
  const jax = base('jax-js-webgpu');
  const ratio = (x, b) => (x && b ? `${(x / b).toFixed(2)}×` : '—');
  const header = ['', 'system', 'samples/s', 'test acc.', 'vs (b) tfjs-webgpu', 'vs (c) jax-js-webgpu'];
  const body = results.map((r) => [
    r.letter,
    r.system,
    r.samples_per_s ? r.samples_per_s.toFixed(0) : 'failed',
    r.test_accuracy != null ? r.test_accuracy.toFixed(4) : '—',
    ratio(r.samples_per_s, tf),
    ratio(r.samples_per_s, jax),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => String(row[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const chosen = SYSTEMS.filter((s) => !options.only || options.only.has(s.name) || options.only.has(s.letter));
  const runStarted = Date.now();
  const results = [];
  for (const system of chosen) {
    const leftS = RUN_BUDGET_S - (Date.now() - runStarted) / 1000;
    const timeoutS = Math.min(60 + system.perEpochS * options.epochs, Math.floor(leftS));
    const base = { system: system.name, epochs: options.epochs };
    let result;
    if (timeoutS < 30) {
      result = { ...base, device: null, error: `skipped: the run's overall budget of ${RUN_BUDGET_S} s is spent` };
    } else {
      log(`${system.letter}) ${system.name}: ${options.epochs} epoch(s), timeout ${timeoutS} s`);
      const started = Date.now();
      try {
        const out = await system.run(system, options.epochs, timeoutS);
        result = { ...base, device: out.device, ...summarize(out.rows, options.epochs), notes: out.notes };
      } catch (error) {
        result = { ...base, device: null, error: String(error?.message ?? error).split('\n')[0].slice(0, 500) };
      }
      log(`${system.name} took ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
    const ordered = {
      system: result.system,
      device: result.device,
      epochs: result.epochs,
      ms_per_epoch: result.ms_per_epoch ?? null,
      samples_per_s: result.samples_per_s ?? null,
      test_accuracy: result.test_accuracy ?? null,
      ...result,
    };
    console.log(JSON.stringify(ordered));
    results.push({ ...ordered, letter: system.letter });
  }
  await benchServer?.close();
  console.log('');
  console.log(table(results));
  console.log('');
  console.log(`samples/s: ${options.epochs > 1 ? `steady rate over epochs 2-${options.epochs}, epoch 1 excluded as warm-up` : 'epoch 1, warm-up included'}; total ${((Date.now() - runStarted) / 1000).toFixed(0)} s`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
