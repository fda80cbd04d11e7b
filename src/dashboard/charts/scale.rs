//! The value axis: a rounded maximum, evenly spaced ticks, and how their values read.

use crate::dashboard::format;

/// What the plotted values are, which decides how the axis and hover texts read them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A 0-100 score.
    Score,
    /// A 0-1 ratio shown as a percentage.
    Ratio,
    Count,
    Usd,
}

impl Unit {
    pub fn label(self, value: f64) -> String {
        match self {
            Self::Score => format!("{value:.0}"),
            Self::Ratio => format!("{:.0}%", value * 100.0),
            Self::Count => format::count(value.round() as i64),
            Self::Usd => format::cost(value),
        }
    }

    /// The shorter form on an axis tick: no trailing zeros (`$0.025`, `$0.1`).
    pub fn tick(self, value: f64) -> String {
        match self {
            Self::Usd => {
                let digits = format!("{value:.4}");
                let trimmed = digits.trim_end_matches('0').trim_end_matches('.');
                format!("${trimmed}")
            }
            other => other.label(value),
        }
    }
}

/// A value axis from zero to `max`, with `TICKS` intervals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Axis {
    pub max: f64,
    pub unit: Unit,
}

impl Axis {
    pub const TICKS: usize = 4;

    /// Fixed range for bounded values: scores to 100, ratios to 1.
    pub fn bounded(unit: Unit) -> Self {
        let max = match unit {
            Unit::Ratio => 1.0,
            _ => 100.0,
        };
        Self { max, unit }
    }

    /// A range that fits the largest value, rounded up to a number that ticks read well at.
    pub fn fitting(values: impl IntoIterator<Item = f64>, unit: Unit) -> Self {
        let largest = values
            .into_iter()
            .filter(|v| v.is_finite())
            .fold(0.0_f64, f64::max);
        let max = match unit {
            // Whole numbers: a step of at least one, so no two ticks read alike.
            Unit::Count => count_step(largest / Self::TICKS as f64) * Self::TICKS as f64,
            _ => nice_ceiling(largest),
        };
        Self { max, unit }
    }

    /// Where `value` sits on the axis, 0-1, clamped.
    pub fn fraction(&self, value: f64) -> f64 {
        if self.max <= 0.0 || !value.is_finite() {
            return 0.0;
        }
        (value / self.max).clamp(0.0, 1.0)
    }

    /// The tick values from 0 to max.
    pub fn ticks(&self) -> Vec<f64> {
        (0..=Self::TICKS)
            .map(|i| self.max * i as f64 / Self::TICKS as f64)
            .collect()
    }
}

/// The smallest of 1, 2, 2.5, 5 x 10^k (k may be negative) that is at least `value`; 1 for
/// nothing to show.
fn nice_ceiling(value: f64) -> f64 {
    if value <= 0.0 {
        return 1.0;
    }
    let magnitude = 10_f64.powf(value.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|step| step * magnitude)
        .find(|candidate| *candidate >= value * (1.0 - 1e-9))
        .unwrap_or(10.0 * magnitude)
}

/// The smallest whole tick step of 1, 2, 2.5, 3, 4, 5, 6, 8 x 10^k at least `value`; 1 for
/// nothing to show.
fn count_step(value: f64) -> f64 {
    if value <= 1.0 || !value.is_finite() {
        return 1.0;
    }
    let magnitude = 10_f64.powf(value.log10().floor());
    [1.0, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0]
        .into_iter()
        .map(|step| (step * magnitude).ceil())
        .find(|candidate| *candidate >= value * (1.0 - 1e-9))
        .unwrap_or(10.0 * magnitude)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fitting_axes_round_up_to_readable_maxima() {
        assert_eq!(Axis::fitting([3.0, 7.2], Unit::Count).max, 8.0);
        assert_eq!(Axis::fitting([0.013], Unit::Usd).max, 0.02);
        assert_eq!(Axis::fitting([1_800.0], Unit::Count).max, 2_000.0);
        assert_eq!(Axis::fitting([220.0], Unit::Count).max, 240.0);
        assert_eq!(Axis::fitting([], Unit::Count).max, 4.0);
        assert_eq!(Axis::fitting([f64::NAN, 4.0], Unit::Count).max, 4.0);
        assert_eq!(Axis::fitting([0.5], Unit::Score).max, 0.5);
    }

    #[test]
    fn count_ticks_are_distinct_whole_numbers() {
        for largest in [
            0.0, 1.0, 2.0, 3.0, 5.0, 7.0, 10.0, 99.0, 1_234.0, 56_789.0, 3e6,
        ] {
            let axis = Axis::fitting([largest], Unit::Count);
            let labels: Vec<String> = axis.ticks().iter().map(|t| axis.unit.tick(*t)).collect();
            let mut distinct = labels.clone();
            distinct.dedup();
            assert_eq!(distinct, labels, "ticks for {largest}: {labels:?}");
            assert!(axis.max >= largest, "{largest}: {}", axis.max);
            assert!(axis.ticks().iter().all(|t| t.fract() == 0.0), "{labels:?}");
        }
        // Every run used 0 tokens: 0, 1, 2, 3, 4, never "1, 1, 1, 0, 0".
        let zero = Axis::fitting([0.0, 0.0], Unit::Count);
        let labels: Vec<String> = zero.ticks().iter().map(|t| zero.unit.tick(*t)).collect();
        assert_eq!(labels, ["0", "1", "2", "3", "4"]);
    }

    #[test]
    fn fractions_are_clamped() {
        let axis = Axis::bounded(Unit::Score);
        assert_eq!(axis.fraction(50.0), 0.5);
        assert_eq!(axis.fraction(150.0), 1.0);
        assert_eq!(axis.fraction(-3.0), 0.0);
        assert_eq!(axis.ticks(), vec![0.0, 25.0, 50.0, 75.0, 100.0]);
    }

    #[test]
    fn units_read_as_people_expect() {
        assert_eq!(Unit::Ratio.label(0.5), "50%");
        assert_eq!(Unit::Score.label(72.4), "72");
        assert_eq!(Unit::Usd.label(0.25), "$0.2500");
        assert_eq!(Unit::Usd.tick(0.25), "$0.25");
        assert_eq!(Unit::Usd.tick(0.0), "$0");
        assert_eq!(Unit::Usd.tick(20.0), "$20");
    }
}
