//! The page templates (minijinja, embedded in the binary from `templates/dashboard/`), rendered
//! with HTML auto-escaping: everything from the store reaches the page as text, never as markup.

use std::sync::OnceLock;

use axum::response::Html;
use minijinja::Environment;
use serde::Serialize;

/// Every template, by the name pages render it under. The `.html` suffix turns auto-escaping on.
const TEMPLATES: [(&str, &str); 11] = [
    (
        "base.html",
        include_str!("../../templates/dashboard/base.html"),
    ),
    (
        "macros.html",
        include_str!("../../templates/dashboard/macros.html"),
    ),
    (
        "overview.html",
        include_str!("../../templates/dashboard/overview.html"),
    ),
    (
        "first_run.html",
        include_str!("../../templates/dashboard/first_run.html"),
    ),
    (
        "timeline.html",
        include_str!("../../templates/dashboard/timeline.html"),
    ),
    (
        "analytics.html",
        include_str!("../../templates/dashboard/analytics.html"),
    ),
    (
        "repositories.html",
        include_str!("../../templates/dashboard/repositories.html"),
    ),
    (
        "repository.html",
        include_str!("../../templates/dashboard/repository.html"),
    ),
    (
        "run.html",
        include_str!("../../templates/dashboard/run.html"),
    ),
    (
        "status.html",
        include_str!("../../templates/dashboard/status.html"),
    ),
    (
        "spend.html",
        include_str!("../../templates/dashboard/spend.html"),
    ),
];

/// The stylesheet, served at `/assets/style.css`.
pub const STYLE: &str = include_str!("../../templates/dashboard/style.css");

fn environment() -> &'static Environment<'static> {
    static ENVIRONMENT: OnceLock<Environment<'static>> = OnceLock::new();
    ENVIRONMENT.get_or_init(|| {
        let mut env = Environment::new();
        for (name, source) in TEMPLATES {
            // A template that does not parse is caught by the tests; here it is logged and the
            // pages that need it answer 500 instead of the process refusing to start.
            if let Err(error) = env.add_template(name, source) {
                tracing::error!("failed to parse the dashboard template {name}: {error:#}");
            }
        }
        env
    })
}

/// Renders template `name` with `context`.
pub fn render(name: &str, context: impl Serialize) -> Result<Html<String>, minijinja::Error> {
    environment().get_template(name)?.render(context).map(Html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses() {
        let mut env = Environment::new();
        for (name, source) in TEMPLATES {
            env.add_template(name, source)
                .unwrap_or_else(|e| panic!("{name}: {e:#}"));
        }
    }

    #[test]
    fn values_are_escaped() {
        let html = render(
            "status.html",
            minijinja::context! {
                page => crate::dashboard::layout::PageMeta::bare("<title>"),
                status => 404,
                heading => "<script>alert(1)</script>",
                message => "a & b",
            },
        )
        .unwrap();
        assert!(html
            .0
            .contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"));
        assert!(!html.0.contains("<script>alert"));
    }
}
