//! Case-insensitive string comparison as Azure Policy makes it. Microsoft's
//! "Azure Policy definition structure policy rule" (Conditions) says every
//! condition on a string value but `match`/`notMatch` is case-insensitive,
//! and that string ordering uses .NET's `InvariantCultureIgnoreCase`, under
//! which `Straße` equals `STRASSE` and the ligature `ﬃ` equals `ffi`.
//!
//! This evaluator stands in with Unicode full case folding (the Unicode
//! Standard's caseless match: `toCasefold(X) = toCasefold(Y)`): each
//! character's lowercase mapping, except the 125 characters whose full
//! case folding differs from it (`ß` → `ss`, `ﬃ` → `ffi`, `ς` → `σ`, Greek
//! letters with a subscript iota, ...), which fold as `FOLDS` says. The
//! table is the difference between Unicode 14's `CaseFolding.txt` (statuses
//! C and F) and the lowercase mapping, each folding lowercased again so that
//! both sides of a comparison land on one form. It is not .NET's collation
//! (which also ignores some accents' forms): it decides equal only what
//! case folding makes equal.

/// Characters whose full case folding is not their lowercase mapping, by
/// code point: (character, folded text).
const FOLDS: &[(char, &str)] = &[
    ('\u{B5}', "\u{3BC}"),
    ('\u{DF}', "ss"),
    ('\u{149}', "\u{2BC}n"),
    ('\u{17F}', "s"),
    ('\u{1F0}', "j\u{30C}"),
    ('\u{345}', "\u{3B9}"),
    ('\u{390}', "\u{3B9}\u{308}\u{301}"),
    ('\u{3B0}', "\u{3C5}\u{308}\u{301}"),
    ('\u{3C2}', "\u{3C3}"),
    ('\u{3D0}', "\u{3B2}"),
    ('\u{3D1}', "\u{3B8}"),
    ('\u{3D5}', "\u{3C6}"),
    ('\u{3D6}', "\u{3C0}"),
    ('\u{3F0}', "\u{3BA}"),
    ('\u{3F1}', "\u{3C1}"),
    ('\u{3F5}', "\u{3B5}"),
    ('\u{587}', "\u{565}\u{582}"),
    ('\u{1C80}', "\u{432}"),
    ('\u{1C81}', "\u{434}"),
    ('\u{1C82}', "\u{43E}"),
    ('\u{1C83}', "\u{441}"),
    ('\u{1C84}', "\u{442}"),
    ('\u{1C85}', "\u{442}"),
    ('\u{1C86}', "\u{44A}"),
    ('\u{1C87}', "\u{463}"),
    ('\u{1C88}', "\u{A64B}"),
    ('\u{1E96}', "h\u{331}"),
    ('\u{1E97}', "t\u{308}"),
    ('\u{1E98}', "w\u{30A}"),
    ('\u{1E99}', "y\u{30A}"),
    ('\u{1E9A}', "a\u{2BE}"),
    ('\u{1E9B}', "\u{1E61}"),
    ('\u{1E9E}', "ss"),
    ('\u{1F50}', "\u{3C5}\u{313}"),
    ('\u{1F52}', "\u{3C5}\u{313}\u{300}"),
    ('\u{1F54}', "\u{3C5}\u{313}\u{301}"),
    ('\u{1F56}', "\u{3C5}\u{313}\u{342}"),
    ('\u{1F80}', "\u{1F00}\u{3B9}"),
    ('\u{1F81}', "\u{1F01}\u{3B9}"),
    ('\u{1F82}', "\u{1F02}\u{3B9}"),
    ('\u{1F83}', "\u{1F03}\u{3B9}"),
    ('\u{1F84}', "\u{1F04}\u{3B9}"),
    ('\u{1F85}', "\u{1F05}\u{3B9}"),
    ('\u{1F86}', "\u{1F06}\u{3B9}"),
    ('\u{1F87}', "\u{1F07}\u{3B9}"),
    ('\u{1F88}', "\u{1F00}\u{3B9}"),
    ('\u{1F89}', "\u{1F01}\u{3B9}"),
    ('\u{1F8A}', "\u{1F02}\u{3B9}"),
    ('\u{1F8B}', "\u{1F03}\u{3B9}"),
    ('\u{1F8C}', "\u{1F04}\u{3B9}"),
    ('\u{1F8D}', "\u{1F05}\u{3B9}"),
    ('\u{1F8E}', "\u{1F06}\u{3B9}"),
    ('\u{1F8F}', "\u{1F07}\u{3B9}"),
    ('\u{1F90}', "\u{1F20}\u{3B9}"),
    ('\u{1F91}', "\u{1F21}\u{3B9}"),
    ('\u{1F92}', "\u{1F22}\u{3B9}"),
    ('\u{1F93}', "\u{1F23}\u{3B9}"),
    ('\u{1F94}', "\u{1F24}\u{3B9}"),
    ('\u{1F95}', "\u{1F25}\u{3B9}"),
    ('\u{1F96}', "\u{1F26}\u{3B9}"),
    ('\u{1F97}', "\u{1F27}\u{3B9}"),
    ('\u{1F98}', "\u{1F20}\u{3B9}"),
    ('\u{1F99}', "\u{1F21}\u{3B9}"),
    ('\u{1F9A}', "\u{1F22}\u{3B9}"),
    ('\u{1F9B}', "\u{1F23}\u{3B9}"),
    ('\u{1F9C}', "\u{1F24}\u{3B9}"),
    ('\u{1F9D}', "\u{1F25}\u{3B9}"),
    ('\u{1F9E}', "\u{1F26}\u{3B9}"),
    ('\u{1F9F}', "\u{1F27}\u{3B9}"),
    ('\u{1FA0}', "\u{1F60}\u{3B9}"),
    ('\u{1FA1}', "\u{1F61}\u{3B9}"),
    ('\u{1FA2}', "\u{1F62}\u{3B9}"),
    ('\u{1FA3}', "\u{1F63}\u{3B9}"),
    ('\u{1FA4}', "\u{1F64}\u{3B9}"),
    ('\u{1FA5}', "\u{1F65}\u{3B9}"),
    ('\u{1FA6}', "\u{1F66}\u{3B9}"),
    ('\u{1FA7}', "\u{1F67}\u{3B9}"),
    ('\u{1FA8}', "\u{1F60}\u{3B9}"),
    ('\u{1FA9}', "\u{1F61}\u{3B9}"),
    ('\u{1FAA}', "\u{1F62}\u{3B9}"),
    ('\u{1FAB}', "\u{1F63}\u{3B9}"),
    ('\u{1FAC}', "\u{1F64}\u{3B9}"),
    ('\u{1FAD}', "\u{1F65}\u{3B9}"),
    ('\u{1FAE}', "\u{1F66}\u{3B9}"),
    ('\u{1FAF}', "\u{1F67}\u{3B9}"),
    ('\u{1FB2}', "\u{1F70}\u{3B9}"),
    ('\u{1FB3}', "\u{3B1}\u{3B9}"),
    ('\u{1FB4}', "\u{3AC}\u{3B9}"),
    ('\u{1FB6}', "\u{3B1}\u{342}"),
    ('\u{1FB7}', "\u{3B1}\u{342}\u{3B9}"),
    ('\u{1FBC}', "\u{3B1}\u{3B9}"),
    ('\u{1FBE}', "\u{3B9}"),
    ('\u{1FC2}', "\u{1F74}\u{3B9}"),
    ('\u{1FC3}', "\u{3B7}\u{3B9}"),
    ('\u{1FC4}', "\u{3AE}\u{3B9}"),
    ('\u{1FC6}', "\u{3B7}\u{342}"),
    ('\u{1FC7}', "\u{3B7}\u{342}\u{3B9}"),
    ('\u{1FCC}', "\u{3B7}\u{3B9}"),
    ('\u{1FD2}', "\u{3B9}\u{308}\u{300}"),
    ('\u{1FD3}', "\u{3B9}\u{308}\u{301}"),
    ('\u{1FD6}', "\u{3B9}\u{342}"),
    ('\u{1FD7}', "\u{3B9}\u{308}\u{342}"),
    ('\u{1FE2}', "\u{3C5}\u{308}\u{300}"),
    ('\u{1FE3}', "\u{3C5}\u{308}\u{301}"),
    ('\u{1FE4}', "\u{3C1}\u{313}"),
    ('\u{1FE6}', "\u{3C5}\u{342}"),
    ('\u{1FE7}', "\u{3C5}\u{308}\u{342}"),
    ('\u{1FF2}', "\u{1F7C}\u{3B9}"),
    ('\u{1FF3}', "\u{3C9}\u{3B9}"),
    ('\u{1FF4}', "\u{3CE}\u{3B9}"),
    ('\u{1FF6}', "\u{3C9}\u{342}"),
    ('\u{1FF7}', "\u{3C9}\u{342}\u{3B9}"),
    ('\u{1FFC}', "\u{3C9}\u{3B9}"),
    ('\u{FB00}', "ff"),
    ('\u{FB01}', "fi"),
    ('\u{FB02}', "fl"),
    ('\u{FB03}', "ffi"),
    ('\u{FB04}', "ffl"),
    ('\u{FB05}', "st"),
    ('\u{FB06}', "st"),
    ('\u{FB13}', "\u{574}\u{576}"),
    ('\u{FB14}', "\u{574}\u{565}"),
    ('\u{FB15}', "\u{574}\u{56B}"),
    ('\u{FB16}', "\u{57E}\u{576}"),
    ('\u{FB17}', "\u{574}\u{56D}"),
];

/// The case-folded form of a string, for comparisons that ignore case.
#[must_use]
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else if let Ok(i) = FOLDS.binary_search_by(|(k, _)| k.cmp(&c)) {
            out.push_str(FOLDS[i].1);
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_what_invariant_culture_ignores() {
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold("STRASSE"), fold("straße"));
        assert_eq!(fold("\u{1E9E}"), "ss");
        assert_eq!(fold("\u{FB03}ce"), "ffice");
        assert_eq!(fold("ΣΑΣ"), fold("σας"));
        assert_eq!(
            fold("Microsoft.Network/VirtualNetworks"),
            "microsoft.network/virtualnetworks"
        );
        assert_ne!(fold("é"), fold("e"));
    }

    #[test]
    fn the_table_is_sorted_and_changes_something() {
        assert!(FOLDS.windows(2).all(|w| w[0].0 < w[1].0));
        for (c, f) in FOLDS {
            assert_ne!(c.to_lowercase().collect::<String>(), *f, "{c}");
        }
    }
}
