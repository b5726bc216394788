// The per-kernel benchmark (bench/kernels.mjs, see README) still works: for one training step,
// with either head, it prints one line per kernel the trainer dispatches, in order, each with a
// finite time and, for the matrix products, a finite GFLOP/s. The times themselves are not
// judged here (a benchmark prints figures; a test on a shared machine must not time them).

import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// The debug build: `cargo test` has built it before the browser tests run.
const TRAIN = path.join(ROOT, 'target', 'debug', 'train');

describe('the per-kernel benchmark', () => {
  for (const head of ['parallel', 'single']) {
    it(`times every kernel of a training step with the ${head} head`, { timeout: 180_000 }, async () => {
      execFileSync('cargo', ['build', '--locked', '--bin', 'train'], { cwd: ROOT, stdio: 'ignore' });
      const plan = JSON.parse(execFileSync(TRAIN, ['--kernels', '--head', head], { encoding: 'utf8' }));
      const { stdout } = await promisify(execFile)('node', ['bench/kernels.mjs', '--head', head], {
        cwd: ROOT,
        env: { ...process.env, PWL_TRAIN: TRAIN, PWL_KERNEL_REPEATS: '3' },
        timeout: 150_000,
      });
      const rows = stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
      assert.deepEqual(
        rows.map((r) => r.kernel),
        plan.dispatches.map((d) => d.entry_point),
        'one line per dispatch, in order',
      );
      for (const [row, dispatch] of rows.map((r, i) => [r, plan.dispatches[i]])) {
        assert.ok(Number.isFinite(row.ms) && row.ms > 0, JSON.stringify(row));
        assert.equal(row.workgroups, dispatch.workgroups);
        if (dispatch.matmul_flops != null) {
          assert.ok(Number.isFinite(row.gflops) && row.gflops > 0, JSON.stringify(row));
        }
      }
      assert.match(stdout, /sum of the kernels: [\d.]+ ms a step/);
      assert.doesNotMatch(stdout, /page problems/);
    });
  }
});
