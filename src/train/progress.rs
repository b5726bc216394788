//! The loss of each chunk of steps, recovered from the running means that trainers report, so
//! that a chart can show how the loss moves within an epoch.

use super::StepProgress;

/// `(epochs done, mean loss over the steps since the previous report)` for each report.
///
/// A report's running loss is the mean over the epoch's steps so far, `Lₖ` after `nₖ` steps,
/// so the chunk between two reports has mean `(Lₖ·nₖ − Lₖ₋₁·nₖ₋₁) ÷ (nₖ − nₖ₋₁)`; the first
/// report of an epoch starts from `n = 0`. Steps are weighted equally, which is exact when every
/// batch is full (a smaller last batch shifts only the epoch's last chunk). Reports that do
/// not advance, or give a non-finite value, are left out.
pub fn chunk_losses(steps: &[StepProgress]) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(steps.len());
    let mut previous: Option<&StepProgress> = None;
    for s in steps {
        let (done_before, sum_before) = match previous {
            Some(p) if p.epoch == s.epoch && p.step < s.step => {
                (p.step, f64::from(p.running_loss) * p.step as f64)
            }
            Some(p) if p.epoch == s.epoch => continue,
            _ => (0, 0.0),
        };
        let sum = f64::from(s.running_loss) * s.step as f64;
        let chunk = (sum - sum_before) / (s.step - done_before).max(1) as f64;
        let x = (s.epoch as f64 - 1.0) + s.step as f64 / s.steps_per_epoch.max(1) as f64;
        if chunk.is_finite() && x.is_finite() {
            out.push((x, chunk));
        }
        previous = Some(s);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(epoch: usize, step: usize, running_loss: f32) -> StepProgress {
        StepProgress {
            epoch,
            epochs: 2,
            step,
            steps_per_epoch: 8,
            running_loss,
        }
    }

    #[test]
    fn chunks_are_recovered_from_running_means() {
        // Step losses 4, 4, 2, 2 | 1, 1, 1, 1 in epoch 1, reported every two steps.
        let steps = [
            report(1, 2, 4.0),
            report(1, 4, 3.0),
            report(1, 6, 2.0 + 1.0 / 3.0),
            report(1, 8, 2.0),
            report(2, 4, 0.5),
            report(2, 8, 0.25),
        ];
        let chunks = chunk_losses(&steps);
        let expected = [
            (0.25, 4.0),
            (0.5, 2.0),
            (0.75, 1.0),
            (1.0, 1.0),
            (1.5, 0.5),
            (2.0, 0.0),
        ];
        assert_eq!(chunks.len(), expected.len());
        for ((x, y), (ex, ey)) in chunks.iter().zip(expected) {
            assert!((x - ex).abs() < 1e-12 && (y - ey).abs() < 1e-6, "{x} {y}");
        }
    }

    #[test]
    fn repeated_or_broken_reports_are_left_out() {
        let steps = [report(1, 2, 1.0), report(1, 2, 1.0), report(1, 4, f32::NAN)];
        assert_eq!(chunk_losses(&steps), vec![(0.25, 1.0)]);
        assert!(chunk_losses(&[]).is_empty());
    }
}
