//! The encoding functions of "String functions for ARM templates":
//! `base64`, `base64ToString`, `base64ToJson`, `dataUri`,
//! `dataUriToString`, `uri`, `uriComponent`, `uriComponentToString`.
//! Strings are UTF-8; base64 is the standard alphabet with padding; a
//! malformed input is an error, never a guess. `uri` resolves as "RFC
//! 3986, section 5" specifies, as the reference says.

use std::fmt::Write as _;

use serde_json::Value;

use super::args::as_str;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * k) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Standard base64: length a multiple of 4, `=` only at the end.
fn decode(text: &str, f: &str) -> Result<Vec<u8>, String> {
    let bad = || format!("`{f}()`: \"{text}\" is not valid base64");
    let s = text.as_bytes();
    if !s.len().is_multiple_of(4) {
        return Err(bad());
    }
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    for (ci, chunk) in s.chunks(4).enumerate() {
        let last = ci + 1 == s.len() / 4;
        let pads = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if pads > 2 || (pads > 0 && !last) {
            return Err(bad());
        }
        let mut n = 0u32;
        for &c in &chunk[..4 - pads] {
            let v = ALPHABET.iter().position(|&a| a == c).ok_or_else(bad)?;
            n = n << 6 | u32::try_from(v).map_err(|_| bad())?;
        }
        n <<= 6 * pads;
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..3 - pads]);
    }
    Ok(out)
}

fn utf8(bytes: Vec<u8>, f: &str) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|_| format!("`{f}()`: the decoded bytes are not UTF-8 text"))
}

/// `base64(inputString)`.
pub(super) fn base64(v: &Value) -> Result<Value, String> {
    Ok(Value::String(encode(as_str(v, "base64")?.as_bytes())))
}

/// `base64ToString(base64Value)`.
pub(super) fn base64_to_string(v: &Value) -> Result<Value, String> {
    let f = "base64ToString";
    utf8(decode(as_str(v, f)?, f)?, f).map(Value::String)
}

/// `base64ToJson(base64Value)`.
pub(super) fn base64_to_json(v: &Value) -> Result<Value, String> {
    let f = "base64ToJson";
    let text = utf8(decode(as_str(v, f)?, f)?, f)?;
    serde_json::from_str(&text).map_err(|e| format!("`{f}()`: the decoded text is not JSON ({e})"))
}

/// `dataUri(stringToConvert)`, in the reference's form
/// `data:text/plain;charset=utf8;base64,...`.
pub(super) fn data_uri(v: &Value) -> Result<Value, String> {
    let s = as_str(v, "dataUri")?;
    Ok(Value::String(format!(
        "data:text/plain;charset=utf8;base64,{}",
        encode(s.as_bytes())
    )))
}

/// `dataUriToString(dataUriToConvert)`: `data:[type][;params][;base64],data`.
pub(super) fn data_uri_to_string(v: &Value) -> Result<Value, String> {
    let f = "dataUriToString";
    let s = as_str(v, f)?;
    let (head, data) = s
        .strip_prefix("data:")
        .and_then(|r| r.split_once(','))
        .ok_or_else(|| format!("`{f}()`: \"{s}\" is not a data URI"))?;
    let bytes = if head.to_ascii_lowercase().ends_with(";base64") {
        decode(data, f)?
    } else {
        unescape(data)
    };
    utf8(bytes, f).map(Value::String)
}

/// `uriComponent(stringToEncode)`: every byte of the UTF-8 text but the
/// unreserved characters (`A-Z a-z 0-9 - _ . ~`) as `%XX`.
pub(super) fn uri_component(v: &Value) -> Result<Value, String> {
    let s = as_str(v, "uriComponent")?;
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    Ok(Value::String(out))
}

/// Decodes `%XX` escapes (a `%` not followed by two hex digits stays).
fn unescape(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b[i], hex) {
            (b'%', Some(x)) => {
                out.push(x);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// `uriComponentToString(uriEncodedString)`.
pub(super) fn uri_component_to_string(v: &Value) -> Result<Value, String> {
    let f = "uriComponentToString";
    utf8(unescape(as_str(v, f)?), f).map(Value::String)
}

/// A URI reference split as RFC 3986 appendix B splits it.
struct Parts<'a> {
    scheme: Option<&'a str>,
    authority: Option<&'a str>,
    path: &'a str,
    query: Option<&'a str>,
    fragment: Option<&'a str>,
}

fn split(s: &str) -> Parts<'_> {
    let (rest, fragment) = match s.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (s, None),
    };
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, Some(q)),
        None => (rest, None),
    };
    let (scheme, rest) = match rest.split_once(':') {
        Some((sch, r))
            if !sch.is_empty()
                && !sch.contains('/')
                && sch.starts_with(|c: char| c.is_ascii_alphabetic()) =>
        {
            (Some(sch), r)
        }
        _ => (None, rest),
    };
    let (authority, path) = match rest.strip_prefix("//") {
        Some(r) => {
            let end = r.find('/').unwrap_or(r.len());
            (Some(&r[..end]), &r[end..])
        }
        None => (None, rest),
    };
    Parts {
        scheme,
        authority,
        path,
        query,
        fragment,
    }
}

/// RFC 3986 5.2.4.
fn remove_dot_segments(path: &str) -> String {
    let mut input = path.to_string();
    let mut out = String::new();
    while !input.is_empty() {
        if let Some(r) = input
            .strip_prefix("../")
            .or_else(|| input.strip_prefix("./"))
        {
            input = r.to_string();
        } else if input.starts_with("/./") {
            input.replace_range(..3, "/");
        } else if input == "/." {
            input = "/".into();
        } else if input.starts_with("/../") || input == "/.." {
            input = format!("/{}", &input[if input == "/.." { 3 } else { 4 }..]);
            let cut = out.rfind('/').unwrap_or(0);
            out.truncate(cut);
        } else if input == "." || input == ".." {
            input.clear();
        } else {
            let start = usize::from(input.starts_with('/'));
            let end = input[start..].find('/').map_or(input.len(), |i| i + start);
            out.push_str(&input[..end]);
            input.replace_range(..end, "");
        }
    }
    out
}

/// `uri(baseUri, relativeUri)`: RFC 3986 5.2.2 on an absolute base.
pub(super) fn uri(base: &Value, relative: &Value) -> Result<Value, String> {
    let (b_text, r_text) = (as_str(base, "uri")?, as_str(relative, "uri")?);
    let b = split(b_text);
    let Some(scheme) = b.scheme else {
        return Err(format!(
            "`uri()`: the base \"{b_text}\" is not an absolute URI"
        ));
    };
    let r = split(r_text);
    let (scheme, authority, path, query) = if let Some(s) = r.scheme {
        (s, r.authority, remove_dot_segments(r.path), r.query)
    } else if r.authority.is_some() {
        (scheme, r.authority, remove_dot_segments(r.path), r.query)
    } else if r.path.is_empty() {
        (scheme, b.authority, b.path.to_string(), r.query.or(b.query))
    } else if r.path.starts_with('/') {
        (scheme, b.authority, remove_dot_segments(r.path), r.query)
    } else {
        let merged = if b.authority.is_some() && b.path.is_empty() {
            format!("/{}", r.path)
        } else {
            let cut = b.path.rfind('/').map_or(0, |i| i + 1);
            format!("{}{}", &b.path[..cut], r.path)
        };
        (scheme, b.authority, remove_dot_segments(&merged), r.query)
    };
    let mut out = format!("{scheme}:");
    if let Some(a) = authority {
        out.push_str("//");
        out.push_str(a);
    }
    out.push_str(&path);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    if let Some(f) = r.fragment {
        out.push('#');
        out.push_str(f);
    }
    Ok(Value::String(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn base64_round_trips() {
        for s in ["", "a", "ab", "abc", "one, two, three", "héllo"] {
            let e = base64(&json!(s)).unwrap();
            assert_eq!(base64_to_string(&e).unwrap(), json!(s));
        }
        assert_eq!(
            base64(&json!("one, two, three")).unwrap(),
            json!("b25lLCB0d28sIHRocmVl")
        );
        assert_eq!(
            base64_to_json(&json!("eyJhIjoxfQ==")).unwrap(),
            json!({"a": 1})
        );
        for bad in ["!!!", "YQ", "YQ=a", "=YQ=", "Y==="] {
            assert!(base64_to_string(&json!(bad)).is_err(), "{bad}");
        }
        assert!(base64_to_json(&json!("bm90LWpzb24=")).is_err());
    }

    #[test]
    fn data_uris() {
        let d = data_uri(&json!("Hello")).unwrap();
        assert_eq!(d, json!("data:text/plain;charset=utf8;base64,SGVsbG8="));
        assert_eq!(data_uri_to_string(&d).unwrap(), json!("Hello"));
        assert_eq!(
            data_uri_to_string(&json!("data:,a%20b")).unwrap(),
            json!("a b")
        );
        assert!(data_uri_to_string(&json!("not-a-data-uri")).is_err());
    }

    #[test]
    fn uris() {
        let u = |b: &str, r: &str| uri(&json!(b), &json!(r)).unwrap();
        // The reference's examples.
        assert_eq!(
            u("http://contoso.org/firstpath", "myscript.sh"),
            json!("http://contoso.org/myscript.sh")
        );
        assert_eq!(
            u("http://contoso.org/firstpath/", "myscript.sh"),
            json!("http://contoso.org/firstpath/myscript.sh")
        );
        assert_eq!(
            u(
                "http://contoso.org/firstpath/azuredeploy.json/",
                "myscript.sh"
            ),
            json!("http://contoso.org/firstpath/azuredeploy.json/myscript.sh")
        );
        assert_eq!(
            u("https://example.com", "api/v1"),
            json!("https://example.com/api/v1")
        );
        assert_eq!(
            u("https://example.com/a/b", "/x?q=1#f"),
            json!("https://example.com/x?q=1#f")
        );
        assert_eq!(
            u("https://example.com/a/b/c", "../d"),
            json!("https://example.com/a/d")
        );
        assert_eq!(
            u("https://example.com/a", "https://other.com/p"),
            json!("https://other.com/p")
        );
        assert!(uri(&json!("relative/only"), &json!("x")).is_err());
        let c = uri_component(&json!("http://contoso.com/a b+é")).unwrap();
        assert_eq!(c, json!("http%3A%2F%2Fcontoso.com%2Fa%20b%2B%C3%A9"));
        assert_eq!(
            uri_component_to_string(&c).unwrap(),
            json!("http://contoso.com/a b+é")
        );
    }
}
