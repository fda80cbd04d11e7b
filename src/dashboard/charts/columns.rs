//! Vertical columns, one per datum in order (per run, per week).

use super::grid::{Grid, HEIGHT};
use super::scale::Axis;
use super::svg::{px, text, Canvas, Datum, Svg};

pub fn columns(title: &str, data: &[Datum], axis: Axis) -> Svg {
    if data.is_empty() {
        return Canvas::empty(title, "Nothing to plot yet");
    }
    let grid = Grid::new(axis, data.len());
    let mut canvas = Canvas::new(title, HEIGHT, "chart-columns");
    grid.draw_axis(&mut canvas);
    let width = px((grid.slot_width() * 0.7).max(1.0));
    for (i, datum) in data.iter().enumerate() {
        let top = grid.y(datum.value);
        canvas.push(format_args!(
            r#"<rect class="chart-bar" x="{x}" y="{top}" width="{width}" height="{height}" rx="2"><title>{hint}</title></rect>"#,
            x = px(grid.x(i) - width / 2.0),
            height = px(grid.baseline() - top),
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
    fn a_column_per_datum_with_heights_in_proportion() {
        let data = [Datum::new("a", 2.0, "two"), Datum::new("b", 4.0, "four")];
        let svg = columns("Tokens", &data, Axis::fitting([2.0, 4.0], Unit::Count));
        let markup = svg.as_str();
        assert_eq!(markup.matches("<rect").count(), 2);
        // Axis 0-4 (whole-number ticks) over 192 px: 2 -> 96 px tall, 4 -> 192 px.
        assert!(markup.contains(r#"height="96""#), "{markup}");
        assert!(markup.contains(r#"height="192""#), "{markup}");
    }

    #[test]
    fn many_columns_label_only_a_few_slots() {
        let data: Vec<Datum> = (0..40)
            .map(|i| Datum::new(format!("r{i}"), 1.0, ""))
            .collect();
        let svg = columns("Cost", &data, Axis::fitting([1.0], Unit::Usd));
        assert_eq!(svg.as_str().matches("chart-label").count(), 8);
        assert!(svg.as_str().contains(">r39<"));
    }
}
