//! Test-side stand-ins for the Bicep compiler, which cannot run here.
//!
//! - [`syntax_errors`]: the tree-sitter-bicep parse (every ERROR or MISSING
//!   node) plus the five rules of Bicep's own parser that the grammar misses,
//!   ported from the independent oracle reference checker `bicep_syntax_check.py` (kept beside the project, not in it)
//!   with the same semantics, so that both report the same line, column and
//!   rule: `NL-DECL` one declaration per line, `NL-DEC` decorator newlines,
//!   `SEP` element separators, `ESC` string escapes, `BODY` loop bodies.
//!   The grammar parses `using` but not `param NAME = value`, so `.bicepparam`
//!   files get the oracle's position-keeping rewrite (`using`/`extends` lines
//!   become comments, `param NAME =` becomes `var   NAME =`) and one more
//!   rule of our own, `PARAM`: the file starts with one `using` line and sets
//!   parameters only as `param NAME = <expression>`.
//! - [`semantic_errors`]: what the compiler's most important checks would
//!   catch: every identifier referenced is declared in its scope (top-level
//!   symbols, loop and index variables, lambda and function parameters,
//!   nested resources in their parent) or is `az`/`sys`; every function called
//!   is a built-in of that file kind (the list below, `list*`), a `func` or an
//!   import, and not hidden by a declaration of the same name; duplicate
//!   declarations; module paths, module parameters (required ones passed,
//!   passed ones declared); `import {...} from` paths and `@export()`s; and
//!   `.bicepparam` files against their `using` target.
//!
//! Every message reads `LINE:COL: error[RULE]: text`, 1-based; columns count
//! bytes as tree-sitter does (ESC counts characters inside the string, as the
//! oracle does). Not checked: types, property names of resource bodies, API
//! versions, decorator names, scope rules (`resourceGroup()` at subscription
//! scope), what a `func` body may reference, registry modules (`br:`/`ts:`),
//! and syntax newer than the grammar (typed `var x string =`, `$'''...'''`,
//! `arr[^1]`, `resourceInput<>`, `extension`, multi-line `import {...}`),
//! which is reported as an error although valid.

#![allow(dead_code)]

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use tree_sitter::{Node, Parser, Tree};

/// Which of Bicep's two file kinds a text is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A `.bicep` template.
    Bicep,
    /// A `.bicepparam` parameters file.
    Params,
}

impl FileKind {
    /// The kind a path's extension names, if it is a Bicep file at all.
    pub fn of_path(path: &Path) -> Option<Self> {
        match path.extension()?.to_str()? {
            "bicep" => Some(Self::Bicep),
            "bicepparam" => Some(Self::Params),
            _ => None,
        }
    }

    /// Guess the kind of a text without a name: a parameters file is the one
    /// whose first statement is `using`.
    pub fn detect(src: &str) -> Self {
        match first_statement_line(src) {
            Some((_, line)) if keyword_then_space(line.trim_start(), "using") => Self::Params,
            _ => Self::Bicep,
        }
    }
}

// ---------------------------------------------------------------------------
// Built-in functions
// ---------------------------------------------------------------------------
//
// Sources: the Bicep documentation's function index ("Bicep functions",
// MicrosoftDocs/azure-docs `articles/azure-resource-manager/bicep/bicep-functions.md`,
// and its per-area pages on learn.microsoft.com), completed with the functions
// newer than that page from the compiler's own tables
// (Azure/bicep `src/Bicep.Core/Semantics/Namespaces/SystemNamespaceType.cs` and
// `AzNamespaceType.cs`): shallowMerge, objectKeys, mapValues, groupBy (Bicep
// 0.27), buildUri, parseUri, nameof, fail, loadDirectoryFileInfo, deployer,
// toLogicalZone(s), toPhysicalZone(s). Functions are case-sensitive.
// `coalesce`, `if`, `variables`, `parameters`, `createArray`, `createObject`
// and the operator functions (`add`, `equals`, ...) are ARM functions Bicep
// bans (use the operators), so they are deliberately absent.

/// The `sys` namespace: usable in `.bicep` and `.bicepparam` files.
pub const SYS_FUNCTIONS: &[&str] = &[
    // any
    "any",
    // array
    "array",
    "concat",
    "contains",
    "empty",
    "first",
    "flatten",
    "indexOf",
    "intersection",
    "last",
    "lastIndexOf",
    "length",
    "max",
    "min",
    "range",
    "skip",
    "take",
    "union",
    // CIDR
    "cidrHost",
    "cidrSubnet",
    "parseCidr",
    // date
    "dateTimeAdd",
    "dateTimeFromEpoch",
    "dateTimeToEpoch",
    "utcNow",
    // file
    "loadDirectoryFileInfo",
    "loadFileAsBase64",
    "loadJsonContent",
    "loadTextContent",
    "loadYamlContent",
    // lambda
    "filter",
    "groupBy",
    "map",
    "mapValues",
    "reduce",
    "sort",
    "toObject",
    // logical
    "bool",
    // numeric
    "int",
    // object
    "items",
    "json",
    "objectKeys",
    "shallowMerge",
    // string
    "base64",
    "base64ToJson",
    "base64ToString",
    "buildUri",
    "dataUri",
    "dataUriToString",
    "endsWith",
    "format",
    "guid",
    "join",
    "newGuid",
    "padLeft",
    "parseUri",
    "replace",
    "split",
    "startsWith",
    "string",
    "substring",
    "toLower",
    "toUpper",
    "trim",
    "uniqueString",
    "uri",
    "uriComponent",
    "uriComponentToString",
    // compile-time helpers
    "fail",
    "nameof",
];

/// The `az` namespace in a `.bicep` file, plus every `list*` function
/// (`listKeys`, `listSecrets`, `listAccountSas`, ...), see [`is_list_function`].
pub const AZ_FUNCTIONS: &[&str] = &[
    // deployment values
    "deployer",
    "deployment",
    "environment",
    // resource
    "extensionResourceId",
    "managementGroupResourceId",
    "pickZones",
    "providers",
    "reference",
    "resourceId",
    "subscriptionResourceId",
    "tenantResourceId",
    "toLogicalZone",
    "toLogicalZones",
    "toPhysicalZone",
    "toPhysicalZones",
    // scope
    "managementGroup",
    "resourceGroup",
    "subscription",
    "tenant",
];

/// `sys` functions only a `.bicepparam` file may call.
pub const SYS_PARAMS_FILE_FUNCTIONS: &[&str] = &[
    "externalInput",
    "readCliArg",
    "readEnvVar",
    "readEnvironmentVariable",
];

/// `az` functions only a `.bicepparam` file may call (a `.bicep` file calls
/// `getSecret` on a Key Vault resource instead).
pub const AZ_PARAMS_FILE_FUNCTIONS: &[&str] = &["getSecret"];

/// ARM template functions Bicep rejects, with what to write instead.
const BANNED_FUNCTIONS: &[(&str, &str)] = &[
    ("coalesce", "the `??` operator"),
    ("if", "the `? :` operator"),
    ("variables", "the variable's name"),
    ("parameters", "the parameter's name"),
    ("createArray", "an array literal `[...]`"),
    ("createObject", "an object literal `{...}`"),
    ("add", "`+`"),
    ("sub", "`-`"),
    ("mul", "`*`"),
    ("div", "`/`"),
    ("mod", "`%`"),
    ("less", "`<`"),
    ("lessOrEquals", "`<=`"),
    ("greater", "`>`"),
    ("greaterOrEquals", "`>=`"),
    ("equals", "`==`"),
    ("not", "`!`"),
    ("and", "`&&`"),
    ("or", "`||`"),
];

/// `listKeys`, `listSecrets`, ...: Bicep accepts any name matching `^list[a-zA-Z]*`.
pub fn is_list_function(name: &str) -> bool {
    name.strip_prefix("list")
        .is_some_and(|rest| rest.bytes().all(|b| b.is_ascii_alphabetic()))
}

fn sys_functions(kind: FileKind) -> impl Iterator<Item = &'static str> + Clone {
    let extra: &[&str] = if kind == FileKind::Params {
        SYS_PARAMS_FILE_FUNCTIONS
    } else {
        &[]
    };
    SYS_FUNCTIONS.iter().chain(extra).copied()
}

fn az_functions(kind: FileKind) -> &'static [&'static str] {
    match kind {
        FileKind::Bicep => AZ_FUNCTIONS,
        FileKind::Params => AZ_PARAMS_FILE_FUNCTIONS,
    }
}

fn is_sys_function(kind: FileKind, name: &str) -> bool {
    sys_functions(kind).any(|f| f == name)
}

fn is_az_function(kind: FileKind, name: &str) -> bool {
    az_functions(kind).contains(&name) || (kind == FileKind::Bicep && is_list_function(name))
}

/// Whether `name` is a built-in function a file of this kind may call unqualified.
pub fn is_builtin(kind: FileKind, name: &str) -> bool {
    is_sys_function(kind, name) || is_az_function(kind, name)
}

// ---------------------------------------------------------------------------
// Parsing and the oracle's rewrites
// ---------------------------------------------------------------------------

/// The text that is parsed (after the position-keeping rewrites) and its tree.
struct Prepared {
    text: String,
    tree: Tree,
    /// Rows (0-based) where a `.bicepparam` `param NAME =` became `var   NAME =`.
    param_rows: Vec<usize>,
}

fn parse(text: &str) -> Tree {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_bicep::LANGUAGE.into())
        .expect("the tree-sitter-bicep grammar loads");
    parser
        .parse(text, None)
        .expect("tree-sitter returns a tree without a timeout")
}

fn prepare(src: &str, kind: FileKind) -> Prepared {
    let (mut text, param_rows) = match kind {
        FileKind::Params => bicepparam_to_bicep(src),
        FileKind::Bicep => (src.to_owned(), Vec::new()),
    };
    if text.contains("...") {
        text = desugar_spread(&text);
    }
    let tree = parse(&text);
    Prepared {
        text,
        tree,
        param_rows,
    }
}

/// `KEYWORD` followed by at least one whitespace character.
fn keyword_then_space(s: &str, keyword: &str) -> bool {
    s.strip_prefix(keyword)
        .and_then(|rest| rest.chars().next())
        .is_some_and(char::is_whitespace)
}

/// `param NAME =` at the start of `s` (the oracle's `param(\s+\w+\s*=)`).
fn is_param_assignment(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("param") else {
        return false;
    };
    let after_space = rest.trim_start();
    if after_space.len() == rest.len() {
        return false;
    }
    let word_len: usize = after_space
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .map(char::len_utf8)
        .sum();
    word_len > 0 && after_space[word_len..].trim_start().starts_with('=')
}

/// The oracle's `bicepparam_to_bicep`: `using`/`extends` lines become
/// comments and `param NAME =` becomes `var   NAME =`, keeping every column.
fn bicepparam_to_bicep(src: &str) -> (String, Vec<usize>) {
    let mut rows = Vec::new();
    let mut out = Vec::new();
    for (row, line) in src.split('\n').enumerate() {
        let rest = line.trim_start();
        let indent = &line[..line.len() - rest.len()];
        if keyword_then_space(rest, "using") || keyword_then_space(rest, "extends") {
            out.push(format!("{indent}//{}", &rest[2..]));
        } else if is_param_assignment(rest) {
            out.push(format!("{indent}var  {}", &rest["param".len()..]));
            rows.push(row);
        } else {
            out.push(line.to_owned());
        }
    }
    (out.join("\n"), rows)
}

fn find_from(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// The oracle's `desugar_spread`: tree-sitter-bicep 1.1.0 predates the spread
/// operator, so `...x` becomes `_: x` in an object and `   x` in an array
/// (same columns). Strings and comments are skipped; `...` anywhere else is
/// left alone and still fails.
fn desugar_spread(text: &str) -> String {
    let t = text.as_bytes();
    let n = t.len();
    let mut out = t.to_vec();
    let mut stack: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < n {
        let c = t[i];
        if t[i..].starts_with(b"'''") {
            i = find_from(t, b"'''", i + 3).map_or(n, |j| j + 3);
            continue;
        }
        if c == b'\'' {
            let mut j = i + 1;
            while j < n && t[j] != b'\'' && t[j] != b'\n' {
                j += if t[j] == b'\\' { 2 } else { 1 };
            }
            i = j + 1;
            continue;
        }
        if t[i..].starts_with(b"//") {
            i = find_from(t, b"\n", i).unwrap_or(n);
            continue;
        }
        if t[i..].starts_with(b"/*") {
            i = find_from(t, b"*/", i + 2).map_or(n, |j| j + 2);
            continue;
        }
        if b"{[(".contains(&c) {
            stack.push(c);
        } else if b"}])".contains(&c) {
            stack.pop();
        } else if t[i..].starts_with(b"...") && matches!(stack.last(), Some(b'{' | b'[')) {
            let before = t[..i].iter().rposition(|b| *b != b' ' && *b != b'\t');
            if before.is_none_or(|k| b"{[,\n".contains(&t[k])) {
                let with: &[u8] = if stack.last() == Some(&b'{') {
                    b"_: "
                } else {
                    b"   "
                };
                out[i..i + 3].copy_from_slice(with);
                i += 3;
                continue;
            }
        }
        i += 1;
    }
    String::from_utf8(out).expect("only ASCII bytes were replaced")
}

// ---------------------------------------------------------------------------
// Syntax
// ---------------------------------------------------------------------------

/// One problem: 1-based line and byte column, rule, message.
type Problem = (usize, usize, &'static str, String);

fn render(problems: BTreeSet<Problem>) -> Vec<String> {
    problems
        .into_iter()
        .map(|(line, col, rule, msg)| format!("{line}:{col}: error[{rule}]: {msg}"))
        .collect()
}

fn pos(node: Node<'_>) -> (usize, usize) {
    let p = node.start_position();
    (p.row + 1, p.column + 1)
}

fn kids(node: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = node.walk();
    node.children(&mut cursor).collect()
}

fn is_comment(node: Node<'_>) -> bool {
    matches!(node.kind(), "comment" | "diagnostic_comment")
}

fn text<'s>(node: Node<'_>, src: &'s str) -> &'s str {
    src.get(node.start_byte()..node.end_byte()).unwrap_or("")
}

const DECLARATIONS: &[&str] = &[
    "module_declaration",
    "import_statement",
    "import_with_statement",
    "import_functionality",
    "using_statement",
    "target_scope_assignment",
    "metadata_declaration",
    "output_declaration",
    "parameter_declaration",
    "resource_declaration",
    "type_declaration",
    "variable_declaration",
    "user_defined_function",
    "test_block",
    "assert_statement",
];

/// Syntax errors of a text whose kind is guessed with [`FileKind::detect`].
pub fn syntax_errors(src: &str) -> Vec<String> {
    syntax_errors_as(src, FileKind::detect(src))
}

/// Syntax errors of a `.bicep` or `.bicepparam` text: tree-sitter ERROR and
/// MISSING nodes, the oracle's five parser rules, and (parameters files) `PARAM`.
pub fn syntax_errors_as(src: &str, kind: FileKind) -> Vec<String> {
    let prepared = prepare(src, kind);
    let mut problems = SyntaxCheck {
        src: &prepared.text,
        problems: BTreeSet::new(),
    }
    .run(&prepared.tree);
    if kind == FileKind::Params {
        params_file_shape(src, &prepared, &mut problems);
    }
    render(problems)
}

struct SyntaxCheck<'s> {
    src: &'s str,
    problems: BTreeSet<Problem>,
}

impl SyntaxCheck<'_> {
    fn add(&mut self, node: Node<'_>, rule: &'static str, msg: String) {
        let (line, col) = pos(node);
        self.problems.insert((line, col, rule, msg));
    }

    fn run(mut self, tree: &Tree) -> BTreeSet<Problem> {
        let root = tree.root_node();
        self.errors(root);
        let top: Vec<Node<'_>> = kids(root)
            .into_iter()
            .filter(|c| c.is_named() && !is_comment(*c))
            .collect();
        self.decorated_sequence(&top, true);
        self.loop_bodies(root);
        self.walk(root);
        self.problems
    }

    /// TS: every ERROR or MISSING node.
    fn errors(&mut self, node: Node<'_>) {
        if node.is_missing() {
            self.add(node, "TS", format!("missing '{}'", node.kind()));
            return;
        }
        if node.is_error() {
            let near: String = text(node, self.src)
                .lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(40)
                .collect();
            self.add(node, "TS", format!("syntax error near {}", py_repr(&near)));
            return;
        }
        for child in kids(node) {
            self.errors(child);
        }
    }

    /// NL-DECL and NL-DEC over the named, non-comment children of the file
    /// (`top`) or of an object type.
    fn decorated_sequence(&mut self, children: &[Node<'_>], top: bool) {
        let mut prev_end_row: Option<usize> = None;
        let mut prev_kind: Option<&str> = None;
        for (i, ch) in children.iter().enumerate() {
            if top
                && prev_end_row.is_some_and(|r| ch.start_position().row <= r)
                && !ch.is_error()
                && !matches!(prev_kind, Some("decorators" | "ERROR"))
            {
                self.add(
                    *ch,
                    "NL-DECL",
                    format!("'{}' must start on a new line", ch.kind()),
                );
            }
            prev_kind = Some(ch.kind());
            if ch.kind() == "decorators" {
                match children.get(i + 1) {
                    Some(next)
                        if next.kind() != "decorators"
                            && (!top || DECLARATIONS.contains(&next.kind())) =>
                    {
                        if ch.end_position().row >= next.start_position().row {
                            self.add(
                                *next,
                                "NL-DEC",
                                "a decorator must be followed by a newline".into(),
                            );
                        }
                    }
                    _ => self.add(
                        *ch,
                        "NL-DEC",
                        "decorator is not followed by a declaration".into(),
                    ),
                }
                let decorators: Vec<Node<'_>> = kids(*ch)
                    .into_iter()
                    .filter(|d| d.kind() == "decorator")
                    .collect();
                for pair in decorators.windows(2) {
                    if pair[0].end_position().row >= pair[1].start_position().row {
                        self.add(
                            pair[1],
                            "NL-DEC",
                            "a decorator must be followed by a newline".into(),
                        );
                    }
                }
            }
            prev_end_row = Some(ch.end_position().row);
        }
    }

    /// BODY: a resource or module loop body is an object or `if (...) {...}` (BCP167).
    fn loop_bodies(&mut self, root: Node<'_>) {
        for decl in kids(root) {
            if !matches!(decl.kind(), "resource_declaration" | "module_declaration")
                || decl.has_error()
            {
                continue;
            }
            let what = decl.kind().split('_').next().unwrap_or_default();
            for for_loop in kids(decl)
                .into_iter()
                .filter(|c| c.kind() == "for_statement")
            {
                let mut after_colon = false;
                for c in kids(for_loop) {
                    if c.kind() == ":" {
                        after_colon = true;
                    } else if after_colon && c.is_named() && !is_comment(c) {
                        if !matches!(c.kind(), "object" | "if_statement") {
                            self.add(
                                c,
                                "BODY",
                                format!("{what} loop body must be an object or an 'if' condition"),
                            );
                        }
                        break;
                    }
                }
            }
        }
    }

    /// SEP and decorators in objects and arrays, ESC in strings.
    fn walk(&mut self, node: Node<'_>) {
        if node.is_named() && matches!(node.kind(), "object" | "array") && !node.has_error() {
            self.separators(node);
            let named: Vec<Node<'_>> = kids(node)
                .into_iter()
                .filter(|c| c.is_named() && !is_comment(*c))
                .collect();
            if named.iter().any(|c| c.kind() == "decorators") {
                self.decorated_sequence(&named, false);
            }
        }
        if node.is_named() && node.kind() == "string" {
            self.escapes(node);
        }
        for child in kids(node) {
            self.walk(child);
        }
    }

    /// SEP: elements are separated by newline(s) or one comma, not both
    /// (Bicep's ExpectedNewLineOrCommaSeparator, UnexpectedNewLineAfterCommaSeparator).
    fn separators(&mut self, node: Node<'_>) {
        let all: Vec<Node<'_>> = kids(node).into_iter().filter(|c| !is_comment(*c)).collect();
        let (Some(close), true) = (all.last().copied(), all.len() >= 2) else {
            return;
        };
        let inner = &all[1..all.len() - 1];
        let bytes = self.src.as_bytes();
        let mut prev: Option<Node<'_>> = None;
        let mut pending_comma = false;
        for (idx, k) in inner.iter().enumerate() {
            if k.kind() == "," {
                let next = inner.get(idx + 1).copied().unwrap_or(close);
                if next.start_position().row > k.end_position().row {
                    self.add(
                        *k,
                        "SEP",
                        "unexpected newline after ',' (use newlines OR commas, not both)".into(),
                    );
                }
                pending_comma = true;
                continue;
            }
            if k.kind() == "decorators" {
                continue;
            }
            // As in the oracle: tree-sitter splits some calls and index
            // expressions inside an array into two children, and lexes the
            // binary minus in `a -1` as a negative number.
            let first = bytes.get(k.start_byte()).copied();
            let split_artifact = (node.kind() == "array" && matches!(first, Some(b'(' | b'[')))
                || first == Some(b'-');
            if let Some(p) = prev
                && !pending_comma
                && !split_artifact
                && k.start_position().row <= p.end_position().row
            {
                self.add(
                    *k,
                    "SEP",
                    "expected a newline or ',' between elements".into(),
                );
            }
            prev = Some(*k);
            pending_comma = false;
        }
    }

    /// ESC: in `'...'` strings the only escapes are `\\ \' \n \r \t \$` and
    /// `\u{HEX}` (1 to 6 digits); `'''...'''` strings have none.
    fn escapes(&mut self, node: Node<'_>) {
        let raw = text(node, self.src);
        if raw.starts_with("'''") {
            return;
        }
        let mut body = raw.as_bytes().to_vec();
        for hole in kids(node)
            .into_iter()
            .filter(|c| c.kind() == "interpolation")
        {
            let from = hole.start_byte() - node.start_byte();
            let to = hole.end_byte() - node.start_byte();
            body[from..to].fill(b' ');
        }
        // Indices are in characters, as in the oracle (which works on `str`).
        let body: Vec<char> = String::from_utf8_lossy(&body).chars().collect();
        let start = node.start_position();
        let mut i = 0;
        while i < body.len() {
            if body[i] != '\\' {
                i += 1;
                continue;
            }
            if let Some(len) = valid_escape_len(&body[i..]) {
                i += len;
                continue;
            }
            let line = start.row + body[..i].iter().filter(|c| **c == '\n').count() + 1;
            let col = match body[..i].iter().rposition(|c| *c == '\n') {
                None => start.column + i + 1,
                Some(nl) => i - nl,
            };
            let shown: String = body[i..].iter().take(2).collect();
            self.problems.insert((
                line,
                col,
                "ESC",
                format!("invalid escape sequence {}", py_repr(&shown)),
            ));
            i += 2;
        }
    }
}

/// Python's `repr` of a string, so that messages read exactly as the oracle's.
fn py_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::from(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_ascii_control() => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Length of a valid escape at the start of `s` (which starts with `\`).
fn valid_escape_len(s: &[char]) -> Option<usize> {
    match s.get(1)? {
        'n' | 'r' | 't' | '\\' | '\'' | '$' => Some(2),
        'u' if s.get(2) == Some(&'{') => {
            let digits = s[3..].iter().take_while(|c| c.is_ascii_hexdigit()).count();
            ((1..=6).contains(&digits) && s.get(3 + digits) == Some(&'}')).then_some(4 + digits)
        }
        _ => None,
    }
}

/// The first line that is not blank and not only a comment, with its row.
fn first_statement_line(src: &str) -> Option<(usize, &str)> {
    let mut in_block = false;
    for (row, line) in src.lines().enumerate() {
        let mut rest = line.trim();
        if in_block {
            match rest.find("*/") {
                Some(end) => {
                    in_block = false;
                    rest = rest[end + 2..].trim();
                }
                None => continue,
            }
        }
        while let Some(after) = rest.strip_prefix("/*") {
            match after.find("*/") {
                Some(end) => rest = after[end + 2..].trim(),
                None => {
                    in_block = true;
                    rest = "";
                }
            }
        }
        if rest.is_empty() || rest.starts_with("//") {
            continue;
        }
        return Some((row, line));
    }
    None
}

/// PARAM: a `.bicepparam` file opens with one `using` line and sets
/// parameters only as `param NAME = <expression>`.
fn params_file_shape(src: &str, prepared: &Prepared, problems: &mut BTreeSet<Problem>) {
    let mut add = |row: usize, col: usize, msg: String| {
        problems.insert((row + 1, col + 1, "PARAM", msg));
    };
    match first_statement_line(src) {
        Some((_, line)) if keyword_then_space(line.trim_start(), "using") => {}
        Some((row, line)) => {
            add(
                row,
                line.len() - line.trim_start().len(),
                "a .bicepparam file must start with a `using` line".into(),
            );
        }
        None => add(
            0,
            0,
            "a .bicepparam file must start with a `using` line".into(),
        ),
    }
    let using_rows: Vec<usize> = src
        .lines()
        .enumerate()
        .filter(|(_, line)| keyword_then_space(line.trim_start(), "using"))
        .map(|(row, _)| row)
        .collect();
    for row in using_rows.iter().skip(1) {
        add(
            *row,
            0,
            "a .bicepparam file has exactly one `using` line".into(),
        );
    }
    for node in kids(prepared.tree.root_node()) {
        let (row, col) = (node.start_position().row, node.start_position().column);
        match node.kind() {
            "parameter_declaration" => {
                add(
                    row,
                    col,
                    "a .bicepparam file sets a parameter as `param NAME = value`, without a type"
                        .into(),
                );
            }
            "resource_declaration"
            | "module_declaration"
            | "output_declaration"
            | "target_scope_assignment"
            | "user_defined_function"
            | "test_block"
            | "assert_statement" => {
                add(
                    row,
                    col,
                    format!("'{}' is not allowed in a .bicepparam file", node.kind()),
                );
            }
            _ => {}
        }
    }
}

// ---------------------------------------------------------------------------
// Semantics
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SymKind {
    Param,
    Var,
    Resource,
    Module,
    Type,
    Func,
    Import,
    Namespace,
    Output,
    Metadata,
}

impl SymKind {
    fn noun(self) -> &'static str {
        match self {
            Self::Param => "parameter",
            Self::Var => "variable",
            Self::Resource => "resource",
            Self::Module => "module",
            Self::Type => "type",
            Self::Func => "function",
            Self::Import => "imported symbol",
            Self::Namespace => "namespace",
            Self::Output => "output",
            Self::Metadata => "metadata",
        }
    }

    /// Outputs and metadata have their own namespaces and cannot be referenced.
    fn namespace(self) -> u8 {
        match self {
            Self::Output => 1,
            Self::Metadata => 2,
            _ => 0,
        }
    }
}

struct Decl<'t> {
    name: String,
    kind: SymKind,
    node: Node<'t>,
}

fn first_child_of_kind<'t>(node: Node<'t>, kind: &str) -> Option<Node<'t>> {
    kids(node).into_iter().find(|c| c.kind() == kind)
}

/// The top-level declarations of a file.
fn top_declarations<'t>(root: Node<'t>, src: &str, param_rows: &[usize]) -> Vec<Decl<'t>> {
    let mut out = Vec::new();
    let mut push = |node: Node<'t>, kind: SymKind| {
        out.push(Decl {
            name: text(node, src).to_owned(),
            kind,
            node,
        });
    };
    for node in kids(root) {
        let kind = match node.kind() {
            "parameter_declaration" => SymKind::Param,
            "variable_declaration" if param_rows.contains(&node.start_position().row) => {
                SymKind::Param
            }
            "variable_declaration" => SymKind::Var,
            "resource_declaration" => SymKind::Resource,
            "module_declaration" => SymKind::Module,
            "type_declaration" => SymKind::Type,
            "user_defined_function" => SymKind::Func,
            "output_declaration" => SymKind::Output,
            "metadata_declaration" => SymKind::Metadata,
            "import_functionality" => {
                // `import { a, b as c } from '...'` and `import * as ns from '...'`
                let children = kids(node);
                for (i, c) in children.iter().enumerate() {
                    let aliased = children.get(i + 1).is_some_and(|n| n.kind() == "as");
                    let is_alias = i >= 2 && children[i - 1].kind() == "as";
                    if c.kind() == "identifier" && !aliased {
                        let kind = if is_alias && children[i - 2].kind() == "*" {
                            SymKind::Namespace
                        } else {
                            SymKind::Import
                        };
                        push(*c, kind);
                    }
                }
                continue;
            }
            "import_statement" | "import_with_statement" => {
                let children = kids(node);
                if let Some(alias) = children
                    .windows(2)
                    .find(|w| w[0].kind() == "as")
                    .map(|w| w[1])
                {
                    push(alias, SymKind::Namespace);
                }
                continue;
            }
            _ => continue,
        };
        if let Some(name) = node
            .child_by_field_name("name")
            .or_else(|| first_child_of_kind(node, "identifier"))
        {
            push(name, kind);
        }
    }
    out
}

/// A parameter a `.bicep` file declares.
#[derive(Debug)]
pub struct ParamInfo {
    pub name: String,
    /// No default value and not of a nullable type (`string?`).
    pub required: bool,
}

/// The parameters a `.bicep` file declares.
pub fn declared_params(src: &str) -> Vec<ParamInfo> {
    let prepared = prepare(src, FileKind::Bicep);
    kids(prepared.tree.root_node())
        .into_iter()
        .filter(|n| n.kind() == "parameter_declaration")
        .filter_map(|n| {
            let name = first_child_of_kind(n, "identifier")?;
            let has_default = kids(n).iter().any(|c| c.kind() == "=");
            let nullable = first_child_of_kind(n, "type")
                .is_some_and(|t| first_child_of_kind(t, "nullable_type").is_some());
            Some(ParamInfo {
                name: text(name, &prepared.text).to_owned(),
                required: !has_default && !nullable,
            })
        })
        .collect()
}

/// The value of a string literal without interpolation, `None` if it has holes.
fn string_value(node: Node<'_>, src: &str) -> Option<String> {
    if kids(node).iter().any(|c| c.kind() == "interpolation") {
        return None;
    }
    let raw = text(node, src);
    let inner = raw
        .strip_prefix("'''")
        .and_then(|s| s.strip_suffix("'''"))
        .or_else(|| raw.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))?;
    if raw.starts_with("'''") {
        return Some(inner.to_owned());
    }
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    Some(out)
}

fn is_registry_reference(path: &str) -> bool {
    ["br:", "br/", "ts:", "ts/"]
        .iter()
        .any(|p| path.starts_with(p))
}

/// Levenshtein distance, for "did you mean".
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

fn suggestion<S: AsRef<str>>(name: &str, candidates: &[S]) -> String {
    let candidates = candidates.iter().map(AsRef::as_ref);
    if let Some(same) = candidates
        .clone()
        .find(|c| c.eq_ignore_ascii_case(name) && *c != name)
    {
        return format!(" (did you mean '{same}'?)");
    }
    let best = candidates
        .map(|c| {
            (
                distance(&name.to_ascii_lowercase(), &c.to_ascii_lowercase()),
                c,
            )
        })
        .filter(|(d, c)| *d <= 2 && *d < name.len().min(c.len()) / 2 + 1 && *c != name)
        .min();
    best.map(|(_, c)| format!(" (did you mean '{c}'?)"))
        .unwrap_or_default()
}

/// Semantic errors of the `.bicep` or `.bicepparam` file at `path` (modules
/// and the `using` target are read relative to it).
pub fn semantic_errors(path: &Path) -> Vec<String> {
    let src = match std::fs::read_to_string(path) {
        Ok(src) => src,
        Err(e) => {
            return vec![format!(
                "1:1: error[IO]: cannot read {}: {e}",
                path.display()
            )];
        }
    };
    let kind = FileKind::of_path(path).unwrap_or_else(|| FileKind::detect(&src));
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    semantic_errors_as(&src, kind, dir)
}

/// Semantic errors of a text, with module and `using` paths relative to `dir`.
pub fn semantic_errors_as(src: &str, kind: FileKind, dir: &Path) -> Vec<String> {
    let prepared = prepare(src, kind);
    let root = prepared.tree.root_node();
    let text = prepared.text.as_str();
    let decls = top_declarations(root, text, &prepared.param_rows);

    let mut problems = BTreeSet::new();
    let mut add = |node: Node<'_>, rule: &'static str, msg: String| {
        let (line, col) = pos(node);
        problems.insert((line, col, rule, msg));
    };

    // Duplicate declarations (outputs and metadata are separate namespaces).
    let mut seen: HashMap<(u8, &str), Node<'_>> = HashMap::new();
    for d in &decls {
        if let Some(first) = seen.get(&(d.kind.namespace(), d.name.as_str())) {
            let (line, col) = pos(*first);
            add(
                d.node,
                "DUP",
                format!(
                    "duplicate declaration: '{}' is already declared at {line}:{col}",
                    d.name
                ),
            );
        } else {
            seen.insert((d.kind.namespace(), d.name.as_str()), d.node);
        }
    }

    let top: HashMap<&str, SymKind> = decls
        .iter()
        .filter(|d| d.kind.namespace() == 0)
        .map(|d| (d.name.as_str(), d.kind))
        .collect();
    let mut resolver = Resolver {
        src: text,
        kind,
        top: &top,
        problems: BTreeSet::new(),
    };
    // A declaration the parser could not make sense of would only add
    // follow-on errors: the syntax check reports it.
    for decl in kids(root).into_iter().filter(|d| !d.has_error()) {
        resolver.visit(decl, &mut Vec::new());
    }
    let mut problems: BTreeSet<Problem> = problems.into_iter().chain(resolver.problems).collect();

    match kind {
        FileKind::Bicep => {
            for module in kids(root)
                .into_iter()
                .filter(|n| n.kind() == "module_declaration")
            {
                check_module(module, text, dir, &mut problems);
            }
        }
        FileKind::Params => check_params_file(src, &decls, dir, &mut problems),
    }
    for import in kids(root)
        .into_iter()
        .filter(|n| n.kind() == "import_functionality")
    {
        check_import(import, text, dir, &mut problems);
    }
    render(problems)
}

/// The names a file exports with `@export()`.
fn exported_names(src: &str) -> Vec<String> {
    let prepared = prepare(src, FileKind::Bicep);
    let top = kids(prepared.tree.root_node());
    let mut out = Vec::new();
    for pair in top.windows(2) {
        let exported = pair[0].kind() == "decorators"
            && kids(pair[0]).into_iter().any(|d| {
                let name = text(d, &prepared.text).trim_start_matches('@');
                name.starts_with("export(") || name.starts_with("sys.export(")
            });
        let name = pair[1]
            .child_by_field_name("name")
            .or_else(|| first_child_of_kind(pair[1], "identifier"));
        if let (true, Some(name)) = (exported, name) {
            out.push(text(name, &prepared.text).to_owned());
        }
    }
    out
}

/// `import {...} from 'file'`: the file exists and exports what is imported.
fn check_import(import: Node<'_>, src: &str, dir: &Path, problems: &mut BTreeSet<Problem>) {
    let Some(path_node) = first_child_of_kind(import, "string") else {
        return;
    };
    let (line, col) = pos(path_node);
    let Some(path) = string_value(path_node, src) else {
        return;
    };
    if is_registry_reference(&path) {
        return;
    }
    let file = relative(dir, &path);
    let Ok(target) = std::fs::read_to_string(&file) else {
        problems.insert((
            line,
            col,
            "IMPORT",
            format!("import file not found: '{path}' ({})", file.display()),
        ));
        return;
    };
    if FileKind::of_path(&file) != Some(FileKind::Bicep) {
        return;
    }
    let exported = exported_names(&target);
    let children = kids(import);
    for (i, c) in children.iter().enumerate() {
        // in `{ a, b as c }` the imported names are those not after `as`
        let after_as = i > 0 && children[i - 1].kind() == "as";
        let in_braces = children.iter().take(i).any(|p| p.kind() == "{");
        let name = text(*c, src);
        if c.kind() == "identifier" && in_braces && !after_as && !exported.iter().any(|e| e == name)
        {
            let (line, col) = pos(*c);
            problems.insert((
                line,
                col,
                "IMPORT",
                format!("'{name}' is not exported (`@export()`) by '{path}'"),
            ));
        }
    }
}

/// Syntax and semantic errors of one file, each prefixed with its path.
pub fn file_errors(path: &Path) -> Vec<String> {
    let src = match std::fs::read_to_string(path) {
        Ok(src) => src,
        Err(e) => return vec![format!("{}: cannot read: {e}", path.display())],
    };
    let kind = FileKind::of_path(path).unwrap_or_else(|| FileKind::detect(&src));
    syntax_errors_as(&src, kind)
        .into_iter()
        .chain(semantic_errors(path))
        .map(|e| format!("{}:{e}", path.display()))
        .collect()
}

/// Every `*.bicep` and `*.bicepparam` file under `dir`, sorted (none if `dir` is absent).
pub fn bicep_files(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if FileKind::of_path(&path).is_some() {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}

/// Resolves every identifier reference against the declarations in scope.
struct Resolver<'a> {
    src: &'a str,
    kind: FileKind,
    top: &'a HashMap<&'a str, SymKind>,
    problems: BTreeSet<Problem>,
}

impl Resolver<'_> {
    fn add(&mut self, node: Node<'_>, rule: &'static str, msg: String) {
        let (line, col) = pos(node);
        self.problems.insert((line, col, rule, msg));
    }

    fn in_scope(scopes: &[Vec<String>], name: &str) -> bool {
        scopes.iter().any(|s| s.iter().any(|n| n == name))
    }

    fn candidates(&self, scopes: &[Vec<String>]) -> Vec<String> {
        self.top
            .keys()
            .map(|k| (*k).to_owned())
            .chain(scopes.iter().flatten().cloned())
            .chain(sys_functions(self.kind).map(str::to_owned))
            .chain(az_functions(self.kind).iter().map(|f| (*f).to_owned()))
            .collect()
    }

    /// An identifier used as a value or a type.
    fn reference(&mut self, node: Node<'_>, scopes: &[Vec<String>]) {
        let name = text(node, self.src);
        if Self::in_scope(scopes, name)
            || self.top.contains_key(name)
            || matches!(name, "az" | "sys")
        {
            return;
        }
        if is_builtin(self.kind, name) {
            self.add(
                node,
                "NAME",
                format!("'{name}' is a function: call it, as in {name}(...)"),
            );
            return;
        }
        let hint = suggestion(name, &self.candidates(scopes));
        self.add(
            node,
            "NAME",
            format!("undeclared identifier '{name}'{hint}"),
        );
    }

    /// An identifier called as a function.
    fn function(&mut self, node: Node<'_>, scopes: &[Vec<String>]) {
        let name = text(node, self.src);
        let builtin = is_builtin(self.kind, name);
        let hides = |what: &str| {
            let ns = if is_sys_function(self.kind, name) {
                "sys"
            } else {
                "az"
            };
            let hint = if builtin {
                format!("; it hides the built-in function, call {ns}.{name}(...)")
            } else {
                String::new()
            };
            format!("'{name}' is a {what} and cannot be called{hint}")
        };
        if Self::in_scope(scopes, name) {
            let msg = hides("local variable");
            self.add(node, "FUNC", msg);
            return;
        }
        match self.top.get(name) {
            Some(SymKind::Func | SymKind::Import) => return,
            Some(kind) => {
                let msg = hides(kind.noun());
                self.add(node, "FUNC", msg);
                return;
            }
            None => {}
        }
        if builtin {
            return;
        }
        if let Some((_, instead)) = BANNED_FUNCTIONS.iter().find(|(f, _)| *f == name) {
            self.add(
                node,
                "FUNC",
                format!("'{name}' is an ARM function Bicep does not accept: use {instead}"),
            );
            return;
        }
        let hint = suggestion(name, &self.candidates(scopes));
        self.add(node, "FUNC", format!("unknown function '{name}'{hint}"));
    }

    /// `sys.f(...)` / `az.f(...)`: `f` must be in that namespace.
    fn namespaced_function(&mut self, member: Node<'_>, scopes: &[Vec<String>]) {
        let (Some(object), Some(property)) = (
            member.child_by_field_name("object"),
            member.child_by_field_name("property"),
        ) else {
            return;
        };
        let ns = text(object, self.src);
        if object.kind() != "identifier" || Self::in_scope(scopes, ns) || self.top.contains_key(ns)
        {
            return;
        }
        let name = text(property, self.src);
        let (known, list): (bool, Vec<&str>) = match ns {
            "sys" => (
                is_sys_function(self.kind, name),
                sys_functions(self.kind).collect(),
            ),
            "az" => (
                is_az_function(self.kind, name),
                az_functions(self.kind).to_vec(),
            ),
            _ => return,
        };
        if !known {
            let hint = suggestion(name, &list);
            self.add(
                property,
                "FUNC",
                format!("unknown function '{ns}.{name}'{hint}"),
            );
        }
    }

    fn visit_children(&mut self, node: Node<'_>, scopes: &mut Vec<Vec<String>>, skip: &[usize]) {
        for c in kids(node) {
            if !skip.contains(&c.id()) {
                self.visit(c, scopes);
            }
        }
    }

    fn visit(&mut self, node: Node<'_>, scopes: &mut Vec<Vec<String>>) {
        if node.is_error() || node.is_missing() {
            return;
        }
        match node.kind() {
            "identifier" => self.reference(node, scopes),
            "parameter_declaration"
            | "variable_declaration"
            | "output_declaration"
            | "metadata_declaration"
            | "type_declaration"
            | "assert_statement" => {
                // the declared name is not a reference
                let name = first_child_of_kind(node, "identifier").map(|n| n.id());
                self.visit_children(node, scopes, &name.into_iter().collect::<Vec<_>>());
            }
            "resource_declaration" | "module_declaration" | "test_block" => {
                // nor are the name and the type or path string
                let skip: Vec<usize> = [
                    first_child_of_kind(node, "identifier"),
                    first_child_of_kind(node, "string"),
                ]
                .into_iter()
                .flatten()
                .map(|n| n.id())
                .collect();
                self.visit_children(node, scopes, &skip);
            }
            "user_defined_function" => self.visit_function_declaration(node, scopes),
            "import_functionality"
            | "import_statement"
            | "import_with_statement"
            | "using_statement"
            | "target_scope_assignment"
            | "property_identifier"
            | "comment"
            | "diagnostic_comment" => {}
            "decorator" => self.visit_decorator(node, scopes),
            "call_expression" => self.visit_call(node, scopes),
            "member_expression" | "resource_expression" => {
                // `.property` and `::child` are not references
                if let Some(object) = node.child_by_field_name("object") {
                    self.visit(object, scopes);
                }
            }
            "object_property" => {
                for (i, c) in kids(node).into_iter().enumerate() {
                    let is_key =
                        i == 0 && matches!(c.kind(), "identifier" | "compatible_identifier");
                    if !is_key {
                        self.visit(c, scopes);
                    }
                }
            }
            "object" => self.visit_object(node, scopes),
            "for_statement" => self.visit_for(node, scopes),
            "array" => self.visit_array(node, scopes),
            "lambda_expression" => self.visit_lambda(node, scopes),
            _ => self.visit_children(node, scopes, &[]),
        }
    }

    /// A user-defined function: its parameters are in scope in its body.
    fn visit_function_declaration(&mut self, node: Node<'_>, scopes: &mut Vec<Vec<String>>) {
        let params: Vec<Node<'_>> = first_child_of_kind(node, "parameters")
            .map(|p| {
                kids(p)
                    .into_iter()
                    .filter(|c| c.kind() == "parameter")
                    .collect()
            })
            .unwrap_or_default();
        let mut names = Vec::new();
        for p in &params {
            if let Some(name) = first_child_of_kind(*p, "identifier") {
                names.push(text(name, self.src).to_owned());
            }
            if let Some(ty) = first_child_of_kind(*p, "type") {
                self.visit(ty, scopes);
            }
        }
        if let Some(returns) = node.child_by_field_name("returns") {
            self.visit(returns, scopes);
        }
        let children = kids(node);
        if let Some(arrow) = children.iter().position(|c| c.kind() == "=>") {
            scopes.push(names);
            for body in &children[arrow + 1..] {
                self.visit(*body, scopes);
            }
            scopes.pop();
        }
    }

    /// A decorator: its name is not a reference; its arguments are.
    fn visit_decorator(&mut self, node: Node<'_>, scopes: &mut Vec<Vec<String>>) {
        // the decorator's name is not a reference; its arguments are
        if let Some(call) = first_child_of_kind(node, "call_expression") {
            if let Some(function) = call.child_by_field_name("function")
                && function.kind() == "member_expression"
                && let Some(object) = function.child_by_field_name("object")
            {
                self.visit(object, scopes);
            }
            if let Some(args) = call.child_by_field_name("arguments") {
                self.visit(args, scopes);
            }
        }
    }

    /// A call: the function named, then its arguments.
    fn visit_call(&mut self, node: Node<'_>, scopes: &mut Vec<Vec<String>>) {
        if let Some(function) = node.child_by_field_name("function") {
            match function.kind() {
                "identifier" => self.function(function, scopes),
                "member_expression" => {
                    self.namespaced_function(function, scopes);
                    self.visit(function, scopes);
                }
                _ => self.visit(function, scopes),
            }
        }
        if let Some(args) = node.child_by_field_name("arguments") {
            self.visit(args, scopes);
        }
    }

    /// An object literal: nested resources are visible throughout it.
    fn visit_object(&mut self, node: Node<'_>, scopes: &mut Vec<Vec<String>>) {
        // nested resources are visible throughout their parent's body
        let nested: Vec<String> = kids(node)
            .into_iter()
            .filter(|c| c.kind() == "object_property")
            .filter_map(|p| first_child_of_kind(p, "resource_declaration"))
            .filter_map(|r| first_child_of_kind(r, "identifier"))
            .map(|n| text(n, self.src).to_owned())
            .collect();
        scopes.push(nested);
        self.visit_children(node, scopes, &[]);
        scopes.pop();
    }

    /// A `for`: the iterable, then the body with the loop variables in scope.
    fn visit_for(&mut self, node: Node<'_>, scopes: &mut Vec<Vec<String>>) {
        let children = kids(node);
        let mut names = Vec::new();
        if let Some(params) = first_child_of_kind(node, "for_loop_parameters") {
            for c in kids(params) {
                if matches!(c.kind(), "loop_variable" | "loop_enumerator") {
                    names.push(text(c, self.src).to_owned());
                }
            }
        } else if let Some(init) = node.child_by_field_name("initializer") {
            names.push(text(init, self.src).to_owned());
        }
        let in_at = children.iter().position(|c| c.kind() == "in");
        let colon_at = children.iter().position(|c| c.kind() == ":");
        if let (Some(a), Some(b)) = (in_at, colon_at) {
            for iterable in &children[a + 1..b] {
                self.visit(*iterable, scopes);
            }
            scopes.push(names);
            for body in &children[b + 1..] {
                self.visit(*body, scopes);
            }
            scopes.pop();
        }
    }

    /// An array literal, with the calls tree-sitter-bicep splits in two.
    fn visit_array(&mut self, node: Node<'_>, scopes: &mut Vec<Vec<String>>) {
        // tree-sitter-bicep 1.1.0 splits a call inside an array into
        // two elements, `f` and `(args)`: the first is still a call.
        let children = kids(node);
        for (i, c) in children.iter().enumerate() {
            // `f().x` splits into `f` and `().x`, a member
            // expression on a parenthesized one.
            let called = children.get(i + 1).is_some_and(|next| {
                let opens = next.kind() == "parenthesized_expression"
                    || (next.kind() == "member_expression"
                        && next
                            .child(0)
                            .is_some_and(|o| o.kind() == "parenthesized_expression"));
                opens && next.start_position().row == c.end_position().row
            });
            match (called, c.kind()) {
                (true, "identifier") => self.function(*c, scopes),
                (true, "member_expression") => {
                    self.namespaced_function(*c, scopes);
                    self.visit(*c, scopes);
                }
                _ => self.visit(*c, scopes),
            }
        }
    }

    /// A lambda: its parameters are in scope in its body.
    fn visit_lambda(&mut self, node: Node<'_>, scopes: &mut Vec<Vec<String>>) {
        let children = kids(node);
        let Some(arrow) = children.iter().position(|c| c.kind() == "=>") else {
            return;
        };
        let mut names = Vec::new();
        for p in &children[..arrow] {
            match p.kind() {
                "identifier" => names.push(text(*p, self.src).to_owned()),
                "parenthesized_expression" => names.extend(
                    kids(*p)
                        .into_iter()
                        .filter(|c| c.kind() == "identifier")
                        .map(|c| text(c, self.src).to_owned()),
                ),
                _ => {}
            }
        }
        scopes.push(names);
        for body in &children[arrow + 1..] {
            self.visit(*body, scopes);
        }
        scopes.pop();
    }
}

/// The object a resource or module body boils down to (through `if` and `for`).
fn body_object(node: Node<'_>) -> Option<Node<'_>> {
    match node.kind() {
        "object" => Some(node),
        "if_statement" => first_child_of_kind(node, "object"),
        "for_statement" => body_object(node.child_by_field_name("body")?),
        _ => None,
    }
}

/// The value of the property `key` in an object literal, with the key node.
fn property<'t>(object: Node<'t>, key: &str, src: &str) -> Option<(Node<'t>, Node<'t>)> {
    kids(object)
        .into_iter()
        .filter(|c| c.kind() == "object_property")
        .find_map(|p| {
            let named: Vec<Node<'t>> = kids(p)
                .into_iter()
                .filter(|c| c.is_named() && !is_comment(*c))
                .collect();
            let k = *named.first()?;
            let name = match k.kind() {
                "identifier" => text(k, src).to_owned(),
                "string" => string_value(k, src)?,
                _ => return None,
            };
            (name == key && named.len() == 2).then(|| (k, named[1]))
        })
}

fn relative(dir: &Path, path: &str) -> PathBuf {
    dir.join(path)
}

fn read_params(path: &Path) -> Option<Vec<ParamInfo>> {
    std::fs::read_to_string(path)
        .ok()
        .map(|src| declared_params(&src))
}

/// A module's path exists, its required params are passed and its passed params declared.
fn check_module(module: Node<'_>, src: &str, dir: &Path, problems: &mut BTreeSet<Problem>) {
    let mut add = |node: Node<'_>, rule: &'static str, msg: String| {
        let (line, col) = pos(node);
        problems.insert((line, col, rule, msg));
    };
    let (Some(name_node), Some(path_node)) = (
        first_child_of_kind(module, "identifier"),
        first_child_of_kind(module, "string"),
    ) else {
        return;
    };
    let name = text(name_node, src);
    let Some(path) = string_value(path_node, src) else {
        add(
            path_node,
            "MODULE",
            format!("module '{name}': the path must be a string literal without interpolation"),
        );
        return;
    };
    if is_registry_reference(&path) {
        return;
    }
    if path.contains('\\') {
        add(
            path_node,
            "MODULE",
            format!("module '{name}': module paths use '/', not '\\': '{path}'"),
        );
        return;
    }
    let file = relative(dir, &path);
    if !file.is_file() {
        add(
            path_node,
            "MODULE",
            format!(
                "module '{name}': module file not found: '{path}' ({})",
                file.display()
            ),
        );
        return;
    }
    if FileKind::of_path(&file) != Some(FileKind::Bicep) {
        return; // an ARM JSON template: its parameters are not read here
    }
    let Some(declared) = read_params(&file) else {
        return;
    };
    let Some(body) = kids(module)
        .into_iter()
        .rfind(Node::is_named)
        .and_then(body_object)
    else {
        return;
    };
    let (passed, open) = match property(body, "params", src) {
        None => (Vec::new(), false),
        Some((_, value)) if value.kind() == "object" => object_keys(value, src),
        Some(_) => return, // `params: someVariable`: not checkable here
    };
    for (key, node) in &passed {
        if !declared.iter().any(|p| &p.name == key) {
            add(
                *node,
                "PARAMS",
                format!("module '{name}': unknown param '{key}': '{path}' declares no such param"),
            );
        }
    }
    if !open {
        for p in declared.iter().filter(|p| p.required) {
            if !passed.iter().any(|(k, _)| *k == p.name) {
                add(
                    name_node,
                    "PARAMS",
                    format!(
                        "module '{name}': missing required param '{}' of '{path}'",
                        p.name
                    ),
                );
            }
        }
    }
}

/// The literal keys of an object, and whether it may have others (a spread
/// `...x`, desugared to `_: x`, or an interpolated key).
fn object_keys<'t>(object: Node<'t>, src: &str) -> (Vec<(String, Node<'t>)>, bool) {
    let mut keys = Vec::new();
    let mut open = false;
    for p in kids(object)
        .into_iter()
        .filter(|c| c.kind() == "object_property")
    {
        let Some(k) = kids(p)
            .into_iter()
            .find(|c| c.is_named() && !is_comment(*c))
        else {
            continue;
        };
        match k.kind() {
            "identifier" if text(k, src) == "_" && src[k.start_byte()..].starts_with("_: ") => {
                open = true;
            }
            "identifier" => keys.push((text(k, src).to_owned(), k)),
            "compatible_identifier" => {
                keys.push((text(k, src).trim_end_matches('?').to_owned(), k));
            }
            "string" => match string_value(k, src) {
                Some(v) => keys.push((v, k)),
                None => open = true,
            },
            _ => open = true,
        }
    }
    (keys, open)
}

/// A `.bicepparam` file against its `using` target.
fn check_params_file(
    original: &str,
    decls: &[Decl<'_>],
    dir: &Path,
    problems: &mut BTreeSet<Problem>,
) {
    let Some((row, line)) = original
        .lines()
        .enumerate()
        .find(|(_, l)| keyword_then_space(l.trim_start(), "using"))
    else {
        return; // reported by the syntax check (PARAM)
    };
    let col = line.len() - line.trim_start().len();
    let target = line.trim_start()["using".len()..].trim_start();
    let at = (row + 1, col + 1);
    let Some(target) = target.strip_prefix('\'').and_then(|t| t.split('\'').next()) else {
        // `using none`, or not a string: nothing to check against
        return;
    };
    if is_registry_reference(target) {
        return;
    }
    let file = relative(dir, target);
    let Some(declared) = file.is_file().then(|| read_params(&file)).flatten() else {
        problems.insert((
            at.0,
            at.1,
            "USING",
            format!("using target not found: '{target}' ({})", file.display()),
        ));
        return;
    };
    let set: Vec<&Decl<'_>> = decls.iter().filter(|d| d.kind == SymKind::Param).collect();
    for d in &set {
        if !declared.iter().any(|p| p.name == d.name) {
            let (line, col) = pos(d.node);
            problems.insert((
                line,
                col,
                "USING",
                format!("param '{}' is not declared in '{target}'", d.name),
            ));
        }
    }
    for p in declared.iter().filter(|p| p.required) {
        if !set.iter().any(|d| d.name == p.name) {
            problems.insert((
                at.0,
                at.1,
                "USING",
                format!("required param '{}' of '{target}' is not set", p.name),
            ));
        }
    }
}
