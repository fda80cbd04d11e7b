//! Charts drawn on the server as inline SVG: no JavaScript, styled by the page's CSS.

mod bars;
mod columns;
mod grid;
mod line;
mod scale;
mod svg;

pub use bars::bars;
pub use columns::columns;
pub use line::line;
pub use scale::{Axis, Unit};
pub use svg::{Datum, Svg};

/// The message shown in place of a chart whose values are all zero (`no tokens used`).
pub fn nothing(title: &str, message: &str) -> Svg {
    svg::Canvas::empty(title, message)
}
