//! What the per-kernel benchmark (`bench/kernels.mjs`) needs to run the trainer's kernels one
//! at a time in a browser without the app: the shader source, one training step's dispatches,
//! the per-step settings as bytes and the buffer sizes. `train --kernels` prints it as JSON.
//! The benchmark fills the buffers with random data of the right sizes, so its timings are
//! the kernels' own, not a training run's.

use super::{
    BufferPlan, Dispatch, GpuError, HeadVariant, Kernel, StepUniform, check_batch_size,
    shader_source, train_step_dispatches,
};
use crate::model::{CLASSES, HIDDEN, INPUTS};
use crate::train::TrainConfig;

/// Everything the benchmark needs for one training step of `config.batch_size` samples.
#[derive(Debug, Clone)]
pub struct KernelPlan {
    pub shader: String,
    pub dispatches: Vec<Dispatch>,
    /// Bytes of the per-step settings (`Step` in `kernels/common.wgsl`), bound at offset 0.
    pub step_settings: Vec<u8>,
    pub buffers: BufferPlan,
    pub batch_size: usize,
}

impl KernelPlan {
    /// The plan of a training step over a training set of `train_samples` images, the
    /// first step of a run (Adam step 1). Refuses a batch size the trainer would refuse.
    pub fn new(
        config: &TrainConfig,
        head: HeadVariant,
        train_samples: usize,
    ) -> Result<KernelPlan, GpuError> {
        let batch = config.batch_size;
        check_batch_size(batch)?;
        let settings = StepUniform::training(&config.adam, 0, batch, 1);
        Ok(KernelPlan {
            shader: shader_source(),
            dispatches: train_step_dispatches(head, batch),
            step_settings: bytemuck::bytes_of(&settings).to_vec(),
            buffers: BufferPlan::new(train_samples, 1, batch),
            batch_size: batch,
        })
    }
}

impl Kernel {
    /// The floating-point operations this kernel does for a batch of `batch` samples, counting
    /// a multiply-add as two, where it is a matrix product; `None` for the others (softmax,
    /// Adam), whose cost is not in multiply-adds.
    pub fn matmul_flops(self, batch: usize) -> Option<u64> {
        let b = batch as u64;
        let (inputs, hidden, classes) = (INPUTS as u64, HIDDEN as u64, CLASSES as u64);
        match self {
            // x·W1, and xᵀ·dhidden.
            Kernel::ForwardHidden | Kernel::GradW1 => Some(2 * b * inputs * hidden),
            // hidden·W2.
            Kernel::HeadLogits => Some(2 * b * hidden * classes),
            // dW2 = hiddenᵀ·dz and dhidden = dz·W2ᵀ.
            Kernel::HeadGrads => Some(4 * b * hidden * classes),
            // hidden·W2, dW2 and dhidden in one workgroup.
            Kernel::TrainHead => Some(6 * b * hidden * classes),
            Kernel::HeadSoftmax | Kernel::Adam | Kernel::EvalHead => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_is_one_training_step_of_the_configured_batch() {
        let config = TrainConfig::default();
        let plan = KernelPlan::new(&config, HeadVariant::Parallel, 8000).expect("batch 64 runs");
        assert_eq!(plan.batch_size, 64);
        assert_eq!(
            plan.dispatches,
            train_step_dispatches(HeadVariant::Parallel, 64)
        );
        assert_eq!(plan.step_settings.len(), size_of::<StepUniform>());
        // batch_start 0, batch_size 64, as the first two words.
        assert_eq!(&plan.step_settings[..8], &[0, 0, 0, 0, 64, 0, 0, 0]);
        assert_eq!(plan.buffers.order.bytes, 8000 * 4);
        // The forward product of a batch of 64: 64 × 784 × 128 multiply-adds.
        assert_eq!(
            Kernel::ForwardHidden.matmul_flops(64),
            Some(2 * 64 * 784 * 128)
        );
        for batch_size in [0, 257] {
            let config = TrainConfig {
                batch_size,
                ..TrainConfig::default()
            };
            assert!(
                KernelPlan::new(&config, HeadVariant::Parallel, 8000).is_err(),
                "batch {batch_size}"
            );
        }
    }
}
