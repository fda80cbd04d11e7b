//! A line chart over evenly spaced points (a trend), with the area under it shaded.

use std::fmt::Write;

use super::grid::{Grid, HEIGHT};
use super::scale::Axis;
use super::svg::{text, Canvas, Datum, Svg};

/// Draws `data` in order, left to right.
pub fn line(title: &str, data: &[Datum], axis: Axis) -> Svg {
    if data.is_empty() {
        return Canvas::empty(title, "Nothing to plot yet");
    }
    let grid = Grid::new(axis, data.len());
    let mut canvas = Canvas::new(title, HEIGHT, "chart-line");
    grid.draw_axis(&mut canvas);

    let points: Vec<(f64, f64)> = data
        .iter()
        .enumerate()
        .map(|(i, d)| (grid.x(i), grid.y(d.value)))
        .collect();
    let mut path = String::new();
    for (i, (x, y)) in points.iter().enumerate() {
        let _ = write!(path, "{}{x} {y}", if i == 0 { "M" } else { " L" });
    }
    if let (Some((first_x, _)), Some((last_x, _))) = (points.first(), points.last()) {
        canvas.push(format_args!(
            r#"<path class="chart-area" d="{path} L{last_x} {base} L{first_x} {base} Z"/>"#,
            base = grid.baseline(),
        ));
    }
    canvas.push(format_args!(r#"<path class="chart-stroke" d="{path}"/>"#));
    for ((x, y), datum) in points.iter().zip(data) {
        canvas.push(format_args!(
            r#"<circle class="chart-point" cx="{x}" cy="{y}" r="3.5"><title>{hint}</title></circle>"#,
            hint = text(&datum.hint),
        ));
    }
    let labels: Vec<&str> = data.iter().map(|d| d.label.as_str()).collect();
    grid.draw_labels(&mut canvas, &labels);
    canvas.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dashboard::charts::Unit;

    #[test]
    fn one_point_per_datum_on_the_value_axis() {
        let data = [
            Datum::new("Mon", 0.0, "zero"),
            Datum::new("Tue", 50.0, "half"),
            Datum::new("Wed", 100.0, "full"),
        ];
        let svg = line("Score", &data, Axis::bounded(Unit::Score));
        let markup = svg.as_str();
        assert_eq!(markup.matches("<circle").count(), 3);
        assert!(markup.contains("<title>half</title>"));
        // 0 sits on the baseline (206), 100 at the top margin (14), 50 halfway.
        assert!(markup.contains(r#"cy="206""#), "{markup}");
        assert!(markup.contains(r#"cy="110""#), "{markup}");
        assert!(markup.contains(r#"cy="14""#), "{markup}");
    }

    #[test]
    fn nothing_to_plot_says_so() {
        let svg = line("Score", &[], Axis::bounded(Unit::Score));
        assert!(svg.as_str().contains("Nothing to plot yet"));
    }
}
