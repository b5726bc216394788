//! After a GPU run lost its device: what the page keeps (the weights and Adam state of the last
//! finished epoch) and its offer to go on from the next epoch on a new GPU device or on the CPU.

use std::sync::Arc;

use leptos::prelude::*;

use crate::train::{Checkpoint, TrainConfig};
use crate::ui::i18n::{T, lang};
use crate::ui::trainer::DeviceChoice;

/// What a run whose GPU device was lost leaves behind: the weights and Adam state of its last
/// finished epoch, offered to continue from on a new GPU device or on the CPU.
#[derive(Debug, Clone)]
pub struct ResumeOffer {
    /// The lost run's settings; the continued run trains up to the same last epoch.
    pub config: TrainConfig,
    /// The state after the last finished epoch (the start, when none had finished).
    pub from: Arc<Checkpoint>,
    /// Why the device was lost, in the browser's words.
    pub reason: String,
}

/// What the page says and offers after a GPU run lost its device: `#train-resume`
/// (`data-next-epoch`, `data-epochs-done`) with `#train-resume-gpu` and `#train-resume-cpu`.
pub fn resume_offer(
    offer: ResumeOffer,
    resume: impl Fn(DeviceChoice) + Copy + 'static,
) -> impl IntoView {
    let (done, next, epochs) = (
        offer.from.epochs_done,
        offer.from.next_epoch(),
        offer.config.epochs,
    );
    let reason = offer.reason;
    let text = move || {
        let zh = if done == 0 {
            format!(
                "第 {next}/{epochs} 轮还没训练完，GPU 设备就丢失了（{reason}）。可以换一个新的 GPU \
                 设备，或改用 CPU，从第 1 轮重新开始。"
            )
        } else {
            format!(
                "训练到第 {next}/{epochs} 轮时，GPU 设备丢失了（{reason}）。第 {done} 轮结束时的\
                 权重和优化器状态都已保留：可以换一个新的 GPU 设备，或改用 CPU，从第 {next} 轮接着\
                 训练，下面的表格会接着往下填。"
            )
        };
        let en = if done == 0 {
            format!(
                "The GPU device was lost during epoch {next} of {epochs}, before any epoch had \
                 finished ({reason}). The run can start again from epoch 1, on a new GPU device \
                 or on the CPU."
            )
        } else {
            format!(
                "The GPU device was lost during epoch {next} of {epochs} ({reason}). The weights \
                 and optimizer state after epoch {done} are kept: the run can go on from epoch \
                 {next}, on a new GPU device or on the CPU, and the table below goes on with it."
            )
        };
        lang().pick(zh, en)
    };
    view! {
        <div
            id="train-resume"
            class="resume"
            role="group"
            data-epochs-done=done.to_string()
            data-next-epoch=next.to_string()
        >
            <p>{text}</p>
            <div class="buttons">
                <button
                    id="train-resume-gpu"
                    type="button"
                    class="primary"
                    on:click=move |_| resume(DeviceChoice::Gpu)
                >
                    <T zh="换新的 GPU 设备继续" en="Continue on a new GPU device" />
                </button>
                <button id="train-resume-cpu" type="button" on:click=move |_| resume(DeviceChoice::Cpu)>
                    <T zh="改用 CPU 继续" en="Continue on the CPU" />
                </button>
            </div>
        </div>
    }
}
