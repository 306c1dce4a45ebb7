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
        assert_eq!(distance("dsf", "dfs"), 1);
        assert_eq!(closest("dsf", ["blob", "dfs", "file"]), Some("dfs"));
    }
}
