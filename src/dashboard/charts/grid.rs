//! The plot area of the charts with a value axis (line and columns): margins, grid lines, tick
//! labels, and the slots along the bottom that each datum occupies.

use super::scale::Axis;
use super::svg::{px, text, Canvas, WIDTH};

pub const HEIGHT: f64 = 240.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 24.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 34.0;

/// Maps data to coordinates for `count` evenly spaced slots on `axis`.
pub struct Grid {
    pub axis: Axis,
    count: usize,
}

impl Grid {
    pub fn new(axis: Axis, count: usize) -> Self {
        Self {
            axis,
            count: count.max(1),
        }
    }

    pub fn plot_width(&self) -> f64 {
        WIDTH - LEFT - RIGHT
    }

    pub fn slot_width(&self) -> f64 {
        self.plot_width() / self.count as f64
    }

    /// The horizontal centre of slot `index`.
    pub fn x(&self, index: usize) -> f64 {
        px(LEFT + self.slot_width() * (index as f64 + 0.5))
    }

    pub fn y(&self, value: f64) -> f64 {
        px(self.baseline() - self.axis.fraction(value) * (self.baseline() - TOP))
    }

    pub fn baseline(&self) -> f64 {
        HEIGHT - BOTTOM
    }

    /// Horizontal grid lines with their value labels.
    pub fn draw_axis(&self, canvas: &mut Canvas) {
        for tick in self.axis.ticks() {
            let y = self.y(tick);
            canvas.push(format_args!(
                r#"<line class="chart-grid" x1="{LEFT}" x2="{x2}" y1="{y}" y2="{y}"/><text class="chart-tick" x="{lx}" y="{ty}" text-anchor="end">{label}</text>"#,
                x2 = WIDTH - RIGHT,
                lx = LEFT - 8.0,
                ty = px(y + 4.0),
                label = text(&self.axis.unit.tick(tick)),
            ));
        }
    }

    /// Labels under the slots: all of them when they fit, else an evenly spread few (always the
    /// first and the last) so they never overlap.
    pub fn draw_labels(&self, canvas: &mut Canvas, labels: &[&str]) {
        const FITTING: usize = 8;
        let shown: Vec<usize> = if labels.len() <= FITTING {
            (0..labels.len()).collect()
        } else {
            let last = labels.len() - 1;
            let mut picked: Vec<usize> =
                (0..FITTING - 1).map(|i| i * last / (FITTING - 1)).collect();
            picked.push(last);
            picked.dedup();
            picked
        };
        for index in shown {
            canvas.push(format_args!(
                r#"<text class="chart-label" x="{x}" y="{y}" text-anchor="middle">{label}</text>"#,
                x = self.x(index),
                y = HEIGHT - 12.0,
                label = text(labels[index]),
            ));
        }
    }
}
