//! Source files and the byte-offset to line/column mapping.
//!
//! Spans everywhere else are byte offsets; line and column are computed only
//! here, when a diagnostic is rendered.

pub use crate::span::FileId;
use crate::span::Span;

/// U+FEFF, which some editors write at the start of a UTF-8 file.
pub const BOM: char = '\u{feff}';

/// One posture file: its display name, text and line starts.
#[derive(Debug)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// A leading byte order mark is dropped: it is not text, and kept it
    /// would count as a column on line 1. Spans are offsets into the text
    /// after it.
    #[must_use]
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let mut text = text.into();
        if text.starts_with(BOM) {
            text.drain(..BOM.len_utf8());
        }
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self {
            name: name.into(),
            text,
            line_starts,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    #[must_use]
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let col = self.text[start..floor_char_boundary(&self.text, offset)]
            .chars()
            .count();
        (line + 1, col + 1)
    }
}

/// The largest char boundary at or below `offset`.
#[must_use]
pub fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// All files of one compilation.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId(self.files.len() as u32 - 1)
    }

    #[must_use]
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// Where a span starts, as `file:line:column`.
    #[must_use]
    pub fn place(&self, span: Span) -> String {
        let f = self.get(span.file);
        let (line, col) = f.line_col(span.start as usize);
        format!("{}:{line}:{col}", f.name)
    }

    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let f = SourceFile::new("a", "ab\nçd\n");
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        assert_eq!(f.line_col(5), (2, 2));
        assert_eq!(f.line_col(100), (3, 1));
    }

    #[test]
    fn a_byte_order_mark_is_no_column() {
        let f = SourceFile::new("a", "\u{feff}ab = \"x\"\ncd");
        assert_eq!(f.text, "ab = \"x\"\ncd");
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(5), (1, 6));
        assert_eq!(f.line_col(9), (2, 1));
    }
}
