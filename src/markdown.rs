//! Markdown from the question bank to safe HTML: raw HTML in the source is shown as text, and
//! the output passes a tight allow-list.

use pulldown_cmark::{html, CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};
use std::collections::HashSet;
use std::sync::OnceLock;

fn sanitizer() -> &'static ammonia::Builder<'static> {
    static B: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    B.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.add_tags(["span", "table", "thead", "tbody", "tr", "th", "td"]);
        b.add_tag_attributes("code", ["class"]);
        // Only `code_block` writes these: raw HTML in the source never reaches the sanitizer.
        b.add_tag_attributes("pre", ["tabindex", "role", "aria-label"]);
        b.add_tag_attributes("span", ["class"]);
        b.link_rel(Some("noopener noreferrer"));
        b.url_schemes(HashSet::from(["https", "http", "mailto"]));
        b
    })
}

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// Block Markdown (stems, explanations, scenario tabs). Fenced code in a language the
/// highlighter knows comes out with `hl-*` spans; drop-down placeholders (`[[n]]`) stay intact
/// as plain text wherever they are, for `web::item_view` to replace after rendering. Every code
/// block is a named, focusable region, so a keyboard can scroll one that is wider than the page.
///
/// Bank text is immutable (an edit makes a new question version), so the result is cached in
/// the process: parsing and sanitising ran on every item page before, the largest part of its
/// CPU.
pub fn to_html(src: &str) -> String {
    static RENDERED: OnceLock<crate::cache::Bounded<String, String>> = OnceLock::new();
    let cache = RENDERED.get_or_init(|| crate::cache::Bounded::new(16_384));
    if let Some(html) = cache.get(src) {
        return html.as_ref().clone();
    }
    let html = render(src);
    // Long texts (an author's preview of a huge paste) are not worth holding.
    if src.len() <= 64 * 1024 {
        cache.insert(src.to_string(), html.clone());
    }
    html
}

fn render(src: &str) -> String {
    let mut events: Vec<Event> = Vec::new();
    // The info string (empty for indented code) and text of the code block being read.
    let mut code: Option<(String, String)> = None;
    for ev in Parser::new_ext(src, options()) {
        match ev {
            Event::Start(Tag::CodeBlock(kind)) => {
                let info = match kind {
                    CodeBlockKind::Fenced(lang) => lang.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((info, String::new()));
            }
            Event::Text(ref t) if code.is_some() => {
                if let Some((_, text)) = code.as_mut() {
                    text.push_str(t);
                }
            }
            Event::End(TagEnd::CodeBlock) if code.is_some() => {
                let (info, text) = code.take().unwrap_or_default();
                events.push(Event::Html(CowStr::from(code_block(&info, &text))));
            }
            // Raw HTML in a bank file is shown as text, never interpreted.
            Event::Html(s) | Event::InlineHtml(s) => events.push(Event::Text(s)),
            other => events.push(other),
        }
    }
    let mut out = String::new();
    html::push_html(&mut out, events.into_iter());
    sanitizer().clean(&out).to_string()
}

/// A code block: highlighted when its language is one we know, and a focusable region named
/// after the language (axe's `scrollable-region-focusable`: a block wider than its box must be
/// reachable by keyboard to be scrolled).
fn code_block(info: &str, text: &str) -> String {
    let first = info.split_whitespace().next().unwrap_or("");
    let name = match highlight::language(first) {
        Some(highlight::Lang::Python) => "Python code",
        Some(highlight::Lang::Yaml) => "YAML code",
        Some(highlight::Lang::Bash) => "Shell code",
        Some(highlight::Lang::Json) => "JSON code",
        None => "Code",
    };
    let body = highlight::highlight(first, text).unwrap_or_else(|| escape(text));
    let class = escape_attr(first);
    let class = if class.is_empty() {
        String::new()
    } else {
        format!(" class=\"language-{class}\"")
    };
    format!(
        "<pre tabindex=\"0\" role=\"region\" aria-label=\"{name}\"><code{class}>{body}</code></pre>\n"
    )
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

fn escape_attr(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// A small syntax highlighter for the languages question banks use in code blocks: Python, YAML,
/// Bash and JSON. It colours keywords, strings, comments, numbers and keys (YAML and JSON keys,
/// Bash flags and variables, Python keyword arguments) and never splits a drop-down placeholder
/// `[[n]]`, which is always emitted as bare text outside any span.
pub mod highlight {
    use super::escape;

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Lang {
        Python,
        Yaml,
        Bash,
        Json,
    }

    /// The language named by a fence's info string, if it is one we highlight.
    pub fn language(info: &str) -> Option<Lang> {
        match info
            .split_whitespace()
            .next()?
            .to_ascii_lowercase()
            .as_str()
        {
            "python" | "py" | "python3" => Some(Lang::Python),
            "yaml" | "yml" => Some(Lang::Yaml),
            "bash" | "sh" | "shell" | "console" | "azurecli" => Some(Lang::Bash),
            "json" | "jsonc" => Some(Lang::Json),
            _ => None,
        }
    }

    const PY_KEYWORDS: &[&str] = &[
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class",
        "continue", "def", "del", "elif", "else", "except", "finally", "for", "from", "global",
        "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return",
        "try", "while", "with", "yield",
    ];
    const BASH_KEYWORDS: &[&str] = &[
        "if", "then", "else", "elif", "fi", "for", "in", "do", "done", "while", "until", "case",
        "esac", "function", "export", "local", "return", "set", "unset", "source",
    ];
    const YAML_WORDS: &[&str] = &["true", "false", "null", "yes", "no", "on", "off", "~"];
    const JSON_WORDS: &[&str] = &["true", "false", "null"];

    struct Out {
        html: String,
    }

    impl Out {
        fn span(&mut self, class: &str, text: &str) {
            if text.is_empty() {
                return;
            }
            // A placeholder inside a token (say, a string) is cut out of the span.
            let mut rest = text;
            while let Some((before, n, after)) = split_placeholder(rest) {
                if !before.is_empty() {
                    self.open_close(class, before);
                }
                self.html.push_str(&format!("[[{n}]]"));
                rest = after;
            }
            if !rest.is_empty() {
                self.open_close(class, rest);
            }
        }
        fn open_close(&mut self, class: &str, text: &str) {
            self.html.push_str("<span class=\"hl-");
            self.html.push_str(class);
            self.html.push_str("\">");
            self.html.push_str(&escape(text));
            self.html.push_str("</span>");
        }
        fn plain(&mut self, text: &str) {
            self.html.push_str(&escape(text));
        }
    }

    /// The first `[[n]]` in `s`: text before it, n, text after it.
    fn split_placeholder(s: &str) -> Option<(&str, &str, &str)> {
        let mut from = 0;
        while let Some(i) = s[from..].find("[[").map(|i| i + from) {
            let digits = s[i + 2..]
                .bytes()
                .take_while(|b| b.is_ascii_digit())
                .count();
            if digits > 0 && s[i + 2 + digits..].starts_with("]]") {
                return Some((&s[..i], &s[i + 2..i + 2 + digits], &s[i + 4 + digits..]));
            }
            from = i + 2;
        }
        None
    }

    /// Length in bytes of a placeholder starting `s`, if one does.
    fn placeholder_len(s: &str) -> Option<usize> {
        let rest = s.strip_prefix("[[")?;
        let digits = rest.bytes().take_while(|b| b.is_ascii_digit()).count();
        (digits > 0 && rest[digits..].starts_with("]]")).then_some(digits + 4)
    }

    fn is_ident_start(c: char) -> bool {
        c.is_alphabetic() || c == '_'
    }
    fn is_ident(c: char) -> bool {
        c.is_alphanumeric() || c == '_'
    }

    /// Length of a number literal at the start of `s` (digits, one dot, exponent, underscores).
    fn number_len(s: &str) -> usize {
        let b = s.as_bytes();
        let mut i = 0;
        if b.len() > 1 && b[0] == b'0' && (b[1] == b'x' || b[1] == b'X') {
            i = 2;
            while i < b.len() && (b[i].is_ascii_hexdigit() || b[i] == b'_') {
                i += 1;
            }
            return i;
        }
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
        if i < b.len() && b[i] == b'.' && i + 1 < b.len() && b[i + 1].is_ascii_digit() {
            i += 1;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
        }
        if i > 0 && i < b.len() && (b[i] == b'e' || b[i] == b'E') {
            let mut j = i + 1;
            if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
                j += 1;
            }
            if j < b.len() && b[j].is_ascii_digit() {
                while j < b.len() && b[j].is_ascii_digit() {
                    j += 1;
                }
                i = j;
            }
        }
        i
    }

    /// Length of a quoted string starting `s` (which starts with its quote), ending at the
    /// closing quote, or at the end of the line when unterminated (or the text, for triples).
    fn string_len(s: &str, backslash_escapes: bool) -> usize {
        let q = s.as_bytes()[0];
        let triple = s.len() >= 3 && s.as_bytes()[1] == q && s.as_bytes()[2] == q;
        let b = s.as_bytes();
        let mut i = if triple { 3 } else { 1 };
        while i < b.len() {
            if backslash_escapes && b[i] == b'\\' {
                i += 2;
                continue;
            }
            if triple {
                if b[i] == q && i + 2 < b.len() && b[i + 1] == q && b[i + 2] == q {
                    return i + 3;
                }
            } else if b[i] == q {
                return i + 1;
            } else if b[i] == b'\n' {
                return i;
            }
            i += 1;
        }
        b.len()
    }

    /// The highlighted HTML of `code`, escaped; `None` for a language it does not know.
    pub fn highlight(info: &str, code: &str) -> Option<String> {
        let lang = language(info)?;
        let mut out = Out {
            html: String::with_capacity(code.len() * 2),
        };
        match lang {
            Lang::Python => python(code, &mut out),
            Lang::Yaml => {
                for line in code.split_inclusive('\n') {
                    yaml_line(line, &mut out);
                }
            }
            Lang::Bash => bash(code, &mut out),
            Lang::Json => json(code, &mut out),
        }
        Some(out.html)
    }

    /// Consumes a plain run of text up to the next interesting character, which `stop` tells.
    fn plain_run(s: &str, stop: impl Fn(char) -> bool) -> usize {
        s.char_indices()
            .skip(1)
            .find(|&(_, c)| stop(c))
            .map(|(i, _)| i)
            .unwrap_or(s.len())
    }

    fn python(code: &str, out: &mut Out) {
        let mut i = 0;
        // Parenthesis depth, to tell keyword arguments (`f(x=1)`) from assignments.
        let mut depth = 0usize;
        while i < code.len() {
            let rest = &code[i..];
            let c = rest.chars().next().unwrap_or(' ');
            if let Some(n) = placeholder_len(rest) {
                out.plain(&rest[..n]);
                i += n;
            } else if c == '#' {
                let n = rest.find('\n').unwrap_or(rest.len());
                out.span("com", &rest[..n]);
                i += n;
            } else if c == '"' || c == '\'' {
                let n = string_len(rest, true);
                out.span("str", &rest[..n]);
                i += n;
            } else if is_ident_start(c) {
                let n = rest
                    .char_indices()
                    .find(|&(_, c)| !is_ident(c))
                    .map(|(i, _)| i)
                    .unwrap_or(rest.len());
                let word = &rest[..n];
                let after = &rest[n..];
                // String prefixes: f"…", r'…', b"…", rb"…".
                if n <= 2
                    && word.chars().all(|c| "rRbBfFuU".contains(c))
                    && (after.starts_with('"') || after.starts_with('\''))
                {
                    let m = string_len(after, !word.contains(['r', 'R']));
                    out.span("str", &rest[..n + m]);
                    i += n + m;
                    continue;
                }
                if PY_KEYWORDS.contains(&word) {
                    out.span("kw", word);
                } else if depth > 0 && {
                    let t = after.trim_start_matches([' ', '\t']);
                    t.starts_with('=') && !t.starts_with("==")
                } {
                    out.span("key", word);
                } else {
                    out.plain(word);
                }
                i += n;
            } else if c.is_ascii_digit() {
                let n = number_len(rest).max(1);
                let n = n + rest[n..]
                    .chars()
                    .take_while(|c| is_ident(*c))
                    .map(char::len_utf8)
                    .sum::<usize>();
                out.span("num", &rest[..n]);
                i += n;
            } else {
                match c {
                    '(' | '[' | '{' => depth += 1,
                    ')' | ']' | '}' => depth = depth.saturating_sub(1),
                    _ => {}
                }
                let n = c.len_utf8();
                out.plain(&rest[..n]);
                i += n;
            }
        }
    }

    fn yaml_scalar_class(v: &str) -> Option<&'static str> {
        let t = v.trim();
        if t.is_empty() {
            return None;
        }
        if YAML_WORDS.contains(&t.to_ascii_lowercase().as_str()) {
            return Some("kw");
        }
        let n = number_len(t.trim_start_matches(['-', '+']));
        if n > 0 && n == t.trim_start_matches(['-', '+']).len() {
            return Some("num");
        }
        None
    }

    /// One YAML line (with its newline): comments, `key:` at the start, quoted strings, and
    /// plain values that are numbers or booleans.
    fn yaml_line(line: &str, out: &mut Out) {
        let (body, nl) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        let indent = body.len() - body.trim_start().len();
        out.plain(&body[..indent]);
        let mut rest = &body[indent..];
        if rest.starts_with('#') {
            out.span("com", rest);
            out.plain(nl);
            return;
        }
        // List item markers.
        while let Some(r) = rest.strip_prefix("- ") {
            out.plain("- ");
            rest = r;
        }
        // A key: text up to ": " or a final ":", not starting with a quote or a placeholder.
        let key_end = rest
            .find(": ")
            .or_else(|| rest.ends_with(':').then(|| rest.len() - 1));
        if let Some(k) = key_end {
            let key = &rest[..k];
            if !key.is_empty()
                && !key.contains(" #")
                && !key.starts_with(['"', '\'', '[', '{', '&', '*', '|', '>'])
            {
                out.span("key", key);
                out.plain(":");
                rest = &rest[k + 1..];
            }
        }
        yaml_value(rest, out);
        out.plain(nl);
    }

    fn yaml_value(v: &str, out: &mut Out) {
        let lead = v.len() - v.trim_start().len();
        out.plain(&v[..lead]);
        let v = &v[lead..];
        if v.is_empty() {
            return;
        }
        // A trailing comment: " #" outside quotes.
        let (value, comment) = match comment_start(v) {
            Some(c) => (&v[..c], &v[c..]),
            None => (v, ""),
        };
        if value.starts_with('"') || value.starts_with('\'') {
            let n = string_len(value, value.starts_with('"'));
            out.span("str", &value[..n]);
            out.plain(&value[n..]);
        } else if let Some(class) = yaml_scalar_class(value) {
            let t = value.trim_end();
            out.span(class, t);
            out.plain(&value[t.len()..]);
        } else {
            out.plain(value);
        }
        if !comment.is_empty() {
            out.span("com", comment);
        }
    }

    /// Where a ` #` comment starts in a line (outside quotes), for YAML and Bash.
    fn comment_start(s: &str) -> Option<usize> {
        let mut quote: Option<char> = None;
        let mut prev = ' ';
        for (i, c) in s.char_indices() {
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None if c == '"' || c == '\'' => quote = Some(c),
                None if c == '#' && (prev == ' ' || prev == '\t' || i == 0) => return Some(i),
                None => {}
            }
            prev = c;
        }
        None
    }

    fn bash(code: &str, out: &mut Out) {
        let mut i = 0;
        let mut word_start = true;
        while i < code.len() {
            let rest = &code[i..];
            let c = rest.chars().next().unwrap_or(' ');
            if let Some(n) = placeholder_len(rest) {
                out.plain(&rest[..n]);
                i += n;
                word_start = false;
            } else if c == '#' && word_start {
                let n = rest.find('\n').unwrap_or(rest.len());
                out.span("com", &rest[..n]);
                i += n;
            } else if c == '"' || c == '\'' {
                let n = string_len(rest, c == '"');
                out.span("str", &rest[..n]);
                i += n;
                word_start = false;
            } else if c == '$' {
                let n = if rest[1..].starts_with('{') {
                    rest.find('}').map(|e| e + 1).unwrap_or(1)
                } else {
                    1 + rest[1..]
                        .chars()
                        .take_while(|c| is_ident(*c))
                        .map(char::len_utf8)
                        .sum::<usize>()
                };
                out.span("key", &rest[..n]);
                i += n;
                word_start = false;
            } else if c == '-' && word_start {
                let n = rest
                    .char_indices()
                    .find(|&(_, c)| !(is_ident(c) || c == '-'))
                    .map(|(i, _)| i)
                    .unwrap_or(rest.len());
                if n > 1 {
                    out.span("key", &rest[..n]);
                } else {
                    out.plain(&rest[..n]);
                }
                i += n;
                word_start = false;
            } else if word_start && (is_ident_start(c) || c.is_ascii_digit()) {
                let n = rest
                    .char_indices()
                    .find(|&(_, c)| c.is_whitespace() || "\"';|&()<>=$[".contains(c))
                    .map(|(i, _)| i)
                    .unwrap_or(rest.len());
                let word = &rest[..n];
                if BASH_KEYWORDS.contains(&word) {
                    out.span("kw", word);
                } else if number_len(word) == word.len() {
                    out.span("num", word);
                } else {
                    out.plain(word);
                }
                i += n;
                word_start = false;
            } else {
                let n = if c.is_whitespace() || ";|&()".contains(c) {
                    word_start = true;
                    c.len_utf8()
                } else {
                    word_start = false;
                    plain_run(rest, |c| c.is_whitespace() || "\"'$;|&()[".contains(c))
                };
                out.plain(&rest[..n]);
                i += n;
            }
        }
    }

    fn json(code: &str, out: &mut Out) {
        let mut i = 0;
        while i < code.len() {
            let rest = &code[i..];
            let c = rest.chars().next().unwrap_or(' ');
            if let Some(n) = placeholder_len(rest) {
                out.plain(&rest[..n]);
                i += n;
            } else if c == '"' {
                let n = string_len(rest, true);
                let is_key = rest[n..].trim_start().starts_with(':');
                out.span(if is_key { "key" } else { "str" }, &rest[..n]);
                i += n;
            } else if rest.starts_with("//") {
                let n = rest.find('\n').unwrap_or(rest.len());
                out.span("com", &rest[..n]);
                i += n;
            } else if c.is_ascii_digit() || (c == '-' && number_len(&rest[1..]) > 0) {
                let sign = usize::from(c == '-');
                let n = sign + number_len(&rest[sign..]);
                out.span("num", &rest[..n]);
                i += n;
            } else if c.is_ascii_alphabetic() {
                let n = rest
                    .char_indices()
                    .find(|&(_, c)| !c.is_ascii_alphanumeric())
                    .map(|(i, _)| i)
                    .unwrap_or(rest.len());
                let word = &rest[..n];
                if JSON_WORDS.contains(&word) {
                    out.span("kw", word);
                } else {
                    out.plain(word);
                }
                i += n;
            } else {
                let n = c.len_utf8();
                out.plain(&rest[..n]);
                i += n;
            }
        }
    }
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
    fn every_code_block_is_a_named_focusable_region() {
        for (src, name) in [
            ("```python\nx = 1\n```", "Python code"),
            ("```yaml\na: 1\n```", "YAML code"),
            ("```text\nplain\n```", "Code"),
            ("```\nplain\n```", "Code"),
            ("Before:\n\n    indented code\n", "Code"),
        ] {
            let out = to_html(src);
            assert!(
                out.contains(&format!(
                    "<pre tabindex=\"0\" role=\"region\" aria-label=\"{name}\">"
                )),
                "{src:?}: {out}"
            );
        }
        // Written in the source, the same attributes are shown as text, not obeyed.
        let out = to_html("<pre tabindex=\"0\">x</pre>");
        assert!(!out.contains("<pre"), "{out}");
        // Inline code is not a region.
        assert!(!to_html("a `b` c").contains("region"));
    }

    /// The text a browser shows: tags dropped, the few entities we emit decoded.
    fn text_of(html: &str) -> String {
        let mut out = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' if in_tag => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    }

    fn code_of(md: &str) -> String {
        let html = to_html(md);
        let start = html.find("<code").expect("a code block");
        let body = &html[start..];
        let open_end = body.find('>').unwrap() + 1;
        let close = body.find("</code>").unwrap();
        body[open_end..close].to_string()
    }

    #[test]
    fn python_is_highlighted_and_keeps_its_text() {
        let src = "```python\nfrom azure.ai.ml import command  # SDK v2\njob = command(code=\"./src\", retries=3)\nif job is None:\n    raise ValueError('no <job>')\n```";
        let html = to_html(src);
        assert!(html.contains("<code class=\"language-python\">"), "{html}");
        assert!(html.contains("<span class=\"hl-kw\">from</span>"), "{html}");
        assert!(
            html.contains("<span class=\"hl-kw\">import</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-com\"># SDK v2</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-str\">&quot;./src&quot;</span>")
                || html.contains("<span class=\"hl-str\">\"./src\"</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-key\">code</span>"),
            "{html}"
        );
        assert!(html.contains("<span class=\"hl-num\">3</span>"), "{html}");
        assert!(html.contains("<span class=\"hl-kw\">None</span>"), "{html}");
        assert!(
            !html.contains("<job>"),
            "markup in code must stay escaped: {html}"
        );
        let code = "from azure.ai.ml import command  # SDK v2\njob = command(code=\"./src\", retries=3)\nif job is None:\n    raise ValueError('no <job>')\n";
        assert_eq!(text_of(&code_of(src)), code);
        // `job = …` is an assignment, not a keyword argument.
        assert!(
            !html.contains("<span class=\"hl-key\">job</span>"),
            "{html}"
        );
    }

    #[test]
    fn yaml_keys_values_and_comments() {
        let src = "```yaml\n# a job\n$schema: https://azuremlschemas.azureedge.net/latest/commandJob.schema.json\nname: train\nversion: \"3\"\ninputs:\n  max_depth:\n    optional: true\n    default: 12 # trees\n  - item: x\n```";
        let html = code_of(src);
        assert!(
            html.contains("<span class=\"hl-com\"># a job</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-key\">$schema</span>:"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-key\">max_depth</span>:"),
            "{html}"
        );
        assert!(html.contains("<span class=\"hl-kw\">true</span>"), "{html}");
        assert!(html.contains("<span class=\"hl-num\">12</span>"), "{html}");
        assert!(
            html.contains("<span class=\"hl-com\"># trees</span>"),
            "{html}"
        );
        assert!(
            html.contains("- <span class=\"hl-key\">item</span>:"),
            "{html}"
        );
        assert!(
            html.contains("https://azuremlschemas"),
            "a URL value is not a key: {html}"
        );
        assert!(!html.contains("<span class=\"hl-key\">https"), "{html}");
    }

    #[test]
    fn bash_flags_variables_and_strings() {
        let html = code_of("```bash\n# submit\naz ml job create --file job.yml -g \"$RG\" --set x=${VALUE}\nexport N=4\n```");
        assert!(
            html.contains("<span class=\"hl-com\"># submit</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-key\">--file</span>"),
            "{html}"
        );
        assert!(html.contains("<span class=\"hl-key\">-g</span>"), "{html}");
        assert!(html.contains("<span class=\"hl-str\">"), "{html}");
        assert!(
            html.contains("<span class=\"hl-key\">${VALUE}</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-kw\">export</span>"),
            "{html}"
        );
        assert_eq!(
            text_of(&html),
            "# submit\naz ml job create --file job.yml -g \"$RG\" --set x=${VALUE}\nexport N=4\n"
        );
    }

    #[test]
    fn json_keys_differ_from_string_values() {
        let html = code_of("```json\n{\"name\": \"churn\", \"epochs\": -12.5e3, \"ok\": true, \"tags\": null}\n```");
        assert!(
            html.contains("<span class=\"hl-key\">&quot;name&quot;</span>")
                || html.contains("<span class=\"hl-key\">\"name\"</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-str\">&quot;churn&quot;</span>")
                || html.contains("<span class=\"hl-str\">\"churn\"</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-num\">-12.5e3</span>"),
            "{html}"
        );
        assert!(html.contains("<span class=\"hl-kw\">true</span>"), "{html}");
        assert!(html.contains("<span class=\"hl-kw\">null</span>"), "{html}");
    }

    #[test]
    fn placeholders_stay_whole_and_outside_spans() {
        let cases = [
            "```python\nfrom azure.ai.ml import [[1]], Input\nreturned = ml_client.[[2]](job)\nx = \"a [[3]] b\"  # see [[4]]\n```",
            "```yaml\n$schema: https://azuremlschemas.azureedge.net/latest/[[1]].schema.json\ntype: [[2]]\n[[3]]: value\nname: \"x[[4]]\"\n```",
            "```bash\naz ml [[1]] --file adls.yml [[2]]\n[[3]] -f run.yml --stream \"[[4]]\"\n```",
            "```json\n{\"kind\": [[1]], \"name\": \"a[[2]]\", \"[[3]]\": 1, \"v\": [[4]]}\n```",
        ];
        for src in cases {
            let html = to_html(src);
            for n in 1..=4 {
                let p = format!("[[{n}]]");
                assert_eq!(html.matches(&p).count(), 1, "{p} in {html}");
                // Never inside a span: the text before it has as many opened as closed spans.
                let before = &html[..html.find(&p).unwrap()];
                assert_eq!(
                    before.matches("<span").count(),
                    before.matches("</span>").count(),
                    "{p} is inside a span: {html}"
                );
            }
        }
    }

    #[test]
    fn unknown_languages_and_plain_fences_are_left_alone() {
        let html = to_html("```\nplain <b>\n```\n\n```rust\nfn main() {}\n```");
        assert!(!html.contains("hl-"), "{html}");
        assert!(html.contains("plain &lt;b&gt;"), "{html}");
        assert!(html.contains("language-rust"), "{html}");
    }

    #[test]
    fn highlighted_markup_survives_the_sanitiser_but_source_html_does_not() {
        let html = to_html(
            "```python\nx = '<script>alert(1)</script>'\n```\n\n<span class=\"hl-kw\">raw</span>",
        );
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("hl-str"), "{html}");
        assert!(
            html.contains("&lt;span class="),
            "raw HTML in the source stays text: {html}"
        );
    }

    #[test]
    fn inline_drops_paragraph() {
        assert_eq!(inline_html("use `command`"), "use <code>command</code>");
    }
}
