// dW1 = xᵀ·dhidden, [INPUTS][HIDDEN]. Each thread owns 8 pixels (two words) × 4 hidden units
// and sums over the batch, so each pixel word and each dhidden vector is loaded once per
// 32 multiply-adds. Separate accumulators again, for SwiftShader (see forward_hidden.wgsl).
// The threads of the first pixel pair also sum db1 = Σ_b dhidden[b], which they load anyway.

const GRAD_HIDDEN_BLOCKS: u32 = HIDDEN / 4u;
const WORD_PAIRS: u32 = WORDS_PER_IMAGE / 2u;

fn store_grad_w1(pixel: u32, unit: u32, value: vec4<f32>) {
    let out = GRADS_OFFSET + pixel * HIDDEN + unit;
    state[out] = value.x;
    state[out + 1u] = value.y;
    state[out + 2u] = value.z;
    state[out + 3u] = value.w;
}

@compute @workgroup_size(64)
fn grad_w1(@builtin(global_invocation_id) id: vec3<u32>) {
    let unit = (id.x % GRAD_HIDDEN_BLOCKS) * 4u;
    let pair = id.x / GRAD_HIDDEN_BLOCKS;
    if pair >= WORD_PAIRS {
        return;
    }

    var a0 = vec4<f32>(0.0);
    var a1 = vec4<f32>(0.0);
    var a2 = vec4<f32>(0.0);
    var a3 = vec4<f32>(0.0);
    var a4 = vec4<f32>(0.0);
    var a5 = vec4<f32>(0.0);
    var a6 = vec4<f32>(0.0);
    var a7 = vec4<f32>(0.0);
    var bias = vec4<f32>(0.0);
    for (var b = 0u; b < step.batch_size; b++) {
        let word = sample_index(b) * WORDS_PER_IMAGE + pair * 2u;
        let lo = unpack_pixels(images[word]);
        let hi = unpack_pixels(images[word + 1u]);
        let d = vec4<f32>(
            activations[GRAD_HIDDEN_OFFSET + b * HIDDEN + unit],
            activations[GRAD_HIDDEN_OFFSET + b * HIDDEN + unit + 1u],
            activations[GRAD_HIDDEN_OFFSET + b * HIDDEN + unit + 2u],
            activations[GRAD_HIDDEN_OFFSET + b * HIDDEN + unit + 3u],
        );
        a0 += lo.x * d;
        a1 += lo.y * d;
        a2 += lo.z * d;
        a3 += lo.w * d;
        a4 += hi.x * d;
        a5 += hi.y * d;
        a6 += hi.z * d;
        a7 += hi.w * d;
        bias += d;
    }

    let first = pair * 8u;
    store_grad_w1(first, unit, a0);
    store_grad_w1(first + 1u, unit, a1);
    store_grad_w1(first + 2u, unit, a2);
    store_grad_w1(first + 3u, unit, a3);
    store_grad_w1(first + 4u, unit, a4);
    store_grad_w1(first + 5u, unit, a5);
    store_grad_w1(first + 6u, unit, a6);
    store_grad_w1(first + 7u, unit, a7);
    if pair == 0u {
        let at = GRADS_OFFSET + W1_LEN + unit;
        state[at] = bias.x;
        state[at + 1u] = bias.y;
        state[at + 2u] = bias.z;
        state[at + 3u] = bias.w;
    }
}
