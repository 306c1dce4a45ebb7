//! The layout of a written posture, as the examples have it: two spaces
//! per level, the `=` of a block's settings aligned, one blank line
//! between blocks, `#` comments on their own lines, and every string
//! escaped for the posture language ([`crate::escape::posture_string`]).

use std::fmt::Write;

use crate::escape::posture_string;

/// A posture being written.
#[derive(Default)]
pub struct Out {
    text: String,
    depth: usize,
}

/// One entry of a block: a setting (aligned with its neighbours) or a
/// line written as it is (a statement, a nested block's text).
pub enum Entry {
    Setting(String, String),
    Line(String),
    Comment(String),
    /// A nested block: head and entries.
    Block(String, Vec<Entry>),
    Blank,
}

/// A string value.
#[must_use]
pub fn q(s: &str) -> String {
    posture_string(s)
}

/// A list of strings, on one line.
#[must_use]
pub fn list(items: &[String]) -> String {
    let inner: Vec<String> = items.iter().map(|s| q(s)).collect();
    format!("[{}]", inner.join(", "))
}

/// A list of bare words.
#[must_use]
pub fn words(items: &[&str]) -> String {
    format!("[{}]", items.join(", "))
}

impl Out {
    /// A comment line (each line of `text` its own `#` line).
    pub fn comment(&mut self, text: &str) {
        for line in text.lines() {
            self.indent();
            let line = line.replace('\r', " ");
            if line.is_empty() {
                self.text.push_str("#\n");
            } else {
                self.text.push_str("# ");
                self.text.push_str(&line);
                self.text.push('\n');
            }
        }
    }

    pub fn blank(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with("\n\n") && !self.text.ends_with("{\n") {
            self.text.push('\n');
        }
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.text.push_str("  ");
        }
    }

    /// A block: `head {`, its entries, `}`. An empty block is one line.
    pub fn block(&mut self, head: &str, entries: &[Entry]) {
        self.indent();
        if entries.is_empty() {
            self.text.push_str(head);
            self.text.push_str(" {}\n");
            return;
        }
        self.text.push_str(head);
        self.text.push_str(" {\n");
        self.depth += 1;
        self.entries(entries);
        self.depth -= 1;
        // A blank line never ends a block.
        while self.text.ends_with("\n\n") {
            self.text.pop();
        }
        self.indent();
        self.text.push_str("}\n");
    }

    fn entries(&mut self, entries: &[Entry]) {
        // Settings next to each other align their `=`.
        let mut i = 0;
        while i < entries.len() {
            match &entries[i] {
                Entry::Setting(..) => {
                    let run: Vec<&Entry> = entries[i..]
                        .iter()
                        .take_while(|e| matches!(e, Entry::Setting(..)))
                        .collect();
                    let width = run
                        .iter()
                        .map(|e| match e {
                            Entry::Setting(k, _) => k.len(),
                            _ => 0,
                        })
                        .max()
                        .unwrap_or(0);
                    for e in &run {
                        if let Entry::Setting(k, v) = e {
                            self.indent();
                            let _ = writeln!(self.text, "{k:width$} = {v}");
                        }
                    }
                    i += run.len();
                    continue;
                }
                Entry::Line(l) => {
                    self.indent();
                    self.text.push_str(l);
                    self.text.push('\n');
                }
                Entry::Comment(c) => self.comment(c),
                Entry::Block(head, inner) => {
                    self.blank_before_block();
                    self.block(head, inner);
                    if entries.get(i + 1).is_some() {
                        self.text.push('\n');
                    }
                }
                Entry::Blank => self.blank(),
            }
            i += 1;
        }
    }

    fn blank_before_block(&mut self) {
        if !self.text.ends_with("{\n") && !self.text.ends_with("\n\n") {
            self.text.push('\n');
        }
    }

    #[must_use]
    pub fn finish(mut self) -> String {
        while self.text.ends_with("\n\n") {
            self.text.pop();
        }
        self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_align_settings_and_separate_blocks() {
        let mut o = Out::default();
        o.block(
            "workspace \"w\"",
            &[
                Entry::Setting("region".into(), q("westeurope")),
                Entry::Setting("resource_group".into(), q("rg")),
                Entry::Block(
                    "storage".into(),
                    vec![Entry::Setting("trusted_services".into(), "true".into())],
                ),
                Entry::Block("key_vault".into(), vec![]),
            ],
        );
        assert_eq!(
            o.finish(),
            "workspace \"w\" {\n  region         = \"westeurope\"\n  resource_group = \"rg\"\n\n  storage {\n    trusted_services = true\n  }\n\n  key_vault {}\n}\n"
        );
    }
}
