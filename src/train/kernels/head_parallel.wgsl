// The small end of the network spread over many workgroups (the default, see `HeadVariant`):
// three dispatches instead of `train_head`'s one.
//   head_logits:  logits = hidden·W2 + b2, one thread per (sample, class).
//   head_softmax: softmax cross-entropy, its gradient dz (to `GRAD_LOGITS_OFFSET`) and the
//                 summary, one workgroup, one thread per sample (10 values each).
//   head_grads:   dW2 and db2, one thread per row; dhidden (through the ReLU), one thread per
//                 output.
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

// Ten values per class, as 4 + 4 + 2 lanes: SwiftShader keeps a dynamically indexed array in
// memory (see forward_hidden.wgsl), so loops over the classes are written out.
struct PerClass {
    lo: vec4<f32>,
    mid: vec4<f32>,
    hi: vec2<f32>,
}

fn grad_logits_of(b: u32) -> PerClass {
    let at = GRAD_LOGITS_OFFSET + b * CLASSES;
    return PerClass(
        vec4<f32>(activations[at], activations[at + 1u], activations[at + 2u], activations[at + 3u]),
        vec4<f32>(activations[at + 4u], activations[at + 5u], activations[at + 6u], activations[at + 7u]),
        vec2<f32>(activations[at + 8u], activations[at + 9u]),
    );
}

fn store_per_class(at: u32, v: PerClass) {
    state[at] = v.lo.x;
    state[at + 1u] = v.lo.y;
    state[at + 2u] = v.lo.z;
    state[at + 3u] = v.lo.w;
    state[at + 4u] = v.mid.x;
    state[at + 5u] = v.mid.y;
    state[at + 6u] = v.mid.z;
    state[at + 7u] = v.mid.w;
    state[at + 8u] = v.hi.x;
    state[at + 9u] = v.hi.y;
}

// Row j of W2: unit j's weight to each class.
fn w2_row(j: u32) -> PerClass {
    let at = W2_OFFSET + j * CLASSES;
    return PerClass(load4(at), load4(at + 4u), vec2<f32>(state[at + 8u], state[at + 9u]));
}

// Threads: HEAD_GRADS_W2_THREADS for dW2 and db2 (one row each, then one for db2, then idle
// ones up to a whole workgroup), then batch × HIDDEN for dhidden. With a thread per weight of
// dW2 and a loop over the classes for dhidden this kernel took 0.95 ms a step on SwiftShader;
// this way 0.76–0.80 (bench/kernels.mjs).
@compute @workgroup_size(64)
fn head_grads(@builtin(global_invocation_id) id: vec3<u32>) {
    let batch = step.batch_size;
    if id.x < HEAD_GRADS_W2_THREADS {
        // dW2[j][k] = Σ_b hidden[b][j]·dz[b][k] for row j < HIDDEN; row HIDDEN, the one after
        // W2 in the layout, is db2[k] = Σ_b dz[b][k].
        let j = id.x;
        if j > HIDDEN {
            return;
        }
        var lo = vec4<f32>(0.0);
        var mid = vec4<f32>(0.0);
        var hi = vec2<f32>(0.0);
        for (var b = 0u; b < batch; b++) {
            let h = select(activations[b * HIDDEN + min(j, HIDDEN - 1u)], 1.0, j == HIDDEN);
            let dz = grad_logits_of(b);
            lo += h * dz.lo;
            mid += h * dz.mid;
            hi += h * dz.hi;
        }
        store_per_class(GRADS_OFFSET + W2_OFFSET + j * CLASSES, PerClass(lo, mid, hi));
        return;
    }

    // dhidden[b][j] = [hidden > 0]·Σ_k dz[b][k]·W2[j][k].
    let i = id.x - HEAD_GRADS_W2_THREADS;
    let b = i / HIDDEN;
    let j = i % HIDDEN;
    if b >= batch {
        return;
    }
    let dz = grad_logits_of(b);
    let w = w2_row(j);
    let d = dot(dz.lo, w.lo) + dot(dz.mid, w.mid) + dot(dz.hi, w.hi);
    activations[GRAD_HIDDEN_OFFSET + b * HIDDEN + j] = select(0.0, d, activations[b * HIDDEN + j] > 0.0);
}
