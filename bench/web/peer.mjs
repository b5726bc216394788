// Entry of the peer page: loads the framework the driver asks for and trains with it.
// Every script and wasm file comes from the local server (bench/node_modules); nothing
// is fetched from a CDN.

import { loadMnist, runEpochs } from './common.mjs';

/** Adds a classic <script> (the UMD builds of TensorFlow.js) and waits until it has run. */
function addScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.onload = resolve;
    script.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.append(script);
  });
}

const SYSTEMS = {
  'tfjs-webgpu': async () => {
    await addScript('/node_modules/@tensorflow/tfjs/dist/tf.min.js');
    await addScript('/node_modules/@tensorflow/tfjs-backend-webgpu/dist/tf-backend-webgpu.min.js');
    const { tfjsTrainer } = await import('./tfjs.mjs');
    return (data) => tfjsTrainer(globalThis.tf, 'webgpu', data);
  },
  'tfjs-wasm': async () => {
    await addScript('/node_modules/@tensorflow/tfjs/dist/tf.min.js');
    await addScript('/node_modules/@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.min.js');
    // The backend fetches its .wasm files (plain, SIMD, threaded SIMD) from here.
    globalThis.tf.wasm.setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
    const { tfjsTrainer } = await import('./tfjs.mjs');
    return (data) => tfjsTrainer(globalThis.tf, 'wasm', data);
  },
  'jax-js-webgpu': async () => {
    const { jaxTrainer } = await import('./jaxjs.mjs');
    return (data) => jaxTrainer('webgpu', data);
  },
  'jax-js-wasm': async () => {
    const { jaxTrainer } = await import('./jaxjs.mjs');
    return (data) => jaxTrainer('wasm', data);
  },
};

/**
 * Trains `epochs` epochs with `system` and returns `{ device, rows, notes }`, where `rows`
 * holds one `{ epoch, samples, train_time_s, samples_per_s, test_accuracy }` per epoch.
 */
globalThis.runPeer = async (system, epochs) => {
  const load = SYSTEMS[system];
  if (!load) throw new Error(`unknown system '${system}'`);
  const makeTrainer = await load();
  const data = await loadMnist('/data');
  const trainer = await makeTrainer(data);
  try {
    const rows = await runEpochs(trainer, data, epochs, (line) => console.log(`[${system}] ${line}`));
    return { device: trainer.device, notes: trainer.notes ?? '', rows };
  } finally {
    trainer.dispose?.();
  }
};

const status = document.getElementById('status');
status.textContent = 'ready';
status.dataset.state = 'ready';
