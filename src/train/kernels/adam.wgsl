// One Adam step with bias correction over every parameter in one dispatch, in the same order
// of operations as `model::reference::adam_step`.

@compute @workgroup_size(256)
fn adam(@builtin(global_invocation_id) id: vec3<u32>) {
    let i = id.x;
    if i >= PARAMS_LEN {
        return;
    }
    let g = state[GRADS_OFFSET + i];
    let m = step.beta1 * state[ADAM_M_OFFSET + i] + (1.0 - step.beta1) * g;
    let v = step.beta2 * state[ADAM_V_OFFSET + i] + (1.0 - step.beta2) * g * g;
    state[ADAM_M_OFFSET + i] = m;
    state[ADAM_V_OFFSET + i] = v;
    let m_hat = m / step.bias_correction1;
    let v_hat = v / step.bias_correction2;
    state[i] -= step.learning_rate * m_hat / (sqrt(v_hat) + step.epsilon);
}
