//! A run's state after a finished epoch, kept so that training can go on elsewhere: on a new
//! GPU device after the old one was lost, or on the CPU.

use super::TrainConfig;
use crate::model::reference::AdamState;
use crate::model::{init_params, layout};

/// Everything a trainer needs to continue a run after `epochs_done` epochs as if it had never
/// stopped: the weights and Adam's moments and step count. The batch order of the epochs to
/// come is not stored: it follows from the run's seed and `epochs_done`
/// (see [`super::EpochOrder::after`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Checkpoint {
    /// Epochs finished; training continues with epoch `epochs_done + 1`.
    pub epochs_done: usize,
    /// Parameters, the model's flat layout (`layout::LEN`).
    pub params: Vec<f32>,
    /// Adam's first and second moments (`layout::LEN` each) and the steps taken.
    pub adam: AdamState,
}

impl Checkpoint {
    /// The start of a run: the seeded initial weights, no Adam step taken yet.
    pub fn start(config: &TrainConfig) -> Self {
        Self::from_params(init_params(config.seed))
    }

    /// A run starting from the given parameters (flat layout), with fresh Adam moments.
    pub fn from_params(params: Vec<f32>) -> Self {
        Self {
            epochs_done: 0,
            params,
            adam: AdamState::default(),
        }
    }

    /// The epoch training continues with, counted from 1.
    pub fn next_epoch(&self) -> usize {
        self.epochs_done + 1
    }

    /// Checks that every vector has the model's length, so a trainer can take it as it is.
    pub fn check(&self) -> Result<(), String> {
        let lengths = [
            ("parameters", self.params.len()),
            ("Adam first moments", self.adam.m.len()),
            ("Adam second moments", self.adam.v.len()),
        ];
        match lengths.iter().find(|(_, len)| *len != layout::LEN) {
            Some((what, len)) => Err(format!(
                "the checkpoint has {len} {what}, the model needs {}",
                layout::LEN
            )),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_start_is_epoch_one_with_seeded_weights() {
        let config = TrainConfig::default();
        let start = Checkpoint::start(&config);
        assert_eq!(start.next_epoch(), 1);
        assert_eq!(start.params, init_params(config.seed));
        assert_eq!(start.adam.step, 0);
        assert_eq!(start.check(), Ok(()));
    }

    #[test]
    fn a_short_moment_vector_is_refused_by_name() {
        let mut checkpoint = Checkpoint::start(&TrainConfig::default());
        checkpoint.adam.v.pop();
        let message = checkpoint.check().expect_err("a short vector is refused");
        assert!(message.contains("Adam second moments"), "{message}");
    }
}
