// dW1 = xᵀ·dhidden, [INPUTS][HIDDEN]. Each thread owns 16 pixels (four words) × 8 hidden units
// and sums over the batch, so every pixel word it loads serves 32 multiply-adds and every
// dhidden vector 64. The 128 sums live in eight 4 × 4 matrices; a thread's share must be this
// large because SwiftShader pays for each value a loop carries from one iteration to the
// next: with 8 pixels × 4 units per thread this kernel took twice as long (measured).
// The threads of the first pixel quad also sum db1 = Σ_b dhidden[b], which they load anyway.

const GRAD_UNIT_BLOCKS: u32 = HIDDEN / 8u;
const WORD_QUADS: u32 = WORDS_PER_IMAGE / 4u;

// The 4 × 4 block x ⊗ d: column i is pixel x[i] times the four units of d.
fn outer(x: vec4<f32>, d: vec4<f32>) -> mat4x4<f32> {
    return mat4x4<f32>(x.x * d, x.y * d, x.z * d, x.w * d);
}

fn load_grad_hidden(at: u32) -> vec4<f32> {
    return vec4<f32>(activations[at], activations[at + 1u], activations[at + 2u], activations[at + 3u]);
}

fn store_grad_w1(pixel: u32, unit: u32, value: vec4<f32>) {
    let out = GRADS_OFFSET + pixel * HIDDEN + unit;
    state[out] = value.x;
    state[out + 1u] = value.y;
    state[out + 2u] = value.z;
    state[out + 3u] = value.w;
}

// Four pixels (the columns) × four units, from `pixel` and `unit` on.
fn store_grad_block(pixel: u32, unit: u32, block: mat4x4<f32>) {
    store_grad_w1(pixel, unit, block[0]);
    store_grad_w1(pixel + 1u, unit, block[1]);
    store_grad_w1(pixel + 2u, unit, block[2]);
    store_grad_w1(pixel + 3u, unit, block[3]);
}

@compute @workgroup_size(64)
fn grad_w1(@builtin(global_invocation_id) id: vec3<u32>) {
    let unit = (id.x % GRAD_UNIT_BLOCKS) * 8u;
    let quad = id.x / GRAD_UNIT_BLOCKS;
    if quad >= WORD_QUADS {
        return;
    }

    // a<word><units>: the pixels of word `quad * 4 + word` × units `unit + 4 * units` on.
    var a00 = mat4x4<f32>();
    var a01 = mat4x4<f32>();
    var a10 = mat4x4<f32>();
    var a11 = mat4x4<f32>();
    var a20 = mat4x4<f32>();
    var a21 = mat4x4<f32>();
    var a30 = mat4x4<f32>();
    var a31 = mat4x4<f32>();
    var bias0 = vec4<f32>(0.0);
    var bias1 = vec4<f32>(0.0);
    for (var b = 0u; b < step.batch_size; b++) {
        let word = sample_index(b) * WORDS_PER_IMAGE + quad * 4u;
        let x0 = unpack_pixels(images[word]);
        let x1 = unpack_pixels(images[word + 1u]);
        let x2 = unpack_pixels(images[word + 2u]);
        let x3 = unpack_pixels(images[word + 3u]);
        let at = GRAD_HIDDEN_OFFSET + b * HIDDEN + unit;
        let d0 = load_grad_hidden(at);
        let d1 = load_grad_hidden(at + 4u);
        a00 += outer(x0, d0);
        a01 += outer(x0, d1);
        a10 += outer(x1, d0);
        a11 += outer(x1, d1);
        a20 += outer(x2, d0);
        a21 += outer(x2, d1);
        a30 += outer(x3, d0);
        a31 += outer(x3, d1);
        bias0 += d0;
        bias1 += d1;
    }

    let first = quad * 16u;
    store_grad_block(first, unit, a00);
    store_grad_block(first, unit + 4u, a01);
    store_grad_block(first + 4u, unit, a10);
    store_grad_block(first + 4u, unit + 4u, a11);
    store_grad_block(first + 8u, unit, a20);
    store_grad_block(first + 8u, unit + 4u, a21);
    store_grad_block(first + 12u, unit, a30);
    store_grad_block(first + 12u, unit + 4u, a31);
    if quad == 0u {
        let at = GRADS_OFFSET + W1_LEN + unit;
        state[at] = bias0.x;
        state[at + 1u] = bias0.y;
        state[at + 2u] = bias0.z;
        state[at + 3u] = bias0.w;
        state[at + 4u] = bias1.x;
        state[at + 5u] = bias1.y;
        state[at + 6u] = bias1.z;
        state[at + 7u] = bias1.w;
    }
}
