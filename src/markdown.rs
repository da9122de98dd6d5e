//! Markdown from the question bank to safe HTML: raw HTML in the source is shown as text, and
//! the output passes a tight allow-list.

use pulldown_cmark::{html, Event, Options, Parser};
use std::collections::HashSet;
use std::sync::OnceLock;

fn sanitizer() -> &'static ammonia::Builder<'static> {
    static B: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    B.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.add_tags(["span", "table", "thead", "tbody", "tr", "th", "td"]);
        b.add_tag_attributes("code", ["class"]);
        b.add_tag_attributes("span", ["class"]);
        b.link_rel(Some("noopener noreferrer"));
        b.url_schemes(HashSet::from(["https", "http", "mailto"]));
        b
    })
}

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// Block Markdown (stems, explanations, scenario tabs).
pub fn to_html(src: &str) -> String {
    let events = Parser::new_ext(src, options()).map(|ev| match ev {
        // Raw HTML in a bank file is shown as text, never interpreted.
        Event::Html(s) | Event::InlineHtml(s) => Event::Text(s),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    sanitizer().clean(&out).to_string()
}

/// Inline Markdown (option text): the same, without the wrapping paragraph.
pub fn inline_html(src: &str) -> String {
    let html = to_html(src);
    let t = html.trim();
    if t.starts_with("<p>") && t.ends_with("</p>") && t.matches("<p>").count() == 1 {
        t[3..t.len() - 4].to_string()
    } else {
        t.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_escaped() {
        let out = to_html("Hello <script>alert(1)</script> **world**");
        assert!(!out.contains("<script>"), "{out}");
        assert!(out.contains("&lt;script&gt;"), "{out}");
        assert!(out.contains("<strong>world</strong>"));
    }

    #[test]
    fn javascript_links_are_removed() {
        let out = to_html("[x](javascript:alert(1))");
        assert!(!out.contains("javascript:"), "{out}");
    }

    #[test]
    fn code_keeps_language_class() {
        let out = to_html("```python\nx = 1\n```");
        assert!(out.contains("language-python"), "{out}");
    }

    #[test]
    fn inline_drops_paragraph() {
        assert_eq!(inline_html("use `command`"), "use <code>command</code>");
    }
}
