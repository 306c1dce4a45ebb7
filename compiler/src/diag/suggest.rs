//! "Did you mean" suggestions by edit distance.

/// Levenshtein distance over characters, case-insensitive.
#[must_use]
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

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
        let d = if c_n == found_n {
            0
        } else {
            distance(found, c)
        };
        let limit = (found.chars().count().max(c.chars().count()) / 3).clamp(1, 4);
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
    }
}
