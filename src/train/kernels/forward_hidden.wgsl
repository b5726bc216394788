// hidden = relu(x·W1 + b1) for one batch, [batch][HIDDEN].
// Each thread computes a block of 8 samples × 4 hidden units, so every W1 load serves 8
// samples and every pixel word serves 4 units: the loads, not the arithmetic, are the limit.
// The 8 accumulators are separate variables, not an array: SwiftShader keeps a dynamically
// indexed array in memory, which made this kernel several times slower.

const SAMPLES_PER_THREAD: u32 = 8u;
const HIDDEN_BLOCKS: u32 = HIDDEN / 4u;

// acc + x·[w0; w1; w2; w3] for the four pixels of one word, in pixel order.
fn accumulate(acc: vec4<f32>, word: u32, w0: vec4<f32>, w1: vec4<f32>, w2: vec4<f32>, w3: vec4<f32>) -> vec4<f32> {
    let x = unpack_pixels(word);
    var sum = acc + x.x * w0;
    sum += x.y * w1;
    sum += x.z * w2;
    sum += x.w * w3;
    return sum;
}

fn store_hidden(b: u32, unit: u32, value: vec4<f32>) {
    if b < step.batch_size {
        let h = max(value, vec4<f32>(0.0));
        let out = b * HIDDEN + unit;
        activations[out] = h.x;
        activations[out + 1u] = h.y;
        activations[out + 2u] = h.z;
        activations[out + 3u] = h.w;
    }
}

@compute @workgroup_size(64)
fn forward_hidden(@builtin(global_invocation_id) id: vec3<u32>) {
    let unit = (id.x % HIDDEN_BLOCKS) * 4u;
    let first = (id.x / HIDDEN_BLOCKS) * SAMPLES_PER_THREAD;
    let batch = step.batch_size;
    if first >= batch {
        return;
    }

    // Rows past the end of a short batch repeat its last sample and are never written.
    let last = batch - 1u;
    let r0 = sample_index(first) * WORDS_PER_IMAGE;
    let r1 = sample_index(min(first + 1u, last)) * WORDS_PER_IMAGE;
    let r2 = sample_index(min(first + 2u, last)) * WORDS_PER_IMAGE;
    let r3 = sample_index(min(first + 3u, last)) * WORDS_PER_IMAGE;
    let r4 = sample_index(min(first + 4u, last)) * WORDS_PER_IMAGE;
    let r5 = sample_index(min(first + 5u, last)) * WORDS_PER_IMAGE;
    let r6 = sample_index(min(first + 6u, last)) * WORDS_PER_IMAGE;
    let r7 = sample_index(min(first + 7u, last)) * WORDS_PER_IMAGE;
    let bias = load4(W1_LEN + unit);
    var a0 = bias;
    var a1 = bias;
    var a2 = bias;
    var a3 = bias;
    var a4 = bias;
    var a5 = bias;
    var a6 = bias;
    var a7 = bias;

    for (var w = 0u; w < WORDS_PER_IMAGE; w++) {
        let row = w * 4u * HIDDEN + unit;
        let w0 = load4(row);
        let w1 = load4(row + HIDDEN);
        let w2 = load4(row + 2u * HIDDEN);
        let w3 = load4(row + 3u * HIDDEN);
        a0 = accumulate(a0, images[r0 + w], w0, w1, w2, w3);
        a1 = accumulate(a1, images[r1 + w], w0, w1, w2, w3);
        a2 = accumulate(a2, images[r2 + w], w0, w1, w2, w3);
        a3 = accumulate(a3, images[r3 + w], w0, w1, w2, w3);
        a4 = accumulate(a4, images[r4 + w], w0, w1, w2, w3);
        a5 = accumulate(a5, images[r5 + w], w0, w1, w2, w3);
        a6 = accumulate(a6, images[r6 + w], w0, w1, w2, w3);
        a7 = accumulate(a7, images[r7 + w], w0, w1, w2, w3);
    }

    store_hidden(first, unit, a0);
    store_hidden(first + 1u, unit, a1);
    store_hidden(first + 2u, unit, a2);
    store_hidden(first + 3u, unit, a3);
    store_hidden(first + 4u, unit, a4);
    store_hidden(first + 5u, unit, a5);
    store_hidden(first + 6u, unit, a6);
    store_hidden(first + 7u, unit, a7);
}
