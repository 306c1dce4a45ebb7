//! Open documents, `file:` URIs and the conversion between byte offsets and
//! LSP positions (lines and UTF-16 code units).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use lsp_types::{Position, Range, Uri};

/// The text of every open buffer, by URI.
#[derive(Debug, Default)]
pub struct Documents {
    open: BTreeMap<String, String>,
}

impl Documents {
    pub fn open(&mut self, uri: &Uri, text: String) {
        self.open.insert(uri.as_str().to_string(), text);
    }

    pub fn close(&mut self, uri: &Uri) {
        self.open.remove(uri.as_str());
    }

    #[must_use]
    pub fn get(&self, uri: &Uri) -> Option<&str> {
        self.open.get(uri.as_str()).map(String::as_str)
    }

    /// The open buffer of a path, if any.
    #[must_use]
    pub fn by_path(&self, path: &Path) -> Option<&str> {
        self.open
            .iter()
            .find(|(u, _)| uri_path(u).as_deref() == Some(path))
            .map(|(_, t)| t.as_str())
    }

    /// Paths of every open buffer under `dir`.
    pub fn paths_under<'a>(&'a self, dir: &'a Path) -> impl Iterator<Item = PathBuf> + 'a {
        self.open
            .keys()
            .filter_map(|u| uri_path(u))
            .filter(move |p| p.starts_with(dir))
    }
}

/// The path of a `file:` URI (percent escapes decoded).
#[must_use]
pub fn uri_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = rest
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).ok().map(PathBuf::from)
}

/// The `file:` URI of an absolute path.
#[must_use]
pub fn path_uri(path: &Path) -> Option<Uri> {
    let mut s = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            s.push(char::from(b));
        } else {
            let _ = write!(s, "%{b:02X}");
        }
    }
    s.parse().ok()
}

/// The LSP position of a byte offset.
#[must_use]
pub fn position(text: &str, offset: usize) -> Position {
    let offset = crate::source::floor_char_boundary(text, offset);
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let character: usize = text[start..offset].chars().map(char::len_utf16).sum();
    Position::new(line as u32, character as u32)
}

/// The byte offset of an LSP position (clamped to the line and the text).
#[must_use]
pub fn offset(text: &str, pos: Position) -> usize {
    let mut start = 0;
    for _ in 0..pos.line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let mut units = 0usize;
    for (i, c) in text[start..].char_indices() {
        if c == '\n' || units >= pos.character as usize {
            return start + i;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// The LSP range of a byte range.
#[must_use]
pub fn range(text: &str, r: std::ops::Range<usize>) -> Range {
    Range::new(position(text, r.start), position(text, r.end))
}

/// The word (letters, digits, `_`) around a byte offset, and where it is.
#[must_use]
pub fn word_at(text: &str, offset: usize) -> Option<(&str, std::ops::Range<usize>)> {
    let offset = crate::source::floor_char_boundary(text, offset);
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let start = text[..offset]
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_word(c))
        .last()
        .map_or(offset, |(i, _)| i);
    let end = text[offset..]
        .char_indices()
        .find(|&(_, c)| !is_word(c))
        .map_or(text.len(), |(i, _)| offset + i);
    (start < end).then(|| (&text[start..end], start..end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units() {
        let t = "a\n😀b = 1\n";
        assert_eq!(position(t, 6), Position::new(1, 2));
        assert_eq!(offset(t, Position::new(1, 2)), 6);
        assert_eq!(offset(t, Position::new(9, 0)), t.len());
        assert_eq!(offset(t, Position::new(0, 40)), 1);
    }

    #[test]
    fn uris_round_trip() {
        let p = Path::new("/tmp/a b/ü.aml");
        let u = path_uri(p).unwrap();
        assert_eq!(uri_path(u.as_str()).as_deref(), Some(p));
    }
}
