// The small end of the network spread over many workgroups, for adapters with more than one
// core to give it (see `HeadVariant`): three dispatches instead of `train_head`'s one.
//   head_logits:  logits = hidden·W2 + b2, one thread per (sample, class).
//   head_softmax: softmax cross-entropy, its gradient dz (to `GRAD_LOGITS_OFFSET`) and the
//                 summary, one workgroup, one thread per sample (10 values each).
//   head_grads:   dW2, db2 and dhidden (through the ReLU), one thread per output.
// db1 = Σ_b dhidden is summed by `grad_w1`, which reads dhidden anyway.
// No arrays indexed by a variable: SwiftShader keeps those in memory (see forward_hidden.wgsl).

@compute @workgroup_size(64)
fn head_logits(@builtin(global_invocation_id) id: vec3<u32>) {
    let b = id.x / CLASSES;
    let k = id.x % CLASSES;
    if b >= step.batch_size {
        return;
    }
    var z = state[B2_OFFSET + k];
    let row = b * HIDDEN;
    for (var j = 0u; j < HIDDEN; j++) {
        z += activations[row + j] * state[W2_OFFSET + j * CLASSES + k];
    }
    activations[LOGITS_OFFSET + b * CLASSES + k] = z;
}

@compute @workgroup_size(HEAD_THREADS)
fn head_softmax(@builtin(local_invocation_index) tid: u32) {
    let batch = step.batch_size;

    var loss = 0.0;
    var correct = 0u;
    for (var b = tid; b < batch; b += HEAD_THREADS) {
        let at = LOGITS_OFFSET + b * CLASSES;
        let label = labels[sample_index(b)];
        var max_z = activations[at];
        var best = 0u;
        for (var k = 1u; k < CLASSES; k++) {
            let z = activations[at + k];
            // The first largest logit on ties, as the CPU reference.
            if z > max_z {
                max_z = z;
                best = k;
            }
        }
        var sum = 0.0;
        for (var k = 0u; k < CLASSES; k++) {
            sum += exp(activations[at + k] - max_z);
        }
        let log_sum = log(sum);
        loss += log_sum - (activations[at + label] - max_z);
        if best == label {
            correct += 1u;
        }
        for (var k = 0u; k < CLASSES; k++) {
            let p = exp((activations[at + k] - max_z) - log_sum);
            let expected = select(0.0, 1.0, k == label);
            activations[GRAD_LOGITS_OFFSET + b * CLASSES + k] = (p - expected) * step.inv_batch;
        }
    }
    add_to_summary(tid, loss, correct, batch);
}

// Threads: W2_LEN + CLASSES for dW2 and db2, then batch × HIDDEN for dhidden.
@compute @workgroup_size(64)
fn head_grads(@builtin(global_invocation_id) id: vec3<u32>) {
    let o = id.x;
    let batch = step.batch_size;
    if o < W2_LEN + CLASSES {
        // dW2[j][k] = Σ_b hidden[b][j]·dz[b][k], then db2[k] = Σ_b dz[b][k].
        var acc = 0.0;
        if o < W2_LEN {
            let j = o / CLASSES;
            let k = o % CLASSES;
            for (var b = 0u; b < batch; b++) {
                acc += activations[b * HIDDEN + j] * activations[GRAD_LOGITS_OFFSET + b * CLASSES + k];
            }
        } else {
            let k = o - W2_LEN;
            for (var b = 0u; b < batch; b++) {
                acc += activations[GRAD_LOGITS_OFFSET + b * CLASSES + k];
            }
        }
        state[GRADS_OFFSET + W2_OFFSET + o] = acc;
        return;
    }

    // dhidden[b][j] = [hidden > 0]·Σ_k dz[b][k]·W2[j][k].
    let i = o - (W2_LEN + CLASSES);
    let b = i / HIDDEN;
    let j = i % HIDDEN;
    if b >= batch {
        return;
    }
    var d = 0.0;
    if activations[b * HIDDEN + j] > 0.0 {
        for (var k = 0u; k < CLASSES; k++) {
            d += state[W2_OFFSET + j * CLASSES + k] * activations[GRAD_LOGITS_OFFSET + b * CLASSES + k];
        }
    }
    activations[GRAD_HIDDEN_OFFSET + b * HIDDEN + j] = d;
}
