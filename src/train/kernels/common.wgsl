// Bindings and helpers shared by every kernel of the trainer. The constants (sizes and buffer
// offsets) are generated from the Rust layout and prepended at load time, see `gpu.rs`.

// One step's (or one evaluation chunk's) settings, at a dynamic offset per step.
struct Step {
    // First position in `order` (training) or first sample (evaluation).
    batch_start: u32,
    // Samples in this batch; the last batch of an epoch may be short.
    batch_size: u32,
    // 1: sample b is order[batch_start + b]; 0: sample b is batch_start + b.
    gather: u32,
    _pad0: u32,
    inv_batch: f32,
    learning_rate: f32,
    beta1: f32,
    beta2: f32,
    epsilon: f32,
    // 1 − β1^t and 1 − β2^t, computed on the CPU in f64.
    bias_correction1: f32,
    bias_correction2: f32,
    _pad1: f32,
}

// Running figures of the current epoch, read back a few times per epoch.
struct Summary {
    loss_sum: f32,
    correct: u32,
    eval_correct: u32,
    samples: u32,
}

// Images as bytes, four pixels per word, [samples][WORDS_PER_IMAGE].
@group(0) @binding(0) var<storage, read> images: array<u32>;
// One label per word, [samples].
@group(0) @binding(1) var<storage, read> labels: array<u32>;
// The epoch's shuffled sample order, [train samples].
@group(0) @binding(2) var<storage, read> order: array<u32>;
// [params | grads | adam_m | adam_v], each PARAMS_LEN long, params in the model's flat layout.
@group(0) @binding(3) var<storage, read_write> state: array<f32>;
// [hidden: MAX_ROWS × HIDDEN | logits: MAX_ROWS × CLASSES | grad_hidden: MAX_ROWS × HIDDEN].
@group(0) @binding(4) var<storage, read_write> activations: array<f32>;
@group(0) @binding(5) var<storage, read_write> summary: Summary;
@group(0) @binding(6) var<uniform> step: Step;

// The dataset row of batch sample `b`.
fn sample_index(b: u32) -> u32 {
    if step.gather == 1u {
        return order[step.batch_start + b];
    }
    return step.batch_start + b;
}

// Four pixel bytes of one word as model inputs: byte × (1/255), exactly as the CPU path does.
fn unpack_pixels(word: u32) -> vec4<f32> {
    let bytes = vec4<u32>(word & 0xffu, (word >> 8u) & 0xffu, (word >> 16u) & 0xffu, word >> 24u);
    return vec4<f32>(bytes) * PIXEL_SCALE;
}

fn load4(base: u32) -> vec4<f32> {
    return vec4<f32>(state[base], state[base + 1u], state[base + 2u], state[base + 3u]);
}
