//! Markdown from untrusted text (PR bodies, task rationales) as safe HTML: pulldown-cmark with
//! raw HTML shown as text, images shown as their alt text, and links kept only when they are
//! absolute http(s) URLs (others become their text). No sanitiser is needed afterwards because
//! nothing but pulldown-cmark's own escaped output reaches the page.

use pulldown_cmark::{html, Event, Options, Parser, Tag, TagEnd};

use super::format;

/// `markdown` as HTML that runs nothing and links only to http(s).
pub(crate) fn to_html(markdown: &str) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    // Whether each open link was kept, so its end is kept or dropped alike.
    let mut links: Vec<bool> = Vec::new();
    let events = Parser::new_ext(markdown, options).filter_map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => match format::safe_link(&dest_url) {
            Some(_) => {
                links.push(true);
                Some(Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }))
            }
            None => {
                links.push(false);
                None
            }
        },
        Event::End(TagEnd::Link) => links.pop().unwrap_or(false).then_some(event),
        // An image is its alt text: no request leaves the reader's browser for it.
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
        other => Some(other),
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events);
    // Every `<a href` is pulldown-cmark's own (text `<` is escaped), so this reaches only links.
    out.replace("<a href=", "<a rel=\"nofollow noopener noreferrer\" href=")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_code_and_emphasis_render() {
        let html = to_html("Why:\n\n- one `x.unwrap()`\n- **two**\n");
        assert!(
            html.contains("<li>one <code>x.unwrap()</code></li>"),
            "{html}"
        );
        assert!(html.contains("<strong>two</strong>"), "{html}");
    }

    #[test]
    fn raw_html_scripts_and_unsafe_links_are_inert() {
        let html = to_html(
            "<script>alert(1)</script>\n\nhi <img src=x onerror=alert(2)> \
             [bad](javascript:alert(3)) [ok](https://example.com/a?b=1) ![pic](https://t.example/p.png) \
             [rel](/local) <b onclick=x>bold</b>",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("<b "), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(
            html.contains(
                r#"<a rel="nofollow noopener noreferrer" href="https://example.com/a?b=1">ok</a>"#
            ),
            "{html}"
        );
        assert!(html.contains("bad"), "the link text stays: {html}");
        assert!(html.contains("pic"), "an image is its alt text: {html}");
        assert!(!html.contains("href=\"/local\""), "{html}");
        assert_eq!(html.matches("<a ").count(), 1, "{html}");
    }
}
