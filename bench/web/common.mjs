// What every in-browser peer of the benchmark shares: reading the MNIST IDX files, the
// initial weights, the batch order and the timing. The peers differ only in the framework
// that runs the model, so these pieces are written once here.

/** The model of the article: 784 → 128 (ReLU) → 10, softmax cross-entropy. */
export const MODEL = { inputs: 784, hidden: 128, classes: 10 };

/** Adam as the app runs it (Kingma & Ba 2015, Algorithm 1): lr 0.001, β1 0.9, β2 0.999, ε 1e-8. */
export const ADAM = { lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8 };

/** Batch size of every system in the benchmark. */
export const BATCH = 64;

/** Reads a gzip-compressed (or plain) IDX file from the local server. */
async function fetchIdx(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status} for ${url}`);
  const raw = new Uint8Array(await response.arrayBuffer());
  // gzip is recognised by its magic bytes, as the app's own loader does.
  if (raw[0] === 0x1f && raw[1] === 0x8b) {
    const stream = new Blob([raw]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }
  return raw;
}

/** Parses an IDX image file (magic 2051) into `{ count, pixels }` (bytes, row-major). */
function parseImages(bytes, name) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0) !== 2051) throw new Error(`${name}: not an IDX image file`);
  const count = view.getUint32(4);
  const rows = view.getUint32(8);
  const cols = view.getUint32(12);
  if (rows * cols !== MODEL.inputs) throw new Error(`${name}: images are ${rows}×${cols}, not 28×28`);
  if (bytes.length !== 16 + count * rows * cols) throw new Error(`${name}: length does not match its header`);
  return { count, pixels: bytes.subarray(16) };
}

/** Parses an IDX label file (magic 2049) into a Uint8Array of digits. */
function parseLabels(bytes, name) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0) !== 2049) throw new Error(`${name}: not an IDX label file`);
  const count = view.getUint32(4);
  if (bytes.length !== 8 + count) throw new Error(`${name}: length does not match its header`);
  return bytes.subarray(8);
}

/** One split as model inputs: pixels scaled to [0, 1] (byte / 255) and labels as int32. */
function toSplit(images, labels) {
  if (images.count !== labels.length) throw new Error('image and label counts differ');
  const x = new Float32Array(images.pixels.length);
  for (let i = 0; i < x.length; i++) x[i] = images.pixels[i] / 255;
  return { count: images.count, x, labels: Int32Array.from(labels) };
}

/** Loads the app's four MNIST files from `base` (e.g. `/data`): `{ train, test }`. */
export async function loadMnist(base = '/data') {
  const names = [
    'train-images-idx3-ubyte.gz',
    'train-labels-idx1-ubyte.gz',
    't10k-images-idx3-ubyte.gz',
    't10k-labels-idx1-ubyte.gz',
  ];
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(
    names.map((name) => fetchIdx(`${base}/${name}`)),
  );
  return {
    train: toSplit(parseImages(trainImages, names[0]), parseLabels(trainLabels, names[1])),
    test: toSplit(parseImages(testImages, names[2]), parseLabels(testLabels, names[3])),
  };
}

/** xorshift32 (Marsaglia 2003, shifts 13/17/5): a small seeded generator for every peer. */
export function xorshift32(seed) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
}

/**
 * Initial parameters as PyTorch's `nn.Linear` draws them, like the app: every weight and bias
 * uniform in ±1/√fan_in. Weights are stored input-major (`w1[i * 128 + j]`, 784 × 128).
 */
export function initParams(seed = 2024) {
  const random = xorshift32(seed);
  const uniform = (n, bound) => Float32Array.from({ length: n }, () => (2 * random() - 1) * bound);
  const b1 = 1 / Math.sqrt(MODEL.inputs);
  const b2 = 1 / Math.sqrt(MODEL.hidden);
  return {
    w1: uniform(MODEL.inputs * MODEL.hidden, b1),
    b1: uniform(MODEL.hidden, b1),
    w2: uniform(MODEL.hidden * MODEL.classes, b2),
    b2: uniform(MODEL.classes, b2),
  };
}

/**
 * The batches of one epoch: a seeded Fisher–Yates shuffle of `0..count`, cut into batches of
 * `BATCH` (the last one shorter when `count` is not a multiple; 8,000 = 125 × 64 is).
 */
export function epochBatches(count, random) {
  const order = Int32Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const batches = [];
  for (let start = 0; start < count; start += BATCH) batches.push(order.subarray(start, Math.min(count, start + BATCH)));
  return batches;
}

/** Fraction of `predictions` (class indices) equal to `labels`. */
export function accuracy(predictions, labels) {
  let right = 0;
  for (let i = 0; i < labels.length; i++) if (Number(predictions[i]) === labels[i]) right++;
  return right / labels.length;
}

/**
 * Runs `epochs` epochs through a framework adapter and returns the per-epoch figures.
 * `adapter.trainEpoch(batches)` must not return before the epoch's work has finished on the
 * device (it reads something back); `adapter.evaluate()` returns the test accuracy. Train
 * time excludes evaluation, as the app's epoch rows do.
 */
export async function runEpochs(adapter, data, epochs, log) {
  const random = xorshift32(1998);
  const rows = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const batches = epochBatches(data.train.count, random);
    const started = performance.now();
    await adapter.trainEpoch(batches);
    const trainTimeS = (performance.now() - started) / 1000;
    const testAccuracy = await adapter.evaluate();
    const row = { epoch, samples: data.train.count, train_time_s: trainTimeS, samples_per_s: data.train.count / trainTimeS, test_accuracy: testAccuracy };
    rows.push(row);
    log?.(`epoch ${epoch}: ${row.samples_per_s.toFixed(0)} samples/s, test accuracy ${testAccuracy.toFixed(4)}`);
  }
  return rows;
}
