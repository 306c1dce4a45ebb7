//! Where each JSON value of a deployed file is: a byte-range tree of the
//! objects and arrays of a JSON text `serde_json` already accepted, so a
//! resource read from it can carry the span of its own object (serde_json
//! keeps no positions). Keys are kept as written between their quotes
//! (escapes not decoded: ARM's keys have none).

/// The bytes of one JSON value and, for an object or array, of its
/// members (object members by key, array elements by index).
#[derive(Clone, Debug, Default)]
pub struct Loc {
    pub start: usize,
    pub end: usize,
    kids: Vec<(String, Loc)>,
}

/// Deepest nesting followed (serde_json refuses deeper texts first, at
/// 128 levels).
const MAX_DEPTH: usize = 160;

impl Loc {
    /// A location with no members: the whole of a text of `len` bytes.
    #[must_use]
    pub fn whole(len: usize) -> Self {
        Self {
            start: 0,
            end: len,
            kids: Vec::new(),
        }
    }

    /// The member `key` of an object.
    #[must_use]
    pub fn key(&self, key: &str) -> Option<&Loc> {
        self.kids.iter().find(|(k, _)| k == key).map(|(_, l)| l)
    }

    /// The element `i` of an array.
    #[must_use]
    pub fn at(&self, i: usize) -> Option<&Loc> {
        // An array's members all have the empty key: direct indexing keeps
        // a list of many resources linear.
        self.kids
            .get(i)
            .filter(|(k, _)| k.is_empty())
            .map(|(_, l)| l)
    }
}

/// Follows an optional location down one key.
#[must_use]
pub fn key<'a>(loc: Option<&'a Loc>, k: &str) -> Option<&'a Loc> {
    loc.and_then(|l| l.key(k))
}

/// Follows an optional location down one array element.
#[must_use]
pub fn at(loc: Option<&Loc>, i: usize) -> Option<&Loc> {
    loc.and_then(|l| l.at(i))
}

/// Locates the JSON value that starts at or after `from` (whitespace
/// skipped); `None` if the text is not JSON there.
#[must_use]
pub fn locate(text: &str, from: usize) -> Option<Loc> {
    let mut s = Scanner {
        b: text.as_bytes(),
        pos: from,
    };
    s.value(0)
}

struct Scanner<'a> {
    b: &'a [u8],
    pos: usize,
}

impl Scanner<'_> {
    fn ws(&mut self) {
        while self
            .b
            .get(self.pos)
            .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
        {
            self.pos += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Option<Loc> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.ws();
        let start = self.pos;
        let mut kids = Vec::new();
        match self.b.get(self.pos)? {
            b'{' => {
                self.pos += 1;
                loop {
                    self.ws();
                    match self.b.get(self.pos)? {
                        b'}' => break,
                        b',' => self.pos += 1,
                        b'"' => {
                            let (ks, ke) = self.string()?;
                            self.ws();
                            (self.b.get(self.pos)? == &b':').then_some(())?;
                            self.pos += 1;
                            let v = self.value(depth + 1)?;
                            let k = String::from_utf8_lossy(self.b.get(ks..ke)?).into_owned();
                            kids.push((k, v));
                        }
                        _ => return None,
                    }
                }
                self.pos += 1;
            }
            b'[' => {
                self.pos += 1;
                loop {
                    self.ws();
                    match self.b.get(self.pos)? {
                        b']' => break,
                        b',' => self.pos += 1,
                        _ => {
                            let v = self.value(depth + 1)?;
                            kids.push((String::new(), v));
                        }
                    }
                }
                self.pos += 1;
            }
            b'"' => {
                self.string()?;
            }
            _ => {
                while self.b.get(self.pos).is_some_and(|c| {
                    !matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
                }) {
                    self.pos += 1;
                }
                (self.pos > start).then_some(())?;
            }
        }
        Some(Loc {
            start,
            end: self.pos,
            kids,
        })
    }

    /// A string at `pos`; returns the range of its contents.
    fn string(&mut self) -> Option<(usize, usize)> {
        self.pos += 1;
        let start = self.pos;
        loop {
            match self.b.get(self.pos)? {
                b'\\' => self.pos += 2,
                b'"' => {
                    self.pos += 1;
                    return Some((start, self.pos - 1));
                }
                _ => self.pos += 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_members_and_elements() {
        let t = r#" {"a": [1, {"b": "x\"y"}], "c": true}"#;
        let l = locate(t, 0).unwrap();
        assert_eq!(&t[l.start..l.end], &t[1..]);
        let b = l.key("a").and_then(|a| a.at(1)).unwrap();
        assert_eq!(&t[b.start..b.end], r#"{"b": "x\"y"}"#);
        assert_eq!(
            &t[l.key("c").unwrap().start..l.key("c").unwrap().end],
            "true"
        );
        assert!(locate("[1, ", 0).is_none());
    }
}
