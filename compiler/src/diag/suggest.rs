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

/// Non-ASCII characters commonly mistaken for an ASCII letter or `-`, with
/// their Unicode names: the Cyrillic, Greek and Latin letters and the
/// dashes that Unicode's confusables data (Unicode Technical Standard #39,
/// "confusables.txt") maps to a single ASCII character, restricted to those
/// that look the same in common fonts. Fullwidth forms (U+FF01 to U+FF5E)
/// are handled by [`look_alike`] arithmetically.
const LOOK_ALIKES: &[(char, char, &str)] = &[
    ('\u{0131}', 'i', "LATIN SMALL LETTER DOTLESS I"),
    ('\u{01c0}', 'l', "LATIN LETTER DENTAL CLICK"),
    ('\u{0261}', 'g', "LATIN SMALL LETTER SCRIPT G"),
    ('\u{0269}', 'i', "LATIN SMALL LETTER IOTA"),
    ('\u{0391}', 'A', "GREEK CAPITAL LETTER ALPHA"),
    ('\u{0392}', 'B', "GREEK CAPITAL LETTER BETA"),
    ('\u{0395}', 'E', "GREEK CAPITAL LETTER EPSILON"),
    ('\u{0396}', 'Z', "GREEK CAPITAL LETTER ZETA"),
    ('\u{0397}', 'H', "GREEK CAPITAL LETTER ETA"),
    ('\u{0399}', 'I', "GREEK CAPITAL LETTER IOTA"),
    ('\u{039a}', 'K', "GREEK CAPITAL LETTER KAPPA"),
    ('\u{039c}', 'M', "GREEK CAPITAL LETTER MU"),
    ('\u{039d}', 'N', "GREEK CAPITAL LETTER NU"),
    ('\u{039f}', 'O', "GREEK CAPITAL LETTER OMICRON"),
    ('\u{03a1}', 'P', "GREEK CAPITAL LETTER RHO"),
    ('\u{03a4}', 'T', "GREEK CAPITAL LETTER TAU"),
    ('\u{03a5}', 'Y', "GREEK CAPITAL LETTER UPSILON"),
    ('\u{03a7}', 'X', "GREEK CAPITAL LETTER CHI"),
    ('\u{03b1}', 'a', "GREEK SMALL LETTER ALPHA"),
    ('\u{03b9}', 'i', "GREEK SMALL LETTER IOTA"),
    ('\u{03ba}', 'k', "GREEK SMALL LETTER KAPPA"),
    ('\u{03bd}', 'v', "GREEK SMALL LETTER NU"),
    ('\u{03bf}', 'o', "GREEK SMALL LETTER OMICRON"),
    ('\u{03c1}', 'p', "GREEK SMALL LETTER RHO"),
    ('\u{03c5}', 'u', "GREEK SMALL LETTER UPSILON"),
    ('\u{0405}', 'S', "CYRILLIC CAPITAL LETTER DZE"),
    (
        '\u{0406}',
        'I',
        "CYRILLIC CAPITAL LETTER BYELORUSSIAN-UKRAINIAN I",
    ),
    ('\u{0408}', 'J', "CYRILLIC CAPITAL LETTER JE"),
    ('\u{0410}', 'A', "CYRILLIC CAPITAL LETTER A"),
    ('\u{0412}', 'B', "CYRILLIC CAPITAL LETTER VE"),
    ('\u{0415}', 'E', "CYRILLIC CAPITAL LETTER IE"),
    ('\u{041a}', 'K', "CYRILLIC CAPITAL LETTER KA"),
    ('\u{041c}', 'M', "CYRILLIC CAPITAL LETTER EM"),
    ('\u{041d}', 'H', "CYRILLIC CAPITAL LETTER EN"),
    ('\u{041e}', 'O', "CYRILLIC CAPITAL LETTER O"),
    ('\u{0420}', 'P', "CYRILLIC CAPITAL LETTER ER"),
    ('\u{0421}', 'C', "CYRILLIC CAPITAL LETTER ES"),
    ('\u{0422}', 'T', "CYRILLIC CAPITAL LETTER TE"),
    ('\u{0425}', 'X', "CYRILLIC CAPITAL LETTER HA"),
    ('\u{0430}', 'a', "CYRILLIC SMALL LETTER A"),
    ('\u{0435}', 'e', "CYRILLIC SMALL LETTER IE"),
    ('\u{043e}', 'o', "CYRILLIC SMALL LETTER O"),
    ('\u{0440}', 'p', "CYRILLIC SMALL LETTER ER"),
    ('\u{0441}', 'c', "CYRILLIC SMALL LETTER ES"),
    ('\u{0443}', 'y', "CYRILLIC SMALL LETTER U"),
    ('\u{0445}', 'x', "CYRILLIC SMALL LETTER HA"),
    ('\u{0455}', 's', "CYRILLIC SMALL LETTER DZE"),
    (
        '\u{0456}',
        'i',
        "CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I",
    ),
    ('\u{0458}', 'j', "CYRILLIC SMALL LETTER JE"),
    ('\u{0475}', 'v', "CYRILLIC SMALL LETTER IZHITSA"),
    ('\u{04ae}', 'Y', "CYRILLIC CAPITAL LETTER STRAIGHT U"),
    ('\u{04bb}', 'h', "CYRILLIC SMALL LETTER SHHA"),
    ('\u{0501}', 'd', "CYRILLIC SMALL LETTER KOMI DE"),
    ('\u{051b}', 'q', "CYRILLIC SMALL LETTER QA"),
    ('\u{051d}', 'w', "CYRILLIC SMALL LETTER WE"),
    ('\u{2010}', '-', "HYPHEN"),
    ('\u{2011}', '-', "NON-BREAKING HYPHEN"),
    ('\u{2012}', '-', "FIGURE DASH"),
    ('\u{2013}', '-', "EN DASH"),
    ('\u{2014}', '-', "EM DASH"),
    ('\u{2212}', '-', "MINUS SIGN"),
    ('\u{fe63}', '-', "SMALL HYPHEN-MINUS"),
];

/// The ASCII character `c` is commonly mistaken for, if any.
#[must_use]
pub fn look_alike(c: char) -> Option<char> {
    if let Ok(i) = LOOK_ALIKES.binary_search_by(|(k, _, _)| k.cmp(&c)) {
        return Some(LOOK_ALIKES[i].1);
    }
    // Fullwidth ASCII: U+FF01 `！` to U+FF5E `～` are U+0021 to U+007E.
    let cp = u32::from(c);
    if (0xFF01..=0xFF5E).contains(&cp) {
        return char::from_u32(cp - 0xFEE0);
    }
    None
}

/// A character as a message names it: `` `о` (U+043E CYRILLIC SMALL LETTER O) ``,
/// or with its code point alone when amlgen does not know its name.
#[must_use]
pub fn describe_char(c: char) -> String {
    let cp = u32::from(c);
    let shown = if c.is_control() || c.is_whitespace() {
        String::new()
    } else {
        format!("`{c}` ")
    };
    match LOOK_ALIKES.binary_search_by(|(k, _, _)| k.cmp(&c)) {
        Ok(i) => format!("{shown}(U+{cp:04X} {})", LOOK_ALIKES[i].2),
        Err(_) if (0xFF01..=0xFF5E).contains(&cp) => {
            format!("{shown}(U+{cp:04X}, a fullwidth form)")
        }
        Err(_) => format!("{shown}(U+{cp:04X})"),
    }
}

/// Whether `text` mixes ASCII letters with look-alikes of ASCII
/// characters from another script: `rg-dеmo` with a Cyrillic `е`. Names
/// wholly in another script are not mixed.
#[must_use]
pub fn mixes_look_alikes(text: &str) -> bool {
    text.chars().any(|c| c.is_ascii_alphabetic()) && text.chars().any(|c| look_alike(c).is_some())
}

/// `text` with each look-alike replaced by the ASCII character it looks
/// like; `None` when it has none.
#[must_use]
pub fn ascii_look_alikes(text: &str) -> Option<String> {
    if !text.chars().any(|c| look_alike(c).is_some()) {
        return None;
    }
    Some(text.chars().map(|c| look_alike(c).unwrap_or(c)).collect())
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
    fn look_alikes_are_named_and_replaced() {
        assert!(LOOK_ALIKES.windows(2).all(|w| w[0].0 < w[1].0), "sorted");
        assert_eq!(look_alike('\u{043e}'), Some('o'));
        assert_eq!(look_alike('\u{ff41}'), Some('a'));
        assert_eq!(look_alike('\u{2013}'), Some('-'));
        assert_eq!(look_alike('é'), None);
        assert_eq!(
            describe_char('\u{043e}'),
            "`\u{043e}` (U+043E CYRILLIC SMALL LETTER O)"
        );
        assert_eq!(describe_char('é'), "`é` (U+00E9)");
        assert_eq!(
            ascii_look_alikes("mlw-d\u{0435}m\u{043e}").as_deref(),
            Some("mlw-demo")
        );
        assert_eq!(ascii_look_alikes("mlw-demo"), None);
        assert!(mixes_look_alikes("rg-d\u{0435}mo"));
        assert!(!mixes_look_alikes("\u{0440}\u{0433}-\u{043c}\u{043b}"));
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
