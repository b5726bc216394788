// The per-kernel benchmark: times each kernel of one training step alone, in headless Chromium
// with its WebGPU (SwiftShader on a machine without a GPU), and prints one JSON line per
// kernel, then a table. It is how the kernels' shapes were chosen (docs/BENCHMARKS.md).
//
//   cargo build --release --bin train && node bench/kernels.mjs [--head single|parallel] [--batch N]
//
// Options go to `train --kernels`, which gives the shader and the step's dispatches.
// `PWL_TRAIN` names another `train` binary; `PWL_KERNEL_REPEATS` sets the dispatches timed per
// round (100). tests/browser/kernel_bench.test.mjs runs it that way to check it still works.

import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSession } from '../tests/browser/browser.mjs';
import { startServer } from '../tests/browser/serve.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TRAIN = process.env.PWL_TRAIN ?? path.join(ROOT, 'target', 'release', 'train');
const REPEATS = Number(process.env.PWL_KERNEL_REPEATS ?? 100);

let planText;
try {
  planText = execFileSync(TRAIN, ['--kernels', ...process.argv.slice(2)], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
} catch (error) {
  // `train` has said what is wrong on stderr (or the binary is missing).
  if (error.code === 'ENOENT') console.error(`${TRAIN} not found: cargo build --release --bin train`);
  process.exit(2);
}
const plan = JSON.parse(planText);
const server = await startServer(path.join(ROOT, 'bench', 'web'));
const session = await openSession(server.url);
try {
  const { page } = session;
  await page.goto(`${server.url}/kernels.html`, { waitUntil: 'load' });
  await page.waitForSelector('#status[data-state="ready"]', { timeout: 60_000 });
  const result = await page.evaluate(([p, repeats]) => globalThis.timeKernels(p, { repeats }), [plan, REPEATS]);
  let total = 0;
  for (const row of result.rows) {
    total += row.ms;
    console.log(JSON.stringify({ adapter: result.adapter, batch: plan.batch_size, head: plan.head, ...row }));
  }
  console.log(`\nkernels of one training step, batch ${plan.batch_size}, on ${result.adapter || 'an unnamed adapter'}:`);
  console.log('| kernel         | workgroups | ms per dispatch | GFLOP/s |');
  console.log('|----------------|------------|-----------------|---------|');
  for (const row of result.rows) {
    const gflops = row.gflops == null ? '—' : row.gflops.toFixed(2);
    console.log(`| ${row.kernel.padEnd(14)} | ${String(row.workgroups).padStart(10)} | ${row.ms.toFixed(3).padStart(15)} | ${gflops.padStart(7)} |`);
  }
  console.log(`| sum            |            | ${total.toFixed(3).padStart(15)} |         |`);
  console.log(`\nsum of the kernels: ${total.toFixed(2)} ms a step = ${Math.round((plan.batch_size * 1000) / total)} samples/s at best`);
  if (session.problems.length) console.log(`page problems: ${session.problems.join('; ')}`);
} finally {
  await session.close();
  await server.close();
}
