// hidden = relu(x·W1 + b1) for one batch, [batch][HIDDEN].
// Each thread computes a block of 8 samples × 4 hidden units, so every W1 load serves 8
// samples and every pixel word serves 4 units: the loads, not the arithmetic, are the limit.

const SAMPLES_PER_THREAD: u32 = 8u;
const HIDDEN_BLOCKS: u32 = HIDDEN / 4u;

@compute @workgroup_size(64)
fn forward_hidden(@builtin(global_invocation_id) id: vec3<u32>) {
    let unit = (id.x % HIDDEN_BLOCKS) * 4u;
    let first = (id.x / HIDDEN_BLOCKS) * SAMPLES_PER_THREAD;
    let batch = step.batch_size;
    if first >= batch {
        return;
    }

    // Rows past the end of a short batch repeat its last sample and are never written.
    var rows: array<u32, SAMPLES_PER_THREAD>;
    for (var s = 0u; s < SAMPLES_PER_THREAD; s++) {
        rows[s] = sample_index(min(first + s, batch - 1u)) * WORDS_PER_IMAGE;
    }
    let bias = load4(W1_LEN + unit);
    var acc: array<vec4<f32>, SAMPLES_PER_THREAD>;
    for (var s = 0u; s < SAMPLES_PER_THREAD; s++) {
        acc[s] = bias;
    }

    for (var w = 0u; w < WORDS_PER_IMAGE; w++) {
        let row = w * 4u * HIDDEN + unit;
        let w0 = load4(row);
        let w1 = load4(row + HIDDEN);
        let w2 = load4(row + 2u * HIDDEN);
        let w3 = load4(row + 3u * HIDDEN);
        for (var s = 0u; s < SAMPLES_PER_THREAD; s++) {
            let x = unpack_pixels(images[rows[s] + w]);
            acc[s] += x.x * w0;
            acc[s] += x.y * w1;
            acc[s] += x.z * w2;
            acc[s] += x.w * w3;
        }
    }

    for (var s = 0u; s < SAMPLES_PER_THREAD; s++) {
        let b = first + s;
        if b < batch {
            let h = max(acc[s], vec4<f32>(0.0));
            let out = b * HIDDEN + unit;
            activations[out] = h.x;
            activations[out + 1u] = h.y;
            activations[out + 2u] = h.z;
            activations[out + 3u] = h.w;
        }
    }
}
