//! A line diff between two texts (longest common subsequence), for comparing two versions of a
//! question written out in the bank format.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Same,
    Removed,
    Added,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub change: Change,
    pub text: String,
}

/// The lines of `old` and `new` in order, each marked kept, removed or added. Texts are a few
/// hundred lines at most, so the quadratic table is cheap.
pub fn diff(old: &str, new: &str) -> Vec<Line> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let (n, m) = (a.len(), b.len());
    // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut out = Vec::with_capacity(n.max(m));
    let (mut i, mut j) = (0, 0);
    let line = |change, text: &str| Line {
        change,
        text: text.to_string(),
    };
    while i < n && j < m {
        if a[i] == b[j] {
            out.push(line(Change::Same, a[i]));
            i += 1;
            j += 1;
        } else if lcs[i + 1][j] >= lcs[i][j + 1] {
            out.push(line(Change::Removed, a[i]));
            i += 1;
        } else {
            out.push(line(Change::Added, b[j]));
            j += 1;
        }
    }
    out.extend(a[i..].iter().map(|t| line(Change::Removed, t)));
    out.extend(b[j..].iter().map(|t| line(Change::Added, t)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_changed_key_shows_as_one_removed_and_one_added_line() {
        let d = diff(
            "## Key\nB\n\n## Explanation\nx",
            "## Key\nC\n\n## Explanation\nx",
        );
        let changed: Vec<_> = d.iter().filter(|l| l.change != Change::Same).collect();
        assert_eq!(changed.len(), 2);
        assert_eq!(
            (changed[0].change, changed[0].text.as_str()),
            (Change::Removed, "B")
        );
        assert_eq!(
            (changed[1].change, changed[1].text.as_str()),
            (Change::Added, "C")
        );
    }

    proptest! {
        /// Kept and removed lines spell the old text, kept and added lines the new one.
        #[test]
        fn both_texts_can_be_read_back(a in prop::collection::vec("[abc]{0,2}", 0..12),
                                       b in prop::collection::vec("[abc]{0,2}", 0..12)) {
            let (old, new) = (a.join("\n"), b.join("\n"));
            let d = diff(&old, &new);
            let back = |keep: Change| d.iter().filter(|l| l.change == Change::Same || l.change == keep)
                .map(|l| l.text.as_str()).collect::<Vec<_>>().join("\n");
            prop_assert_eq!(back(Change::Removed), old.lines().collect::<Vec<_>>().join("\n"));
            prop_assert_eq!(back(Change::Added), new.lines().collect::<Vec<_>>().join("\n"));
        }
    }
}
