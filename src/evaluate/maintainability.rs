//! maintainability: the code metrics of the changed files at the base and at the head commit.
//!
//! `score = MI_after + clamp(2·ΔMI - 2·Δcognitive_per_function, -25, +25)`, clamped to 0-100:
//! - `MI_after`: the maintainability index of the changed files at the head, the mean weighted
//!   by source lines (100 when the change only deleted source files);
//! - `ΔMI`: the same weighted mean of each file's MI change, over files on both sides;
//! - `Δcognitive_per_function`: the change in mean cognitive complexity per function over the
//!   changed files.
//!
//! A change is judged by where it leaves the code and by the direction it moved it. The
//! complexity term is there because MI alone punishes size: splitting a tangled function into
//! two simple ones adds lines and volume, lowering MI, while it is exactly the change that makes
//! code easier to maintain. Files in languages the metrics do not cover are left out; with none
//! left the component is unavailable.

use crate::analysis::metrics::{measure_path, FileMetrics};
use crate::artifacts::{Component, Method};

use super::change::ChangedFile;
use super::score::{component, unavailable};

/// The changed files' metrics summed on each side.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Side {
    pub files: u32,
    pub source_lines: u32,
    pub cyclomatic: u32,
    pub cognitive: u32,
    pub functions: u32,
    /// Mean cognitive complexity per function; None without functions.
    pub mean_cognitive: Option<f64>,
    /// Maintainability index, mean weighted by source lines; None without files.
    pub maintainability_index: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MaintainabilityDelta {
    pub before: Side,
    pub after: Side,
    /// Source-line-weighted mean MI change over files on both sides.
    pub mi_change: f64,
}

/// The metrics of every changed file the metrics cover, before and after.
pub fn delta(files: &[ChangedFile]) -> Option<MaintainabilityDelta> {
    let mut before = SideSum::default();
    let mut after = SideSum::default();
    let mut change = WeightedMean::default();
    for file in files {
        let path = std::path::Path::new(&file.path);
        let old = file
            .before
            .as_deref()
            .and_then(|text| measure_path(path, text)?.ok());
        let new = file
            .after
            .as_deref()
            .and_then(|text| measure_path(path, text)?.ok());
        if let Some(old) = &old {
            before.add(old);
        }
        if let Some(new) = &new {
            after.add(new);
        }
        if let (Some(old), Some(new)) = (&old, &new) {
            change.add(
                new.maintainability_index - old.maintainability_index,
                new.lines.source_lines.max(1),
            );
        }
    }
    if before.side.files == 0 && after.side.files == 0 {
        return None;
    }
    Some(MaintainabilityDelta {
        before: before.finish(),
        after: after.finish(),
        mi_change: change.mean().unwrap_or(0.0),
    })
}

pub fn maintainability(files: &[ChangedFile]) -> Component {
    let Some(delta) = delta(files) else {
        return unavailable("no changed file in a language the metrics cover");
    };
    component(score(&delta), Method::Measured, evidence(&delta))
}

pub fn score(delta: &MaintainabilityDelta) -> f64 {
    let mi_after = delta.after.maintainability_index.unwrap_or(100.0);
    let cognitive_change = match (delta.before.mean_cognitive, delta.after.mean_cognitive) {
        (Some(before), Some(after)) => after - before,
        _ => 0.0,
    };
    let movement = (2.0 * delta.mi_change - 2.0 * cognitive_change).clamp(-25.0, 25.0);
    (mi_after + movement).clamp(0.0, 100.0)
}

fn evidence(delta: &MaintainabilityDelta) -> String {
    let show = |value: Option<f64>| value.map_or_else(|| "-".to_owned(), |v| format!("{v:.1}"));
    format!(
        "{} changed file(s) measured: maintainability index {} -> {} (per-file change {:+.1}), \
         cyclomatic {} -> {}, cognitive {} -> {}, mean cognitive per function {} -> {}",
        delta.before.files.max(delta.after.files),
        show(delta.before.maintainability_index),
        show(delta.after.maintainability_index),
        delta.mi_change,
        delta.before.cyclomatic,
        delta.after.cyclomatic,
        delta.before.cognitive,
        delta.after.cognitive,
        show(delta.before.mean_cognitive),
        show(delta.after.mean_cognitive),
    )
}

#[derive(Debug, Default)]
struct SideSum {
    side: Side,
    mi: WeightedMean,
    function_cognitive: u32,
}

impl SideSum {
    fn add(&mut self, metrics: &FileMetrics) {
        self.side.files += 1;
        self.side.source_lines += metrics.lines.source_lines;
        self.side.cyclomatic += metrics.cyclomatic;
        self.side.cognitive += metrics.cognitive;
        self.side.functions += u32::try_from(metrics.functions.len()).unwrap_or(u32::MAX);
        self.function_cognitive += metrics.functions.iter().map(|f| f.cognitive).sum::<u32>();
        self.mi.add(
            metrics.maintainability_index,
            metrics.lines.source_lines.max(1),
        );
    }

    fn finish(self) -> Side {
        let functions = self.side.functions;
        Side {
            maintainability_index: self.mi.mean(),
            mean_cognitive: (functions > 0)
                .then(|| f64::from(self.function_cognitive) / f64::from(functions)),
            ..self.side
        }
    }
}

#[derive(Debug, Default)]
struct WeightedMean {
    sum: f64,
    weight: f64,
}

impl WeightedMean {
    fn add(&mut self, value: f64, weight: u32) {
        self.sum += value * f64::from(weight);
        self.weight += f64::from(weight);
    }

    fn mean(&self) -> Option<f64> {
        (self.weight > 0.0).then(|| self.sum / self.weight)
    }
}
