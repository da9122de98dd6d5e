//! A small element tree over quick-xml, with the line each element starts on and the byte span
//! of its content (QTI item bodies are XHTML, read as HTML from that span). No DTD or external
//! entity is ever read; nesting deeper than [`MAX_DEPTH`] is refused rather than recursed into.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

pub const MAX_DEPTH: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Element(Element),
    Text(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// Local name (any namespace prefix dropped).
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
    pub line: usize,
    /// Byte span of the element's content in the source (empty for `<a/>`).
    pub inner: (usize, usize),
}

impl Element {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.elements().filter(move |e| e.name == name)
    }

    pub fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.name == name)
    }

    /// All text inside, concatenated.
    pub fn text(&self) -> String {
        let mut out = String::new();
        self.collect_text(&mut out);
        out
    }

    fn collect_text(&self, out: &mut String) {
        for n in &self.children {
            match n {
                Node::Text(t) => out.push_str(t),
                Node::Element(e) => e.collect_text(out),
            }
        }
    }

    /// The first element with this name at any depth (this one included), in document order.
    pub fn find(&self, name: &str) -> Option<&Element> {
        if self.name == name {
            return Some(self);
        }
        self.elements().find_map(|e| e.find(name))
    }

    /// Every element with this name at any depth, in document order.
    pub fn find_all<'a>(&'a self, name: &str, out: &mut Vec<&'a Element>) {
        if self.name == name {
            out.push(self);
        }
        for e in self.elements() {
            e.find_all(name, out);
        }
    }

    /// The source text of the element's content.
    pub fn inner_source<'s>(&self, source: &'s str) -> &'s str {
        source.get(self.inner.0..self.inner.1).unwrap_or("")
    }
}

fn local(name: &[u8]) -> String {
    let s = String::from_utf8_lossy(name);
    match s.rsplit_once(':') {
        Some((_, l)) => l.to_string(),
        None => s.into_owned(),
    }
}

fn open(e: &BytesStart<'_>, line: usize, start: usize) -> Result<Element, String> {
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|e| format!("bad attribute: {e}"))?;
        let value = a
            .unescape_value()
            .map_err(|e| format!("bad attribute value: {e}"))?;
        attrs.push((local(a.key.as_ref()), value.into_owned()));
    }
    Ok(Element {
        name: local(e.name().as_ref()),
        attrs,
        children: vec![],
        line,
        inner: (start, start),
    })
}

/// Parses a whole document into its root element, or says what is wrong and on which line.
pub fn parse(text: &str) -> Result<Element, (usize, String)> {
    // Newline offsets, so each event's line is a binary search rather than a scan of the text.
    let newlines: Vec<usize> = text
        .bytes()
        .enumerate()
        .filter(|(_, b)| *b == b'\n')
        .map(|(i, _)| i)
        .collect();
    let line_of = |_: &str, offset: usize| newlines.partition_point(|&p| p < offset) + 1;
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(false);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let before = reader.buffer_position() as usize;
        let event = reader.read_event();
        let after = reader.buffer_position() as usize;
        let line = line_of(text, before);
        match event {
            Ok(Event::Start(e)) => {
                if stack.len() >= MAX_DEPTH {
                    return Err((
                        line,
                        format!("elements nest deeper than {MAX_DEPTH} levels"),
                    ));
                }
                if root.is_some() && stack.is_empty() {
                    return Err((line, "content after the document's root element".into()));
                }
                stack.push(open(&e, line, after).map_err(|m| (line, m))?);
            }
            Ok(Event::Empty(e)) => {
                let el = open(&e, line, after).map_err(|m| (line, m))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::Element(el)),
                    None if root.is_none() => root = Some(el),
                    None => return Err((line, "content after the document's root element".into())),
                }
            }
            Ok(Event::End(_)) => {
                let Some(mut el) = stack.pop() else {
                    return Err((line, "a closing tag without its opening tag".into()));
                };
                el.inner.1 = before;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::Element(el)),
                    None => root = Some(el),
                }
            }
            Ok(Event::Text(t)) => {
                let s = t.unescape().map_err(|e| (line, format!("bad text: {e}")))?;
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(Node::Text(s.into_owned()));
                } else if !s.trim().is_empty() {
                    return Err((line, "text outside the document's root element".into()));
                }
            }
            Ok(Event::CData(c)) => {
                let s = String::from_utf8_lossy(&c.into_inner()).into_owned();
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(Node::Text(s));
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                let at = line_of(text, reader.error_position() as usize);
                return Err((at, format!("not well-formed XML: {e}")));
            }
        }
    }
    if let Some(open) = stack.last() {
        return Err((
            open.line,
            format!("element <{}> opened here is never closed", open.name),
        ));
    }
    root.ok_or((1, "the file holds no XML element".to_string()))
}

/// Text escaped for XML content and attribute values; characters XML 1.0 cannot hold are left
/// out.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_elements_lines_and_spans() {
        let src = "<?xml version=\"1.0\"?>\n<quiz>\n  <q a=\"1&amp;2\"><t>x &lt; y</t><![CDATA[<b>]]></q>\n</quiz>";
        let root = parse(src).unwrap();
        assert_eq!(root.name, "quiz");
        let q = root.child("q").unwrap();
        assert_eq!(q.line, 3);
        assert_eq!(q.attr("a"), Some("1&2"));
        assert_eq!(q.text(), "x < y<b>");
        assert_eq!(q.inner_source(src), "<t>x &lt; y</t><![CDATA[<b>]]>");
    }

    #[test]
    fn malformed_documents_are_errors_with_lines() {
        assert!(parse("").is_err());
        assert!(parse("<a>\n<b>\n</a>").unwrap_err().0 >= 2);
        assert_eq!(parse("<a>\n<b>").unwrap_err().0, 2);
        let deep = "<a>".repeat(500);
        assert!(parse(&deep).unwrap_err().1.contains("deeper"));
        assert!(parse("<a/><b/>").is_err());
        assert!(parse("<a>&bogus;</a>").is_err());
    }
}
