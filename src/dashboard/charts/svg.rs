//! The SVG document every chart shares: its frame, escaping, and the data it plots.

use std::fmt::Write;

use minijinja::HtmlEscape;

/// The drawing area every chart uses; the SVG scales to its container through `viewBox`.
pub const WIDTH: f64 = 480.0;

/// One plotted value: its axis label, the value, and the hover text (`<title>`).
#[derive(Debug, Clone, PartialEq)]
pub struct Datum {
    pub label: String,
    pub value: f64,
    pub hint: String,
}

impl Datum {
    pub fn new(label: impl Into<String>, value: f64, hint: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            value,
            hint: hint.into(),
        }
    }
}

/// Finished SVG markup. Every piece of text in it went through [`text`], so it is safe to put
/// into a page unescaped.
#[derive(Debug, Clone, PartialEq)]
pub struct Svg(String);

impl Svg {
    #[cfg(test)]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The markup as a template value that the template engine does not escape again.
    pub fn into_value(self) -> minijinja::Value {
        minijinja::Value::from_safe_string(self.0)
    }
}

/// Text (labels, titles: possibly from the store) escaped for SVG content and attributes.
pub fn text(raw: &str) -> String {
    HtmlEscape(raw).to_string()
}

/// Rounds a coordinate to a tenth: enough for the eye, and keeps the markup small.
pub fn px(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// Builds one chart: `<svg>` with an accessible name, the body, `</svg>`.
pub struct Canvas {
    markup: String,
}

impl Canvas {
    pub fn new(title: &str, height: f64, class: &str) -> Self {
        let mut markup = String::with_capacity(4096);
        let _ = write!(
            markup,
            r#"<svg class="chart {class}" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{title}" xmlns="http://www.w3.org/2000/svg"><title>{title}</title>"#,
            class = text(class),
            height = px(height),
            title = text(title),
        );
        Self { markup }
    }

    pub fn push(&mut self, fragment: std::fmt::Arguments<'_>) {
        let _ = self.markup.write_fmt(fragment);
    }

    /// The message shown in place of a chart that has nothing to plot.
    pub fn empty(title: &str, message: &str) -> Svg {
        let mut canvas = Self::new(title, 80.0, "chart-empty");
        canvas.push(format_args!(
            r#"<text class="chart-note" x="{x}" y="45" text-anchor="middle">{message}</text>"#,
            x = WIDTH / 2.0,
            message = text(message),
        ));
        canvas.finish()
    }

    pub fn finish(mut self) -> Svg {
        self.markup.push_str("</svg>");
        Svg(self.markup)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_and_messages_are_escaped() {
        let svg = Canvas::empty("<b>t</b>", "a & <script>");
        assert!(
            svg.as_str().contains("&lt;b&gt;t&lt;&#x2f;b&gt;"),
            "{}",
            svg.as_str()
        );
        assert!(svg.as_str().contains("a &amp; &lt;script&gt;"));
        assert!(!svg.as_str().contains("<script>"));
    }
}
