// The article's MLP in TensorFlow.js (4.22), on its WebGPU or wasm backend: explicit
// variables, dense 784→128 ReLU and 128→10, `tf.losses.softmaxCrossEntropy` on the logits
// (mean over the batch) and `tf.train.adam`. The data sit on the backend once; each step
// gathers its batch there from an index tensor of 64 int32.

import { ADAM, MODEL, initParams } from './common.mjs';

/** Names the WebGPU adapter the page gets (SwiftShader in headless Chromium here). */
export async function webgpuAdapterName() {
  const adapter = await navigator.gpu?.requestAdapter();
  const info = adapter?.info ?? {};
  return [info.vendor, info.architecture, info.description].filter(Boolean).join(' / ') || 'unnamed adapter';
}

/** Builds a trainer on `backend` ('webgpu' or 'wasm'); see `runEpochs` in common.mjs. */
export async function tfjsTrainer(tf, backend, data) {
  if (!(await tf.setBackend(backend))) throw new Error(`TensorFlow.js could not start its ${backend} backend`);
  await tf.ready();

  let device;
  if (backend === 'webgpu') {
    device = `WebGPU (${await webgpuAdapterName()})`;
  } else {
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    device = `wasm (SIMD ${simd ? 'on' : 'off'}, threads ${threads ? 'on' : 'off'}, crossOriginIsolated ${globalThis.crossOriginIsolated})`;
  }

  const init = initParams();
  const w1 = tf.variable(tf.tensor2d(init.w1, [MODEL.inputs, MODEL.hidden]));
  const b1 = tf.variable(tf.tensor1d(init.b1));
  const w2 = tf.variable(tf.tensor2d(init.w2, [MODEL.hidden, MODEL.classes]));
  const b2 = tf.variable(tf.tensor1d(init.b2));
  const xTrain = tf.tensor2d(data.train.x, [data.train.count, MODEL.inputs]);
  const yTrain = tf.tidy(() => tf.oneHot(tf.tensor1d(data.train.labels, 'int32'), MODEL.classes).toFloat());
  const xTest = tf.tensor2d(data.test.x, [data.test.count, MODEL.inputs]);
  const optimizer = tf.train.adam(ADAM.lr, ADAM.beta1, ADAM.beta2, ADAM.eps);

  const logits = (x) => tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, w1), b1)), w2), b2);

  return {
    device,
    notes: 'data on the backend, batches gathered by index; sync once per epoch',
    async trainEpoch(batches) {
      for (const batch of batches) {
        tf.tidy(() => {
          const index = tf.tensor1d(batch, 'int32');
          const x = tf.gather(xTrain, index);
          const y = tf.gather(yTrain, index);
          optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, logits(x)));
        });
      }
      // Wait until the device has run every step of the epoch.
      await b2.data();
    },
    async evaluate() {
      const predicted = tf.tidy(() => tf.argMax(logits(xTest), 1));
      const values = await predicted.data();
      predicted.dispose();
      let right = 0;
      for (let i = 0; i < data.test.count; i++) if (values[i] === data.test.labels[i]) right++;
      return right / data.test.count;
    },
    dispose() {
      tf.dispose([w1, b1, w2, b2, xTrain, yTrain, xTest]);
      optimizer.dispose();
    },
  };
}
