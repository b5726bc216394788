//! A digit drawn on the page, prepared the way MNIST's digits were (LeCun, Cortes and Burges,
//! "The MNIST database", 1998): the ink's bounding box is scaled to fit a 20 × 20 box keeping
//! its aspect ratio, with grey levels from the anti-aliasing, and placed in the 28 × 28 field
//! so that its centre of mass is at the field's centre.

use super::{IMAGE_BYTES, IMAGE_SIDE};

/// The box the longer side of the ink is scaled to, pixels (MNIST: 20).
pub const FIT_SIDE: usize = 20;

/// Where MNIST puts a digit's centre of mass, in pixels from the top-left edge: the centre of
/// pixel (14, 14), counted from 0. Measured on the embedded test set: the mean centre of mass
/// of its 2,000 digits is (14.498, 14.499).
pub const CENTRE: f64 = IMAGE_SIDE as f64 / 2.0 + 0.5;

/// Turns a drawing into an MNIST-style image.
///
/// `ink` is `[height][width]` coverage, 0 = blank and 255 = full ink (a canvas's alpha
/// channel). Returns `None` when nothing is drawn or `ink` is not `width × height` long.
///
/// Steps: (1) the bounding box of every pixel with ink; (2) area-averaging resample by
/// `s = 20 ÷ max(box width, box height)`, each output pixel the mean ink over the part of the
/// drawing it covers; (3) the result's centre of mass (ink-weighted mean of pixel centres) is
/// moved to [`CENTRE`] by a whole-pixel shift, limited so that no ink leaves the field;
/// (4) rounding to bytes.
pub fn to_mnist(ink: &[u8], width: usize, height: usize) -> Option<[u8; IMAGE_BYTES]> {
    if width == 0 || height == 0 || ink.len() != width.checked_mul(height)? {
        return None;
    }

    // 1. Bounding box of the ink.
    let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
    for (i, _) in ink.iter().enumerate().filter(|&(_, &v)| v > 0) {
        let (x, y) = (i % width, i / width);
        x0 = x0.min(x);
        y0 = y0.min(y);
        x1 = x1.max(x + 1);
        y1 = y1.max(y + 1);
    }
    if x0 == usize::MAX {
        return None;
    }
    let (box_w, box_h) = (x1 - x0, y1 - y0);

    // 2. Resample into at most FIT_SIDE × FIT_SIDE, keeping the aspect ratio.
    let scale = FIT_SIDE as f64 / box_w.max(box_h) as f64;
    let out_w = ((box_w as f64 * scale).round() as usize).clamp(1, FIT_SIDE);
    let out_h = ((box_h as f64 * scale).round() as usize).clamp(1, FIT_SIDE);
    let source_per_pixel = 1.0 / scale;
    let ink_at = |x: usize, y: usize| -> f64 {
        if x < width && y < height {
            f64::from(ink[y * width + x])
        } else {
            0.0
        }
    };
    let mut small = vec![0.0f64; out_w * out_h]; // [out_h][out_w], 0–255
    for ty in 0..out_h {
        let (sy0, sy1) = (
            y0 as f64 + ty as f64 * source_per_pixel,
            y0 as f64 + (ty + 1) as f64 * source_per_pixel,
        );
        for tx in 0..out_w {
            let (sx0, sx1) = (
                x0 as f64 + tx as f64 * source_per_pixel,
                x0 as f64 + (tx + 1) as f64 * source_per_pixel,
            );
            let mut sum = 0.0;
            for sy in sy0.floor() as usize..sy1.ceil() as usize {
                let dy = overlap(sy as f64, sy1, sy0);
                for sx in sx0.floor() as usize..sx1.ceil() as usize {
                    sum += ink_at(sx, sy) * dy * overlap(sx as f64, sx1, sx0);
                }
            }
            small[ty * out_w + tx] = sum / (source_per_pixel * source_per_pixel);
        }
    }

    // 3. Centre of mass to the field's centre.
    let total: f64 = small.iter().sum();
    let (mut mx, mut my) = (0.0, 0.0);
    for (i, &v) in small.iter().enumerate() {
        mx += v * ((i % out_w) as f64 + 0.5);
        my += v * ((i / out_w) as f64 + 0.5);
    }
    let centre = CENTRE;
    let shift = |mass: f64, size: usize| -> usize {
        let wanted = (centre - mass / total).round();
        wanted.clamp(0.0, (IMAGE_SIDE - size) as f64) as usize
    };
    let (dx, dy) = (shift(mx, out_w), shift(my, out_h));

    // 4. Bytes.
    let mut image = [0u8; IMAGE_BYTES];
    for ty in 0..out_h {
        for tx in 0..out_w {
            let v = small[ty * out_w + tx].round().clamp(0.0, 255.0);
            image[(ty + dy) * IMAGE_SIDE + tx + dx] = v as u8;
        }
    }
    Some(image)
}

/// Length of `[cell, cell + 1) ∩ [from, to)`.
fn overlap(cell: f64, to: f64, from: f64) -> f64 {
    (to.min(cell + 1.0) - from.max(cell)).max(0.0)
}

/// The ink's bounding box in a 28 × 28 image: `(left, top, width, height)`, or `None` if blank.
pub fn ink_box(image: &[u8]) -> Option<(usize, usize, usize, usize)> {
    let lit = |i: &usize| image[*i] > 0;
    let xs = (0..image.len()).filter(lit).map(|i| i % IMAGE_SIDE);
    let ys = (0..image.len()).filter(lit).map(|i| i / IMAGE_SIDE);
    let (left, right) = (xs.clone().min()?, xs.max()?);
    let (top, bottom) = (ys.clone().min()?, ys.max()?);
    Some((left, top, right - left + 1, bottom - top + 1))
}

/// The ink-weighted centre of mass of a 28 × 28 image, `(x, y)` in pixels (centres at i + 0.5).
pub fn centre_of_mass(image: &[u8]) -> Option<(f64, f64)> {
    let total: f64 = image.iter().map(|&v| f64::from(v)).sum();
    if total == 0.0 {
        return None;
    }
    let (mut x, mut y) = (0.0, 0.0);
    for (i, &v) in image.iter().enumerate() {
        x += f64::from(v) * ((i % IMAGE_SIDE) as f64 + 0.5);
        y += f64::from(v) * ((i / IMAGE_SIDE) as f64 + 0.5);
    }
    Some((x / total, y / total))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `side × side` canvas with the given rectangles filled with full ink.
    fn canvas(side: usize, rects: &[(usize, usize, usize, usize)]) -> Vec<u8> {
        let mut ink = vec![0u8; side * side];
        for &(x, y, w, h) in rects {
            for row in y..y + h {
                ink[row * side + x..row * side + x + w].fill(255);
            }
        }
        ink
    }

    #[test]
    fn a_blank_or_misshapen_canvas_gives_nothing() {
        assert_eq!(to_mnist(&[0; 100], 10, 10), None);
        assert_eq!(to_mnist(&[255; 99], 10, 10), None);
        assert_eq!(to_mnist(&[], 0, 0), None);
    }

    #[test]
    fn a_vertical_stroke_becomes_a_twenty_pixel_bar_in_the_middle() {
        // A "1": 20 px wide and 200 px tall on a 280 px canvas, drawn off to the left.
        let image = to_mnist(&canvas(280, &[(30, 40, 20, 200)]), 280, 280).unwrap();
        let (_, top, w, h) = ink_box(&image).unwrap();
        assert_eq!(h, FIT_SIDE);
        assert_eq!(w, 2);
        // The centre of mass, 14.5, lies between two whole-pixel placements of the box.
        assert!((4..=5).contains(&top), "top {top}");
        let (cx, cy) = centre_of_mass(&image).unwrap();
        assert!(
            (cx - CENTRE).abs() <= 0.5 && (cy - CENTRE).abs() <= 0.5,
            "({cx}, {cy})"
        );
        assert_eq!(image.iter().filter(|&&v| v == 255).count(), 40);
    }

    #[test]
    fn the_longer_side_is_twenty_pixels_at_any_drawing_size() {
        // The same wide shape drawn small and large: the same image.
        let small = to_mnist(&canvas(100, &[(10, 10, 40, 20)]), 100, 100).unwrap();
        let large = to_mnist(&canvas(400, &[(80, 200, 160, 80)]), 400, 400).unwrap();
        assert_eq!(small, large);
        let (_, _, w, h) = ink_box(&small).unwrap();
        assert_eq!((w, h), (FIT_SIDE, FIT_SIDE / 2));
    }

    #[test]
    fn partly_covered_pixels_get_grey_levels() {
        // 30 px of ink scaled by 20/30: some output pixels are partly covered.
        let image = to_mnist(&canvas(60, &[(0, 0, 30, 30), (0, 0, 3, 3)]), 60, 60).unwrap();
        assert!(image.iter().all(|&v| v == 0 || v == 255));
        let image = to_mnist(&canvas(60, &[(0, 0, 30, 4), (0, 0, 4, 30)]), 60, 60).unwrap();
        assert!(image.iter().any(|&v| v > 0 && v < 255), "no grey levels");
    }

    #[test]
    fn a_lopsided_shape_is_centred_by_its_mass_not_its_box() {
        // An "L": the foot moves the centre of mass down and right of the box's centre, so
        // the box does not sit in the middle of the field.
        let ink = canvas(200, &[(20, 20, 10, 160), (20, 170, 100, 10)]);
        let image = to_mnist(&ink, 200, 200).unwrap();
        let (cx, cy) = centre_of_mass(&image).unwrap();
        assert!(
            (cx - CENTRE).abs() <= 0.5 && (cy - CENTRE).abs() <= 0.5,
            "({cx}, {cy})"
        );
        let (left, top, _, _) = ink_box(&image).unwrap();
        assert_ne!((left, top), (4, 4), "box not moved");
    }

    #[test]
    fn a_very_lopsided_shape_keeps_all_its_ink_in_the_field() {
        // A heavy foot would need the box moved past the field's edge: it stops at the edge.
        let ink = canvas(200, &[(20, 20, 10, 160), (20, 150, 160, 30)]);
        let image = to_mnist(&ink, 200, 200).unwrap();
        let (left, top, w, h) = ink_box(&image).unwrap();
        assert_eq!((top, h), (0, FIT_SIDE));
        assert!(left + w <= IMAGE_SIDE);
    }
}
