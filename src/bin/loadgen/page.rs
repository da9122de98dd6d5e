//! The least a candidate's browser needs from a question page, found by plain string search
//! (no HTML parser): the revision, whether there is a next question, and a valid answer built
//! from the form's own controls — the first choice of every radio group, one box of a
//! "choose N", and a different action per step of a build list.

/// What the generator read from an item page.
#[derive(Debug, PartialEq, Eq)]
pub struct ItemForm {
    pub revision: i64,
    pub has_next: bool,
    /// `name=value&…` answering every part of the question.
    pub answer: String,
}

/// The value of attribute `name` inside one tag's text.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = tag[start..].find('"')?;
    Some(&tag[start..start + end])
}

fn push(out: &mut String, name: &str, value: &str) {
    if !out.is_empty() {
        out.push('&');
    }
    out.extend(form_urlencoded::byte_serialize(name.as_bytes()));
    out.push('=');
    out.extend(form_urlencoded::byte_serialize(value.as_bytes()));
}

/// Reads the question form of an item page; `None` when the page holds none.
pub fn item_form(page: &str) -> Option<ItemForm> {
    let start = page.find("id=\"item-form\"")?;
    let form = &page[start..start + page[start..].find("</form>")?];
    let revision = attr(&form[form.find("name=\"revision\"")? - 1..], "value")?
        .parse()
        .ok()?;
    let mut answer = String::new();
    let mut answered: Vec<&str> = Vec::new();
    // Radio groups and check boxes.
    let mut rest = form;
    while let Some(i) = rest.find("<input ") {
        let tag = &rest[i..i + rest[i..].find('>').unwrap_or(rest.len() - i)];
        rest = &rest[i + 7..];
        let (Some(kind), Some(name), Some(value)) =
            (attr(tag, "type"), attr(tag, "name"), attr(tag, "value"))
        else {
            continue;
        };
        let answer_control = matches!(kind, "radio" | "checkbox")
            && !matches!(name, "flagged" | "ruled_out" | "revision");
        if answer_control && !answered.contains(&name) {
            push(&mut answer, name, value);
            answered.push(name);
        }
    }
    // Drop-downs: build-list steps each take a different action.
    let mut used: Vec<String> = Vec::new();
    let mut rest = form;
    while let Some(i) = rest.find("<select ") {
        let block = &rest[i..i + rest[i..].find("</select>")?];
        rest = &rest[i + 8..];
        let Some(name) = attr(block, "name") else {
            continue;
        };
        let build_list = name.starts_with("pos");
        let mut options = block.split("<option ").skip(1);
        let pick = options.find_map(|o| {
            let v = attr(&format!(" {o}"), "value").map(str::to_string)?;
            (!(v.is_empty() || build_list && used.contains(&v))).then_some(v)
        });
        if let Some(v) = pick {
            push(&mut answer, name, &v);
            if build_list {
                used.push(v);
            }
        }
    }
    if answer.is_empty() {
        return None;
    }
    Some(ItemForm {
        revision,
        has_next: form.contains("name=\"nav\" value=\"next\""),
        answer,
    })
}

/// The number after `"revision":` in a save's JSON reply.
pub fn json_revision(body: &str) -> Option<i64> {
    let i = body.find("\"revision\":")? + 11;
    let digits: String = body[i..]
        .chars()
        .skip_while(|c| *c == ' ')
        .take_while(|c| c.is_ascii_digit() || *c == '-')
        .collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_choice_takes_the_first_option_and_skips_rule_out_and_flag() {
        let page = r#"<form method="post" action="/attempts/x/items/1" class="item-form" id="item-form" data-kind="single">
  <input type="hidden" name="revision" value="3" id="revision">
  <li><label class="choice"><input type="radio" name="choice" value="c" aria-describedby="instruction"></label>
  <label class="rule-out"><input type="checkbox" name="ruled_out" value="c"></label></li>
  <li><label class="choice"><input type="radio" name="choice" value="a"></label></li>
  <label class="flag"><input type="checkbox" name="flagged" value="on" id="flagged"> Mark</label>
  <button type="submit" name="nav" value="next" class="button">Next</button>
</form>"#;
        let f = item_form(page).unwrap();
        assert_eq!(
            f,
            ItemForm {
                revision: 3,
                has_next: true,
                answer: "choice=c".into()
            }
        );
    }

    #[test]
    fn build_list_steps_take_different_actions_and_grids_answer_every_row() {
        let page = r#"<form id="item-form">
  <input type="hidden" name="revision" value="0" id="revision">
  <select id="pos1" name="pos1" data-position><option value="">Choose…</option><option value="b" >B</option><option value="a" >A</option></select>
  <select id="pos2" name="pos2" data-position><option value="">Choose…</option><option value="b" >B</option><option value="a" >A</option></select>
  <input type="radio" name="s1" value="yes" id="s1-yes"><input type="radio" name="s1" value="no">
  <input type="radio" name="s2" value="yes" id="s2-yes">
  <select class="slot" name="slot1" id="slot1"><option value="">[1]</option><option value="x">X</option></select>
  <button type="submit" name="nav" value="review">Review</button>
</form>"#;
        let f = item_form(page).unwrap();
        assert_eq!(f.answer, "s1=yes&s2=yes&pos1=b&pos2=a&slot1=x");
        assert!(!f.has_next);
    }

    #[test]
    fn a_page_without_a_question_form_gives_nothing() {
        assert_eq!(item_form("<main>Review</main>"), None);
        assert_eq!(
            json_revision(r#"{"saved":true,"revision":12,"remaining_seconds":5}"#),
            Some(12)
        );
    }
}
