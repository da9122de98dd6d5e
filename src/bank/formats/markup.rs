//! Markdown ↔ (X)HTML for the formats that carry HTML: QTI item bodies are XHTML, and Moodle
//! XML text is often HTML. Writing renders the bank's Markdown with the same options as
//! `crate::markdown` (raw HTML in the source becomes text); reading turns HTML back into the
//! Markdown that renders to it (paragraphs, emphasis, code, lists, links, headings, quotes,
//! tables, images), with a hook that lets the caller replace interaction elements.

use ego_tree::NodeRef;
use pulldown_cmark::{html, Event, Options, Parser};
use scraper::node::Element;
use scraper::{Html, Node};

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// Block Markdown as XHTML (void elements self-closed, raw HTML shown as text).
pub fn md_to_xhtml(md: &str) -> String {
    let events = Parser::new_ext(md, options()).map(|ev| match ev {
        Event::Html(s) | Event::InlineHtml(s) => Event::Text(s),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    // pulldown-cmark writes only XML-safe entities; drop characters XML 1.0 cannot hold.
    out.chars()
        .filter(|&c| c == '\n' || c == '\t' || c == '\r' || (c as u32) >= 0x20)
        .collect()
}

/// Inline Markdown (an option's text) as XHTML without the paragraph around it.
pub fn md_inline_to_xhtml(md: &str) -> String {
    let html = md_to_xhtml(md);
    let trimmed = html.trim_end();
    match trimmed
        .strip_prefix("<p>")
        .and_then(|s| s.strip_suffix("</p>"))
    {
        Some(inner) if !inner.contains("<p>") => inner.to_string(),
        _ => trimmed.to_string(),
    }
}

/// What the caller wants done with an element.
pub enum Hook {
    /// Convert it as HTML.
    Normal,
    /// Leave it (and its content) out.
    Skip,
    /// Put this Markdown in its place.
    Text(String),
}

/// No special elements.
pub fn plain(_: &Element) -> Hook {
    Hook::Normal
}

/// HTML (a fragment) as Markdown.
pub fn html_to_md(html: &str, hook: &dyn Fn(&Element) -> Hook) -> String {
    let doc = Html::parse_fragment(html);
    let conv = Conv { hook };
    let blocks = conv.blocks(*doc.root_element(), 0);
    blocks.join("\n\n").trim().to_string()
}

const MAX_DEPTH: usize = 60;

struct Conv<'h> {
    hook: &'h dyn Fn(&Element) -> Hook,
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "pre"
            | "ul"
            | "ol"
            | "li"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "blockquote"
            | "table"
            | "hr"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "figure"
            | "dl"
            | "dt"
            | "dd"
            | "html"
            | "body"
    )
}

impl Conv<'_> {
    fn blocks(&self, parent: NodeRef<'_, Node>, depth: usize) -> Vec<String> {
        let mut out = Vec::new();
        let mut inline = String::new();
        if depth > MAX_DEPTH {
            return out;
        }
        for child in parent.children() {
            match child.value() {
                Node::Text(t) => inline.push_str(&escape_text(&collapse(t))),
                Node::Element(e) => match (self.hook)(e) {
                    Hook::Skip => {}
                    Hook::Text(s) => inline.push_str(&s),
                    Hook::Normal if is_block(e.name()) => {
                        flush(&mut inline, &mut out);
                        out.extend(self.block(child, e, depth + 1));
                    }
                    Hook::Normal => inline.push_str(&self.inline(child, e, depth + 1)),
                },
                _ => {}
            }
        }
        flush(&mut inline, &mut out);
        out
    }

    fn inline_children(&self, node: NodeRef<'_, Node>, depth: usize) -> String {
        let mut s = String::new();
        if depth > MAX_DEPTH {
            return s;
        }
        for child in node.children() {
            match child.value() {
                Node::Text(t) => s.push_str(&escape_text(&collapse(t))),
                Node::Element(e) => match (self.hook)(e) {
                    Hook::Skip => {}
                    Hook::Text(t) => s.push_str(&t),
                    Hook::Normal if is_block(e.name()) => {
                        let inner = self.block(child, e, depth + 1).join(" ");
                        if !s.is_empty() && !s.ends_with(' ') {
                            s.push(' ');
                        }
                        s.push_str(&inner);
                    }
                    Hook::Normal => s.push_str(&self.inline(child, e, depth + 1)),
                },
                _ => {}
            }
        }
        s
    }

    /// Text as written (code), with hooked elements replaced.
    fn raw_text(&self, node: NodeRef<'_, Node>, depth: usize, out: &mut String) {
        if depth > MAX_DEPTH {
            return;
        }
        for child in node.children() {
            match child.value() {
                Node::Text(t) => out.push_str(t),
                Node::Element(e) => match (self.hook)(e) {
                    Hook::Skip => {}
                    Hook::Text(t) => out.push_str(&t),
                    Hook::Normal if e.name() == "br" => out.push('\n'),
                    Hook::Normal => self.raw_text(child, depth + 1, out),
                },
                _ => {}
            }
        }
    }

    fn inline(&self, node: NodeRef<'_, Node>, e: &Element, depth: usize) -> String {
        let wrap = |mark: &str, inner: String| {
            let t = inner.trim();
            if t.is_empty() {
                inner
            } else {
                format!("{mark}{t}{mark}")
            }
        };
        match e.name() {
            "strong" | "b" => wrap("**", self.inline_children(node, depth)),
            "em" | "i" => wrap("*", self.inline_children(node, depth)),
            "del" | "s" | "strike" => wrap("~~", self.inline_children(node, depth)),
            "code" | "tt" | "kbd" | "samp" => {
                let mut raw = String::new();
                self.raw_text(node, depth, &mut raw);
                code_span(&raw.replace('\n', " "))
            }
            "br" => "\\\n".to_string(),
            "a" => {
                let inner = self.inline_children(node, depth);
                match e.attr("href") {
                    Some(href) if !href.trim().is_empty() => {
                        format!("[{}]({})", inner.trim(), link_target(href.trim()))
                    }
                    _ => inner,
                }
            }
            "img" => {
                let alt = escape_text(e.attr("alt").unwrap_or(""));
                match e.attr("src") {
                    Some(src) => format!("![{alt}]({})", link_target(src)),
                    None => alt,
                }
            }
            "script" | "style" | "head" | "title" => String::new(),
            _ => self.inline_children(node, depth),
        }
    }

    fn block(&self, node: NodeRef<'_, Node>, e: &Element, depth: usize) -> Vec<String> {
        let name = e.name();
        match name {
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                let level = name[1..].parse::<usize>().unwrap_or(1);
                let text = self.inline_children(node, depth).trim().replace('\n', " ");
                vec![format!("{} {}", "#".repeat(level), text)]
            }
            "pre" => {
                let mut raw = String::new();
                self.raw_text(node, depth, &mut raw);
                let lang = node
                    .descendants()
                    .find_map(|n| match n.value() {
                        Node::Element(c) if c.name() == "code" => c
                            .attr("class")
                            .and_then(|cl| {
                                cl.split_whitespace()
                                    .find_map(|w| w.strip_prefix("language-"))
                            })
                            .map(str::to_string),
                        _ => None,
                    })
                    .unwrap_or_default();
                let raw = raw.strip_suffix('\n').unwrap_or(&raw);
                let fence = "`".repeat(longest_run(raw, '`').max(2) + 1);
                vec![format!("{fence}{lang}\n{raw}\n{fence}")]
            }
            "ul" | "ol" => vec![self.list(node, e, depth)],
            "blockquote" => {
                let inner = self.blocks(node, depth).join("\n\n");
                vec![inner
                    .lines()
                    .map(|l| {
                        if l.is_empty() {
                            ">".to_string()
                        } else {
                            format!("> {l}")
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("\n")]
            }
            "hr" => vec!["---".to_string()],
            "table" => self.table(node, depth).into_iter().collect(),
            _ => self.blocks(node, depth),
        }
    }

    fn list(&self, node: NodeRef<'_, Node>, e: &Element, depth: usize) -> String {
        let ordered = e.name() == "ol";
        let mut n: u64 = e.attr("start").and_then(|s| s.parse().ok()).unwrap_or(1);
        let mut items = Vec::new();
        for child in node.children() {
            let Node::Element(li) = child.value() else {
                continue;
            };
            if li.name() != "li" {
                continue;
            }
            let marker = if ordered {
                let m = format!("{n}. ");
                n += 1;
                m
            } else {
                "- ".to_string()
            };
            let pad = " ".repeat(marker.len());
            // A tight list (no paragraphs in its items) keeps its nested lists tight.
            let loose = child
                .children()
                .any(|c| matches!(c.value(), Node::Element(p) if p.name() == "p"));
            let body = self
                .blocks(child, depth + 1)
                .join(if loose { "\n\n" } else { "\n" });
            let mut lines = body.lines();
            let mut item = format!("{marker}{}", lines.next().unwrap_or(""));
            for l in lines {
                item.push('\n');
                if !l.is_empty() {
                    item.push_str(&pad);
                    item.push_str(l);
                }
            }
            items.push(item);
        }
        items.join("\n")
    }

    fn table(&self, node: NodeRef<'_, Node>, depth: usize) -> Option<String> {
        let mut rows: Vec<(Vec<String>, Vec<&'static str>)> = Vec::new();
        for tr in node.descendants() {
            let Node::Element(el) = tr.value() else {
                continue;
            };
            if el.name() != "tr" {
                continue;
            }
            let mut cells = Vec::new();
            let mut aligns = Vec::new();
            for cell in tr.children() {
                let Node::Element(c) = cell.value() else {
                    continue;
                };
                if c.name() != "td" && c.name() != "th" {
                    continue;
                }
                let text = self
                    .inline_children(cell, depth + 1)
                    .replace('\n', " ")
                    .replace('|', "\\|");
                cells.push(text.trim().to_string());
                let style = c.attr("style").unwrap_or("").replace(' ', "");
                let align = c.attr("align").unwrap_or("");
                aligns.push(
                    if style.contains("text-align:center") || align == "center" {
                        ":---:"
                    } else if style.contains("text-align:right") || align == "right" {
                        "---:"
                    } else if style.contains("text-align:left") || align == "left" {
                        ":---"
                    } else {
                        "---"
                    },
                );
            }
            rows.push((cells, aligns));
        }
        let width = rows.iter().map(|r| r.0.len()).max()?;
        if width == 0 {
            return None;
        }
        let line = |cells: &[String]| {
            let mut padded: Vec<String> = cells.to_vec();
            padded.resize(width, String::new());
            format!("| {} |", padded.join(" | "))
        };
        let mut out = Vec::new();
        let (head, aligns) = rows.first()?;
        out.push(line(head));
        let mut a: Vec<&str> = aligns.clone();
        a.resize(width, "---");
        out.push(format!("| {} |", a.join(" | ")));
        for (cells, _) in rows.iter().skip(1) {
            out.push(line(cells));
        }
        Some(out.join("\n"))
    }
}

fn flush(inline: &mut String, out: &mut Vec<String>) {
    let text = inline
        .split('\n')
        .map(|l| {
            l.split(' ')
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n");
    let text = text.trim();
    if !text.is_empty() {
        out.push(escape_line_starts(text));
    }
    inline.clear();
}

/// HTML white space: runs become one space.
fn collapse(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    let mut space = false;
    for c in t.chars() {
        if c.is_whitespace() && c != '\u{a0}' {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    out
}

/// Escapes what Markdown would read as markup in running text.
fn escape_text(t: &str) -> String {
    let chars: Vec<char> = t.chars().collect();
    let mut out = String::with_capacity(t.len());
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
        let next = chars.get(i + 1).copied();
        match c {
            '\\' | '`' | '*' | '[' | ']' | '<' | '~' | '|' => {
                out.push('\\');
                out.push(c);
            }
            '_' if !(prev.is_some_and(char::is_alphanumeric)
                && next.is_some_and(char::is_alphanumeric)) =>
            {
                out.push_str("\\_");
            }
            '&' if next.is_some_and(|n| n.is_ascii_alphanumeric() || n == '#') => {
                out.push_str("\\&");
            }
            c => out.push(c),
        }
    }
    out
}

/// A line that would start a heading, list, quote or rule is escaped.
fn escape_line_starts(text: &str) -> String {
    text.lines()
        .map(|l| {
            let first = l.chars().next();
            let digits: String = l.chars().take_while(char::is_ascii_digit).collect();
            let after = l.chars().nth(digits.len());
            if matches!(first, Some('#' | '-' | '+' | '>' | '=')) {
                format!("\\{l}")
            } else if !digits.is_empty() && matches!(after, Some('.' | ')')) {
                format!("{digits}\\{}", &l[digits.len()..])
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn longest_run(s: &str, ch: char) -> usize {
    let (mut best, mut cur) = (0, 0);
    for c in s.chars() {
        if c == ch {
            cur += 1;
            best = best.max(cur);
        } else {
            cur = 0;
        }
    }
    best
}

fn code_span(raw: &str) -> String {
    if raw.is_empty() {
        return String::new();
    }
    let ticks = "`".repeat(longest_run(raw, '`') + 1);
    let pad = raw.starts_with('`')
        || raw.ends_with('`')
        || (raw.starts_with(' ') && raw.ends_with(' ') && raw.trim() != "");
    if pad {
        format!("{ticks} {raw} {ticks}")
    } else {
        format!("{ticks}{raw}{ticks}")
    }
}

fn link_target(url: &str) -> String {
    if url.contains([' ', '(', ')', '<', '>']) {
        format!("<{}>", url.replace('<', "%3C").replace('>', "%3E"))
    } else {
        url.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same_rendering(md: &str) {
        let back = html_to_md(&md_to_xhtml(md), &plain);
        let norm = |s: &str| {
            crate::markdown::to_html(s)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(norm(md), norm(&back), "markdown:\n{md}\nback:\n{back}");
    }

    #[test]
    fn markdown_survives_a_trip_through_html() {
        same_rendering("A *team* needs **two** things: `az ml job create` and [docs](https://learn.microsoft.com/x).");
        same_rendering("Steps:\n\n1. First\n2. Second with `code`\n\n- a\n- b\n  - nested");
        same_rendering("```python\nfor i in range(3):\n    print(i)  # [[1]]\n```\n\nAfter.");
        same_rendering("| Store | Sales |\n| :--- | ---: |\n| A | 10 |\n| B \\| C | 20 |");
        same_rendering("> quoted\n> text\n\n## Heading\n\nsnake_case and 3 * 4 and <tag> & co &amp; 1. not a list");
        same_rendering("line one  \nline two\\\nline three ~~gone~~ ![alt](https://x/y.png)");
    }

    #[test]
    fn hooks_replace_interactions() {
        let html = "<p>Pick <x-gap id=\"1\">ignored</x-gap> now</p><choiceinteraction>no</choiceinteraction>";
        let md = html_to_md(html, &|e: &Element| match e.name() {
            "x-gap" => Hook::Text("[[1]]".into()),
            "choiceinteraction" => Hook::Skip,
            _ => Hook::Normal,
        });
        assert_eq!(md, "Pick [[1]] now");
    }

    #[test]
    fn inline_options_lose_their_paragraph() {
        assert_eq!(md_inline_to_xhtml("Use `x`"), "Use <code>x</code>");
    }
}
