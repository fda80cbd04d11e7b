//! Horizontal bars with their labels on the left and values on the right: for categories, whose
//! names need the room.

use super::scale::Axis;
use super::svg::{px, text, Canvas, Datum, Svg, WIDTH};

const ROW: f64 = 34.0;
const LABEL_WIDTH: f64 = 140.0;
const VALUE_WIDTH: f64 = 52.0;

pub fn bars(title: &str, data: &[Datum], axis: Axis) -> Svg {
    if data.is_empty() {
        return Canvas::empty(title, "Nothing to plot yet");
    }
    let height = ROW * data.len() as f64 + 8.0;
    let mut canvas = Canvas::new(title, height, "chart-bars");
    let track = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
    for (i, datum) in data.iter().enumerate() {
        let top = 4.0 + ROW * i as f64;
        let length = px(track * axis.fraction(datum.value));
        canvas.push(format_args!(
            r#"<text class="chart-label" x="{lx}" y="{ty}" text-anchor="end">{label}</text><rect class="chart-track" x="{LABEL_WIDTH}" y="{by}" width="{track}" height="18" rx="4"/><rect class="chart-bar" x="{LABEL_WIDTH}" y="{by}" width="{length}" height="18" rx="4"><title>{hint}</title></rect><text class="chart-value" x="{vx}" y="{ty}">{value}</text>"#,
            lx = LABEL_WIDTH - 10.0,
            ty = px(top + 18.0),
            by = px(top + 4.0),
            vx = LABEL_WIDTH + track + 8.0,
            label = text(&datum.label),
            hint = text(&datum.hint),
            value = text(&axis.unit.label(datum.value)),
        ));
    }
    canvas.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dashboard::charts::Unit;

    #[test]
    fn bars_are_as_long_as_their_share_of_the_axis() {
        let data = [
            Datum::new("style", 8.0, "8 findings"),
            Datum::new("security <x>", 4.0, "4 findings"),
        ];
        let svg = bars("Findings", &data, Axis::fitting([8.0, 4.0], Unit::Count));
        let markup = svg.as_str();
        // The track is 480 - 140 - 52 = 288 wide.
        assert!(markup.contains(r#"width="288""#), "{markup}");
        assert!(markup.contains(r#"width="144""#), "{markup}");
        assert!(markup.contains("security &lt;x&gt;"));
    }
}
