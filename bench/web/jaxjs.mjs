// The article's MLP in jax-js (0.1.x) on its WebGPU or wasm device: one jitted train step
// (batch gather, forward, softmax cross-entropy, gradient by `valueAndGrad`, and Adam written
// with array ops, since jax-js's optimiser package is not published). The data sit on the
// device once; each step receives 64 int32 indices and Adam's two bias corrections.
//
// jax-js counts references: every function consumes its array arguments, so an array used
// again later is passed as `.ref` (see the package README, "Reference counting").

import { ADAM, MODEL, initParams } from './common.mjs';
import { defaultDevice, init, jit, nn, numpy as np, tree, valueAndGrad } from '/node_modules/@jax-js/jax/dist/index.js';
import { webgpuAdapterName } from './tfjs.mjs';

const KEYS = ['w1', 'b1', 'w2', 'b2'];

/** Mean softmax cross-entropy of the batch; `y` is one-hot. Consumes all arguments. */
function loss(params, x, y) {
  const hidden = nn.relu(np.matmul(x, params.w1).add(params.b1));
  const logits = np.matmul(hidden, params.w2).add(params.b2);
  return nn.logSoftmax(logits, -1).mul(y).sum(-1).mean().neg();
}

/**
 * One Adam step (Kingma & Ba 2015, Algorithm 1) on a gathered batch.
 * `c1` = 1/(1 − β1^t) and `c2` = 1/(1 − β2^t) are the bias corrections of step t.
 */
function trainStep(params, m, v, xAll, yAll, index, c1, c2) {
  const x = np.take(xAll, index.ref, 0);
  const y = np.take(yAll, index, 0);
  const [value, grads] = valueAndGrad(loss)(tree.ref(params), x, y);
  const next = { params: {}, m: {}, v: {} };
  for (const k of KEYS) {
    const g = grads[k];
    const mk = m[k].mul(ADAM.beta1).add(g.ref.mul(1 - ADAM.beta1));
    const vk = v[k].mul(ADAM.beta2).add(g.ref.mul(g).mul(1 - ADAM.beta2));
    const step = mk.ref.mul(c1.ref).div(np.sqrt(vk.ref.mul(c2.ref)).add(ADAM.eps)).mul(ADAM.lr);
    next.params[k] = params[k].sub(step);
    next.m[k] = mk;
    next.v[k] = vk;
  }
  c1.dispose();
  c2.dispose();
  return [next.params, next.m, next.v, value];
}

/** Logits of every row of `x`. Consumes all arguments. */
function predict(params, x) {
  const hidden = nn.relu(np.matmul(x, params.w1).add(params.b1));
  return np.matmul(hidden, params.w2).add(params.b2);
}

/** Builds a trainer on jax-js device `device` ('webgpu' or 'wasm'); see `runEpochs`. */
export async function jaxTrainer(device, data) {
  const available = await init(device);
  if (!available.includes(device)) throw new Error(`jax-js could not start its ${device} device (got: ${available.join(', ') || 'none'})`);
  defaultDevice(device);
  const name =
    device === 'webgpu'
      ? `WebGPU (${await webgpuAdapterName()})`
      : `wasm (crossOriginIsolated ${globalThis.crossOriginIsolated}, hardwareConcurrency ${navigator.hardwareConcurrency})`;

  const start = initParams();
  const shapes = { w1: [MODEL.inputs, MODEL.hidden], b1: [MODEL.hidden], w2: [MODEL.hidden, MODEL.classes], b2: [MODEL.classes] };
  let params = {};
  let m = {};
  let v = {};
  for (const k of KEYS) {
    params[k] = np.array(start[k]).reshape(shapes[k]);
    m[k] = np.zeros(shapes[k]);
    v[k] = np.zeros(shapes[k]);
  }
  const xTrain = np.array(data.train.x).reshape([data.train.count, MODEL.inputs]);
  const yTrain = nn.oneHot(np.array(data.train.labels, { dtype: np.int32 }), MODEL.classes);
  const xTest = np.array(data.test.x).reshape([data.test.count, MODEL.inputs]);
  const step = jit(trainStep);
  const forward = jit(predict);
  let t = 0;

  return {
    device: name,
    notes: 'one jitted step; data on the device, batches gathered by index; sync once per epoch',
    async trainEpoch(batches) {
      let value = null;
      for (const batch of batches) {
        t += 1;
        const c1 = np.array([1 / (1 - ADAM.beta1 ** t)]);
        const c2 = np.array([1 / (1 - ADAM.beta2 ** t)]);
        value?.dispose();
        [params, m, v, value] = step(params, m, v, xTrain.ref, yTrain.ref, np.array(batch, { dtype: np.int32 }), c1, c2);
      }
      // Wait until the device has run every step of the epoch (`data()` also frees `value`).
      await value.data();
    },
    async evaluate() {
      const logits = await forward(tree.ref(params), xTest.ref).data();
      let right = 0;
      for (let i = 0; i < data.test.count; i++) {
        const row = logits.subarray(i * MODEL.classes, (i + 1) * MODEL.classes);
        let best = 0;
        for (let c = 1; c < MODEL.classes; c++) if (row[c] > row[best]) best = c;
        if (best === data.test.labels[i]) right++;
      }
      return right / data.test.count;
    },
    dispose() {
      tree.dispose([params, m, v, xTrain, yTrain, xTest]);
      step.dispose?.();
      forward.dispose?.();
    },
  };
}
