//! Reading results back from the GPU, and the device-lost signal every read waits on beside
//! the map itself.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use super::GpuError;

/// Turns of the event loop a failed buffer map waits for the device-lost callback (each is a
/// `setTimeout(0)`, a few milliseconds, in the browser; nothing natively).
const LOST_GRACE_TURNS: usize = 10;

/// Set once when the device is lost (wgpu's device-lost callback), and waited on beside every
/// buffer map, so that a lost device ends a run with [`GpuError::DeviceLost`] instead of
/// leaving it waiting on a map that never finishes.
#[derive(Clone, Default)]
pub(super) struct LostSignal {
    inner: Arc<Mutex<LostState>>,
}

#[derive(Default)]
struct LostState {
    reason: Option<String>,
    wakers: Vec<Waker>,
}

impl LostSignal {
    /// A signal wired to `device`'s device-lost callback.
    pub(super) fn watch(device: &wgpu::Device) -> Self {
        let signal = Self::default();
        let setter = signal.clone();
        device.set_device_lost_callback(move |reason, message| {
            let words = match (reason, message.trim()) {
                (wgpu::DeviceLostReason::Destroyed, "") => "the device was destroyed".to_owned(),
                (wgpu::DeviceLostReason::Destroyed, text) => format!("destroyed: {text}"),
                (_, "") => "no reason given".to_owned(),
                (_, text) => text.to_owned(),
            };
            // Dropping the trainer destroys its device on purpose: not worth a warning.
            if reason == wgpu::DeviceLostReason::Destroyed {
                log::info!("GPU device lost: {words}");
            } else {
                log::warn!("GPU device lost: {words}");
            }
            setter.set(words);
        });
        signal
    }

    fn set(&self, reason: String) {
        // A poisoned lock only means another thread panicked mid-update; the data is plain.
        let mut state = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        state.reason.get_or_insert(reason);
        for waker in state.wakers.drain(..) {
            waker.wake();
        }
    }

    pub(super) fn reason(&self) -> Option<String> {
        let state = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        state.reason.clone()
    }

    /// Ready with the reason once the device is lost; otherwise registers the waker.
    fn poll_lost(&self, cx: &mut Context<'_>) -> Poll<String> {
        let mut state = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        match &state.reason {
            Some(reason) => Poll::Ready(reason.clone()),
            None => {
                if !state.wakers.iter().any(|w| w.will_wake(cx.waker())) {
                    state.wakers.push(cx.waker().clone());
                }
                Poll::Pending
            }
        }
    }

    /// `error` as [`GpuError::DeviceLost`] when the device is lost by now.
    pub(super) fn explain(&self, error: GpuError) -> GpuError {
        match self.reason() {
            Some(reason) => GpuError::DeviceLost(reason),
            None => error,
        }
    }
}

/// Copies the first `floats` `f32`s of a storage buffer (all of it with `None`) into a fresh
/// mappable one and reads them.
pub(super) async fn read_f32(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    lost: &LostSignal,
    source: &wgpu::Buffer,
    floats: Option<usize>,
) -> Result<Vec<f32>, GpuError> {
    let size = floats.map_or(source.size(), |n| (n * 4) as u64);
    let staging = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("readback"),
        size,
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
        label: Some("readback"),
    });
    encoder.copy_buffer_to_buffer(source, 0, &staging, 0, size);
    queue.submit([encoder.finish()]);
    let bytes = map_read(device, lost, &staging).await;
    // In the browser a dropped buffer waits for the garbage collector; free it now.
    staging.destroy();
    Ok(bytemuck::pod_collect_to_vec(&bytes?))
}

/// Maps a `MAP_READ` buffer, copies its bytes out and unmaps it. Natively this blocks on the
/// device; in the browser it yields to the event loop until the GPU is done. A lost device
/// ends the wait with [`GpuError::DeviceLost`].
pub(super) async fn map_read(
    device: &wgpu::Device,
    lost: &LostSignal,
    buffer: &wgpu::Buffer,
) -> Result<Vec<u8>, GpuError> {
    if let Some(reason) = lost.reason() {
        return Err(GpuError::DeviceLost(reason));
    }
    let (sender, receiver) = futures_channel::oneshot::channel();
    buffer.map_async(wgpu::MapMode::Read, .., move |result| {
        let _ = sender.send(result);
    });
    let failure = match answer_or_lost(device, lost, receiver).await? {
        Ok(Ok(())) => None,
        Err(_canceled) => Some("the map was dropped before it finished".to_owned()),
        Ok(Err(error)) => Some(error.to_string()),
    };
    if let Some(failure) = failure {
        // Browsers reject a pending map before they settle `device.lost`: give the lost
        // callback a few turns of the event loop, so a lost device is reported as such.
        for _ in 0..LOST_GRACE_TURNS {
            if lost.reason().is_some() {
                break;
            }
            crate::train::yield_now().await;
        }
        return Err(lost.explain(GpuError::Readback(failure)));
    }
    let bytes = buffer
        .get_mapped_range(..)
        .map_err(|error| GpuError::Readback(error.to_string()))?
        .to_vec();
    buffer.unmap();
    Ok(bytes)
}

/// Waits until the GPU has finished everything submitted so far (and, in the browser, the
/// pipeline creation and uploads that came before). A lost device ends the wait with
/// [`GpuError::DeviceLost`].
pub(super) async fn wait_for_queue(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    lost: &LostSignal,
) -> Result<(), GpuError> {
    let (sender, receiver) = futures_channel::oneshot::channel();
    queue.submit([]);
    queue.on_submitted_work_done(move || {
        let _ = sender.send(());
    });
    match answer_or_lost(device, lost, receiver).await? {
        Ok(()) => Ok(()),
        Err(_canceled) => Err(lost.explain(GpuError::Readback(
            "the GPU dropped the wait for its queue".to_owned(),
        ))),
    }
}

/// Drives the device (natively; the browser does it by itself), then waits for `receiver`'s
/// answer or for the device to be lost, whichever comes first: a lost device ends the wait
/// with [`GpuError::DeviceLost`], a dropped sender gives `Err(Canceled)`.
async fn answer_or_lost<T>(
    device: &wgpu::Device,
    lost: &LostSignal,
    mut receiver: futures_channel::oneshot::Receiver<T>,
) -> Result<Result<T, futures_channel::oneshot::Canceled>, GpuError> {
    #[cfg(not(target_arch = "wasm32"))]
    device
        .poll(wgpu::PollType::wait_indefinitely())
        .map_err(|error| lost.explain(GpuError::Readback(error.to_string())))?;
    #[cfg(target_arch = "wasm32")]
    let _ = device;
    std::future::poll_fn(|cx| {
        if let Poll::Ready(answer) = Pin::new(&mut receiver).poll(cx) {
            return Poll::Ready(Ok(answer));
        }
        lost.poll_lost(cx).map(Err)
    })
    .await
    .map_err(GpuError::DeviceLost)
}
