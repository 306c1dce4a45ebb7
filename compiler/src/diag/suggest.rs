//! "Did you mean" suggestions by edit distance.

/// Edit distance over characters, case-insensitive, counting a swap of two
/// neighbouring characters as one edit (optimal string alignment).
#[must_use]
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let w = b.len() + 1;
    let mut m = vec![0usize; (a.len() + 1) * w];
    for (j, cell) in m.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        m[i * w] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (m[(i - 1) * w + j - 1] + cost)
                .min(m[(i - 1) * w + j] + 1)
                .min(m[i * w + j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(m[(i - 2) * w + j - 2] + 1);
            }
            m[i * w + j] = v;
        }
    }
    m[a.len() * w + b.len()]
}

/// The longest word compared by edit distance.
const MAX_COMPARED: usize = 128;

/// The candidate closest to `found`, if it is close enough to be a typo:
/// within a third of the longer length (at least 1, at most 4 edits), or one
/// that contains the other ignoring `_`/`-`.
#[must_use]
pub fn closest<'a>(found: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let norm = |s: &str| s.to_lowercase().replace(['_', '-', ' '], "");
    let found_n = norm(found);
    let mut best: Option<(usize, &'a str)> = None;
    for c in candidates {
        if c.eq_ignore_ascii_case(found) {
            continue;
        }
        let c_n = norm(c);
        let (found_len, c_len) = (found.chars().count(), c.chars().count());
        let limit = (found_len.max(c_len) / 3).clamp(1, 4);
        // The distance takes time and memory of the product of the lengths:
        // only words short enough to be typed, and close enough in length
        // to be within `limit`, are compared (two 60,000-character names
        // would need 29 GB).
        let d = if c_n == found_n {
            0
        } else if found_len.max(c_len) <= MAX_COMPARED && found_len.abs_diff(c_len) <= limit {
            distance(found, c)
        } else {
            usize::MAX
        };
        let contains = found_n.len() >= 4 && (c_n.contains(&found_n) || found_n.contains(&c_n));
        if (d <= limit || contains) && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_typos() {
        let modes = [
            "disabled",
            "allow_internet_outbound",
            "allow_only_approved_outbound",
        ];
        assert_eq!(
            closest("allow_only_aproved_outbound", modes),
            Some("allow_only_approved_outbound")
        );
        assert_eq!(closest("disabeld", modes), Some("disabled"));
        assert_eq!(closest("banana", modes), None);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("dsf", "dfs"), 1);
        assert_eq!(closest("dsf", ["blob", "dfs", "file"]), Some("dfs"));
    }

    #[test]
    fn long_words_are_not_compared() {
        let long = "a".repeat(60_000);
        let typo = format!("{long}b");
        // Contained, so still suggested, without a 60,000 x 60,000 table.
        assert_eq!(closest(&typo, [long.as_str()]), Some(long.as_str()));
        let other = "b".repeat(60_000);
        assert_eq!(closest(&typo, [other.as_str()]), None);
    }
}
