// The small end of the network in one workgroup: logits = hidden·W2 + b2, softmax
// cross-entropy and its gradient, then dW2, db2 and dhidden (through the ReLU).
// One workgroup sees the whole batch, so the reductions over samples need no atomics.

const HEAD_THREADS: u32 = 64u;

var<workgroup> grad_logits: array<f32, MAX_BATCH_LOGITS>;
var<workgroup> partial_loss: array<f32, HEAD_THREADS>;
var<workgroup> partial_correct: array<u32, HEAD_THREADS>;

// Adds one thread's share of a batch's loss and correct count to the running summary, the
// workgroup's shares summed by its first thread. Every thread of the HEAD_THREADS-wide
// workgroup calls it, in uniform control flow (it holds a barrier).
fn add_to_summary(tid: u32, loss: f32, correct: u32, batch: u32) {
    partial_loss[tid] = loss;
    partial_correct[tid] = correct;
    workgroupBarrier();
    if tid == 0u {
        var total_loss = 0.0;
        var total_correct = 0u;
        for (var t = 0u; t < HEAD_THREADS; t++) {
            total_loss += partial_loss[t];
            total_correct += partial_correct[t];
        }
        summary.loss_sum += total_loss;
        summary.correct += total_correct;
        summary.samples += batch;
    }
}

// [CLASSES] logits of batch sample b.
fn logits_of(b: u32) -> array<f32, CLASSES> {
    var z: array<f32, CLASSES>;
    for (var k = 0u; k < CLASSES; k++) {
        z[k] = state[B2_OFFSET + k];
    }
    for (var j = 0u; j < HIDDEN; j++) {
        let h = activations[b * HIDDEN + j];
        let row = W2_OFFSET + j * CLASSES;
        for (var k = 0u; k < CLASSES; k++) {
            z[k] += h * state[row + k];
        }
    }
    return z;
}

// Index of the largest logit, the first one on ties (as the CPU reference).
fn predict(logits: array<f32, CLASSES>) -> u32 {
    // A local copy, since some backends cannot index a value array dynamically.
    var z = logits;
    var best = 0u;
    for (var k = 1u; k < CLASSES; k++) {
        if z[k] > z[best] {
            best = k;
        }
    }
    return best;
}

@compute @workgroup_size(HEAD_THREADS)
fn train_head(@builtin(local_invocation_index) tid: u32) {
    let batch = step.batch_size;

    var loss = 0.0;
    var correct = 0u;
    for (var b = tid; b < batch; b += HEAD_THREADS) {
        var z = logits_of(b);
        let label = labels[sample_index(b)];
        var max_z = z[0];
        for (var k = 1u; k < CLASSES; k++) {
            max_z = max(max_z, z[k]);
        }
        var sum = 0.0;
        for (var k = 0u; k < CLASSES; k++) {
            sum += exp(z[k] - max_z);
        }
        let log_sum = log(sum);
        loss += log_sum - (z[label] - max_z);
        if predict(z) == label {
            correct += 1u;
        }
        for (var k = 0u; k < CLASSES; k++) {
            activations[LOGITS_OFFSET + b * CLASSES + k] = z[k];
            let p = exp((z[k] - max_z) - log_sum);
            let expected = select(0.0, 1.0, k == label);
            grad_logits[b * CLASSES + k] = (p - expected) * step.inv_batch;
        }
    }
    add_to_summary(tid, loss, correct, batch);

    // dW2[j][k] = Σ_b hidden[b][j]·dz[b][k], then db2[k] = Σ_b dz[b][k].
    for (var o = tid; o < W2_LEN + CLASSES; o += HEAD_THREADS) {
        var acc = 0.0;
        if o < W2_LEN {
            let j = o / CLASSES;
            let k = o % CLASSES;
            for (var b = 0u; b < batch; b++) {
                acc += activations[b * HIDDEN + j] * grad_logits[b * CLASSES + k];
            }
        } else {
            let k = o - W2_LEN;
            for (var b = 0u; b < batch; b++) {
                acc += grad_logits[b * CLASSES + k];
            }
        }
        state[GRADS_OFFSET + W2_OFFSET + o] = acc;
    }

    // dhidden[b][j] = [hidden > 0]·Σ_k dz[b][k]·W2[j][k]; grad_w1 sums db1 from it.
    for (var j = tid; j < HIDDEN; j += HEAD_THREADS) {
        for (var b = 0u; b < batch; b++) {
            var d = 0.0;
            if activations[b * HIDDEN + j] > 0.0 {
                for (var k = 0u; k < CLASSES; k++) {
                    d += state[W2_OFFSET + j * CLASSES + k] * grad_logits[b * CLASSES + k];
                }
            }
            activations[GRAD_HIDDEN_OFFSET + b * HIDDEN + j] = d;
        }
    }
}

// Test accuracy: counts the samples of one chunk whose prediction is their label.
@compute @workgroup_size(HEAD_THREADS)
fn eval_head(@builtin(local_invocation_index) tid: u32) {
    var correct = 0u;
    for (var b = tid; b < step.batch_size; b += HEAD_THREADS) {
        if predict(logits_of(b)) == labels[sample_index(b)] {
            correct += 1u;
        }
    }
    partial_correct[tid] = correct;
    workgroupBarrier();

    if tid == 0u {
        var total = 0u;
        for (var t = 0u; t < HEAD_THREADS; t++) {
            total += partial_correct[t];
        }
        summary.eval_correct += total;
    }
}
