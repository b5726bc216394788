// dW1 = xᵀ·dhidden, [INPUTS][HIDDEN]. Each thread owns 8 pixels (two words) × 4 hidden units
// and sums over the batch, so each pixel word and each dhidden vector is loaded once per
// 32 multiply-adds.

const GRAD_HIDDEN_BLOCKS: u32 = HIDDEN / 4u;
const WORD_PAIRS: u32 = WORDS_PER_IMAGE / 2u;

@compute @workgroup_size(64)
fn grad_w1(@builtin(global_invocation_id) id: vec3<u32>) {
    let unit = (id.x % GRAD_HIDDEN_BLOCKS) * 4u;
    let pair = id.x / GRAD_HIDDEN_BLOCKS;
    if pair >= WORD_PAIRS {
        return;
    }

    var acc: array<vec4<f32>, 8>;
    for (var b = 0u; b < step.batch_size; b++) {
        let word = sample_index(b) * WORDS_PER_IMAGE + pair * 2u;
        let lo = unpack_pixels(images[word]);
        let hi = unpack_pixels(images[word + 1u]);
        let g = GRAD_HIDDEN_OFFSET + b * HIDDEN + unit;
        let d = vec4<f32>(activations[g], activations[g + 1u], activations[g + 2u], activations[g + 3u]);
        acc[0] += lo.x * d;
        acc[1] += lo.y * d;
        acc[2] += lo.z * d;
        acc[3] += lo.w * d;
        acc[4] += hi.x * d;
        acc[5] += hi.y * d;
        acc[6] += hi.z * d;
        acc[7] += hi.w * d;
    }

    for (var p = 0u; p < 8u; p++) {
        let out = GRADS_OFFSET + (pair * 8u + p) * HIDDEN + unit;
        state[out] = acc[p].x;
        state[out + 1u] = acc[p].y;
        state[out + 2u] = acc[p].z;
        state[out + 3u] = acc[p].w;
    }
}
