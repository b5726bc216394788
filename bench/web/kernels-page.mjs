// Times the trainer's kernels one at a time with the browser's own WebGPU, outside the app:
// `plan` is what `train --kernels` prints (shader, bindings, per-step settings, one training
// step's dispatches). Every buffer holds random data of the right size and range, so a kernel
// does the same work as in training; the figures are each kernel's own, without the rest of
// the step around it.

/** A deterministic generator, so that two runs time the same data. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Contents for binding `b` of `plan`: indices in range, moments non-negative. */
function contents(binding, plan, next) {
  const words = binding.bytes / 4;
  switch (binding.label) {
    case 'train_images':
      return new Uint32Array(words).map(() => Math.floor(next() * 2 ** 32));
    case 'train_labels':
      return new Uint32Array(words).map(() => Math.floor(next() * 10));
    case 'batch_order':
      return new Uint32Array(words).map(() => Math.floor(next() * plan.train_samples));
    case 'params_grads_adam_moments':
      // Small weights, gradients and first moments; second moments (the last quarter) >= 0.
      return new Float32Array(words).map((_, i) => (i >= (3 * words) / 4 ? 1e-4 * next() : 0.05 * (next() - 0.5)));
    case 'activations':
      return new Float32Array(words).map(() => 0.1 * (next() - 0.5));
    default:
      return new Uint32Array(words);
  }
}

async function timeKernels(plan, { repeats = 100, rounds = 5 } = {}) {
  const adapter = await navigator.gpu?.requestAdapter();
  if (!adapter) throw new Error('no WebGPU adapter');
  const info = adapter.info ?? {};
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: Math.max(...plan.bindings.map((b) => b.bytes)),
    },
  });
  const module = device.createShaderModule({ code: plan.shader });
  const messages = (await module.getCompilationInfo()).messages.filter((m) => m.type === 'error');
  if (messages.length) throw new Error(messages.map((m) => `line ${m.lineNum}: ${m.message}`).join('; '));

  const next = random(2024);
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST;
  const buffers = plan.bindings.map((binding) => {
    const buffer = device.createBuffer({ size: binding.bytes, usage });
    device.queue.writeBuffer(buffer, 0, contents(binding, plan, next));
    return buffer;
  });
  const settings = new Uint8Array(plan.step_settings);
  const uniform = device.createBuffer({ size: 256, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(uniform, 0, settings);
  const layout = device.createBindGroupLayout({
    entries: [
      ...plan.bindings.map((b) => ({ binding: b.binding, visibility: GPUShaderStage.COMPUTE, buffer: { type: b.kind } })),
      { binding: 6, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true } },
    ],
  });
  const bindGroup = device.createBindGroup({
    layout,
    entries: [
      ...buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
      { binding: 6, resource: { buffer: uniform, size: settings.length } },
    ],
  });
  const pipelineLayout = device.createPipelineLayout({ bindGroupLayouts: [layout] });

  // `count` dispatches of one kernel in one pass; resolves when the GPU has finished them.
  const run = async (pipeline, workgroups, count) => {
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setBindGroup(0, bindGroup, [0]);
    pass.setPipeline(pipeline);
    for (let i = 0; i < count; i++) pass.dispatchWorkgroups(workgroups);
    pass.end();
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
  };

  const rows = [];
  for (const dispatch of plan.dispatches) {
    const pipeline = await device.createComputePipelineAsync({
      layout: pipelineLayout,
      compute: { module, entryPoint: dispatch.entry_point },
    });
    await run(pipeline, dispatch.workgroups, 3);
    // The best of a few rounds: the least disturbed by whatever else the machine runs.
    let best = Infinity;
    for (let round = 0; round < rounds; round++) {
      const start = performance.now();
      await run(pipeline, dispatch.workgroups, repeats);
      best = Math.min(best, (performance.now() - start) / repeats);
    }
    rows.push({
      kernel: dispatch.entry_point,
      workgroups: dispatch.workgroups,
      ms: Number(best.toFixed(4)),
      gflops: dispatch.matmul_flops == null ? null : Number((dispatch.matmul_flops / (best * 1e6)).toFixed(3)),
    });
  }
  for (const buffer of [...buffers, uniform]) buffer.destroy();
  device.destroy();
  return { adapter: [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' / '), rows };
}

globalThis.timeKernels = timeKernels;
const status = document.getElementById('status');
status.textContent = 'ready';
status.dataset.state = 'ready';
