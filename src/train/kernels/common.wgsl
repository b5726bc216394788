// Bindings and helpers shared by every kernel of the trainer. The constants (sizes and buffer
// offsets) are generated from the Rust layout and prepended at load time, see `gpu.rs`.

// One step's (or one evaluation chunk's) settings, at a dynamic offset per step.
struct Step {
    // First position in `order`: sample b of the batch is order[batch_start + b].
    batch_start: u32,
    // Samples in this batch; the last batch of an epoch may be short.
    batch_size: u32,
    _pad0: u32,
    _pad1: u32,
    inv_batch: f32,
    learning_rate: f32,
    beta1: f32,
    beta2: f32,
    epsilon: f32,
    // 1 − β1^t and 1 − β2^t, computed on the CPU in f64.
    bias_correction1: f32,
    bias_correction2: f32,
    _pad2: f32,
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
// The rows to read, in order: the epoch's shuffled order when training, 0, 1, 2, … when
// evaluating (one lookup for both: a branch on which one cost grad_w1 ~10% on SwiftShader).
@group(0) @binding(2) var<storage, read> order: array<u32>;
// [params | grads | adam_m | adam_v], each PARAMS_LEN long, params in the model's flat layout.
@group(0) @binding(3) var<storage, read_write> state: array<f32>;
// [hidden: MAX_ROWS × HIDDEN | logits: MAX_ROWS × CLASSES | grad_hidden: MAX_ROWS × HIDDEN].
@group(0) @binding(4) var<storage, read_write> activations: array<f32>;
@group(0) @binding(5) var<storage, read_write> summary: Summary;
@group(0) @binding(6) var<uniform> step: Step;

// The dataset row of batch sample `b`.
fn sample_index(b: u32) -> u32 {
    return order[step.batch_start + b];
}

// Four pixel bytes of one word as model inputs, byte ÷ 255, in pixel order. The built-in made
// forward_hidden ~30% faster on SwiftShader than shifting, masking and converting by hand. The CPU
// path multiplies by an f32 1/255, which some implementations do here too; others divide,
// which differs from it by at most one unit in the last place.
fn unpack_pixels(word: u32) -> vec4<f32> {
    return unpack4x8unorm(word);
}

fn load4(base: u32) -> vec4<f32> {
    return vec4<f32>(state[base], state[base + 1u], state[base + 2u], state[base + 3u]);
}
