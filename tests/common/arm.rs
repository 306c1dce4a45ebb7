//! Offline validation of ARM JSON templates against Microsoft's ARM JSON
//! schemas, vendored unmodified in `tests/data/arm-schemas/` (origin and
//! commits in its `SOURCES.md`). Include it from a test file with
//! `#[path = "common/arm.rs"] mod arm;`.
//!
//! It is a port of the `validate_arm.py --strict` oracle, so that the tests
//! do not need Python:
//!
//! - the template envelope (everything but `resources`) is validated against
//!   the root template schema of the scope its `$schema` names (resource
//!   group, subscription, management group, tenant);
//! - every resource (the `resources` array, or the languageVersion 2.0
//!   `resources` object; nested child `resources`; inline
//!   `properties.template` of `Microsoft.Resources/deployments`, recursively)
//!   against `<root>#/definitions/resourceBase` and
//!   `<provider>#/<scope>_resourceDefinitions/<type>`, picked by `type`
//!   (case-insensitive) and `apiVersion`. An unknown type@apiVersion is an
//!   error; `"existing": true` (and `import`) resources are skipped;
//! - strict mode, always on: a property name that no applicable subschema
//!   declares is an error (the published schemas never close their objects,
//!   so a misspelt name would pass otherwise).
//!
//! ARM expressions (`^\[([^\[].*)?\]$`) are accepted wherever the schema
//! offers `common/definitions.json#/definitions/expression`, which the
//! provider schemas do for every non-string value.
//!
//! Nothing is fetched: every schema is registered from the vendored files
//! under its `https://schema.management.azure.com/schemas/...` URL, and a
//! `$ref` to a file that is not vendored fails the validation that reaches
//! it ("schema reference not available offline"). The root templates refer
//! to hundreds of such files (the index of every resource type); like the
//! oracle, we never follow those.
//!
//! The same in-memory work-arounds as the oracle are applied to the loaded
//! schemas (the files stay untouched), see [`normalize_schema`].

// Every test crate that includes this module uses a different part of it.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::paths::{Location, LocationSegment};
use jsonschema::{Draft, Registry, ValidationError, Validator};
use serde_json::{Map, Value, json};

/// The vendored schemas, laid out like `https://schema.management.azure.com/schemas/`.
pub const SCHEMA_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/arm-schemas");
const BASE_URL: &str = "https://schema.management.azure.com/schemas/";
const EXPR_REF: &str =
    "https://schema.management.azure.com/schemas/common/definitions.json#/definitions/expression";
const EXTENSION_KEY: &str = "extension_resourceDefinitions";
/// Resource-level keys ARM accepts that neither `resourceBase` nor the
/// provider schemas declare (strict check only).
const ARM_EXTRA_RESOURCE_KEYS: [&str; 5] = [
    "metadata",
    "subscriptionId",
    "resourceGroup",
    "existing",
    "resources",
];
const MAX_SCHEMA_DEPTH: usize = 60;

/// Deployment scope: its `*resourceDefinitions` key and its root template
/// schema (envelope and `resourceBase`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scope {
    ResourceGroup,
    Subscription,
    ManagementGroup,
    Tenant,
}

impl Scope {
    fn definitions_key(self) -> &'static str {
        match self {
            Scope::ResourceGroup => "resourceDefinitions",
            Scope::Subscription => "subscription_resourceDefinitions",
            Scope::ManagementGroup => "managementGroup_resourceDefinitions",
            Scope::Tenant => "tenant_resourceDefinitions",
        }
    }

    fn root_schema(self) -> &'static str {
        match self {
            Scope::ResourceGroup => "2019-04-01/deploymentTemplate.json",
            Scope::Subscription => "2018-05-01/subscriptionDeploymentTemplate.json",
            Scope::ManagementGroup => "2019-08-01/managementGroupDeploymentTemplate.json",
            Scope::Tenant => "2019-08-01/tenantDeploymentTemplate.json",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Scope::ResourceGroup => "resourceGroup",
            Scope::Subscription => "subscription",
            Scope::ManagementGroup => "managementGroup",
            Scope::Tenant => "tenant",
        }
    }

    /// The scope a template `$schema` URL names, if it names one.
    fn of(schema_url: &Value) -> Option<Scope> {
        let low = schema_url.as_str()?.to_lowercase();
        [
            ("subscriptiondeploymenttemplate", Scope::Subscription),
            ("managementgroupdeploymenttemplate", Scope::ManagementGroup),
            ("tenantdeploymenttemplate", Scope::Tenant),
            ("deploymenttemplate", Scope::ResourceGroup),
        ]
        .into_iter()
        .find_map(|(needle, scope)| low.contains(needle).then_some(scope))
    }
}

// ------------------------------------------------------------------ public API

/// Validates an ARM template (any scope, nested deployments included) with
/// strict property checking. Each error is `JSON.PATH: message`, the path
/// starting at `$`; an empty result means the template is valid.
#[must_use]
pub fn validate_template(template: &Value) -> Vec<String> {
    let mut checker = Checker::new(store());
    checker.template(template, "$", None);
    checker.errors
}

/// Validates `instance` against one schema location, e.g.
/// `https://schema.management.azure.com/schemas/2026-05-01/Microsoft.MachineLearningServices.json#/definitions/OutboundRule`
/// (no strict check). Errors as in [`validate_template`].
#[must_use]
pub fn validate_against(schema_ref: &str, instance: &Value) -> Vec<String> {
    let mut checker = Checker::new(store());
    checker.run_schema(&[schema_ref.to_owned()], instance, "$");
    checker.errors
}

/// Whether `value` looks like an ARM template: an object whose `$schema`
/// names one of the deployment template schemas.
#[must_use]
pub fn is_deployment_template(value: &Value) -> bool {
    value.get("$schema").and_then(Scope::of).is_some()
}

/// Every resource a template deploys as `(type, apiVersion, name)`, in
/// document order: top-level resources (array or languageVersion 2.0
/// object), nested child resources (type made absolute, `parent/child` name
/// when both names are literals) and the resources of inline nested
/// deployment templates, recursively (after the deployment itself).
/// `existing` and `import` resources are left out; a name that is not a
/// string is given as its JSON text.
#[must_use]
pub fn collect_resources(template: &Value) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    collect_template(template, &mut out);
    out
}

/// How many times each in-memory schema work-around applied while loading
/// the vendored schemas (same names as in `validate_arm.py`).
#[must_use]
pub fn schema_workarounds() -> BTreeMap<&'static str, usize> {
    store().fixes.clone()
}

/// Every `type@apiVersion` the vendored schemas cover (type lower-cased).
#[must_use]
pub fn known_types() -> BTreeSet<(String, String)> {
    store().index.keys().cloned().collect()
}

// ---------------------------------------------------------------- the schemas

struct Store {
    /// Schema URL (no fragment) -> normalized document.
    docs: BTreeMap<String, Value>,
    fixes: BTreeMap<&'static str, usize>,
    /// `url#json-pointer` of every `$ref` that cannot be resolved locally
    /// (replaced in memory by an always-failing stub) -> the reference.
    unavailable: HashMap<String, String>,
    /// (lower-cased type, apiVersion) -> definitions key -> (schema URL, definition name).
    index: HashMap<(String, String), BTreeMap<String, (String, String)>>,
    versions: HashMap<String, BTreeSet<String>>,
    registry: Registry<'static>,
    /// Compiled validators by `url#fragment`, or the compile error.
    validators: Mutex<HashMap<String, Result<Arc<Validator>, String>>>,
}

fn store() -> &'static Store {
    static STORE: OnceLock<Store> = OnceLock::new();
    STORE.get_or_init(Store::load)
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e} (the ARM schemas must be vendored, see tests/data/README.md)",
            dir.display()
        )
    });
    for entry in entries {
        let path = entry.expect("readable directory entry").path();
        if path.is_dir() {
            json_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "json") {
            out.push(path);
        }
    }
}

impl Store {
    fn load() -> Store {
        let root = Path::new(SCHEMA_DIR);
        let mut files = Vec::new();
        json_files(root, &mut files);
        files.sort();
        assert!(!files.is_empty(), "no ARM schemas under {SCHEMA_DIR}");
        let mut docs = BTreeMap::new();
        let mut fixes = BTreeMap::new();
        for path in files {
            let rel = path
                .strip_prefix(root)
                .expect("under the schema folder")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            let mut doc: Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{} is not valid JSON: {e}", path.display()));
            normalize_schema(&mut doc, &rel, &mut fixes);
            docs.insert(format!("{BASE_URL}{rel}"), doc);
        }
        let unavailable = stub_unavailable_refs(&mut docs);

        let mut index: HashMap<(String, String), BTreeMap<String, (String, String)>> =
            HashMap::new();
        let mut versions: HashMap<String, BTreeSet<String>> = HashMap::new();
        for (url, doc) in &docs {
            for (key, defs) in doc.as_object().into_iter().flatten() {
                let Some(defs) = defs
                    .as_object()
                    .filter(|_| key.ends_with("resourceDefinitions"))
                else {
                    continue;
                };
                for (name, def) in defs {
                    let strings = |field: &str| -> Vec<&str> {
                        def.pointer(&format!("/properties/{field}/enum"))
                            .and_then(Value::as_array)
                            .into_iter()
                            .flatten()
                            .filter_map(Value::as_str)
                            .collect()
                    };
                    for t in strings("type") {
                        for a in strings("apiVersion") {
                            index
                                .entry((t.to_lowercase(), a.to_owned()))
                                .or_default()
                                .insert(key.clone(), (url.clone(), name.clone()));
                            versions
                                .entry(t.to_lowercase())
                                .or_default()
                                .insert(a.to_owned());
                        }
                    }
                }
            }
        }

        let registry = Registry::new()
            .draft(Draft::Draft4)
            .extend(docs.iter().map(|(url, doc)| (url.clone(), doc.clone())))
            .and_then(jsonschema::RegistryBuilder::prepare)
            .unwrap_or_else(|e| panic!("cannot register the vendored ARM schemas: {e}"));
        Store {
            docs,
            fixes,
            unavailable,
            index,
            versions,
            registry,
            validators: Mutex::new(HashMap::new()),
        }
    }

    /// The compiled validator for the schema at `key` (`url#fragment`).
    fn validator(&'static self, key: &str) -> Result<Arc<Validator>, String> {
        if let Some(found) = self.validators.lock().expect("validator cache").get(key) {
            return found.clone();
        }
        let built = jsonschema::options()
            .with_draft(Draft::Draft4)
            .with_registry(&self.registry)
            .should_validate_formats(false) // like the oracle's Draft4Validator
            .build(&json!({ "$ref": key }))
            .map(Arc::new)
            .map_err(|e| e.to_string());
        self.validators
            .lock()
            .expect("validator cache")
            .insert(key.to_owned(), built.clone());
        built
    }

    /// The schema node at `url` + JSON pointer.
    fn node(&'static self, url: &str, ptr: String) -> Option<Node> {
        let (url, doc) = self.docs.get_key_value(url)?;
        let schema = doc.pointer(&ptr)?;
        Some(Node { url, ptr, schema })
    }

    /// The array of alternatives an `anyOf` / `oneOf` error comes from.
    fn alternatives(&'static self, err: &ValidationError<'_>) -> Option<&'static Vec<Value>> {
        let (url, ptr) = split_location(err)?;
        self.docs.get(&url)?.pointer(&ptr)?.as_array()
    }

    /// The `$ref` of a stub an error comes from, if it does.
    fn unavailable_hit(&self, err: &ValidationError<'_>) -> Option<String> {
        if let ValidationErrorKind::Not { .. } = err.kind()
            && let Some((url, ptr)) = split_location(err)
            && let Some(stub) = ptr.strip_suffix("/not")
            && let Some(reference) = self.unavailable.get(&format!("{url}#{stub}"))
        {
            return Some(reference.clone());
        }
        match err.kind() {
            ValidationErrorKind::AnyOf { context }
            | ValidationErrorKind::OneOfNotValid { context }
            | ValidationErrorKind::OneOfMultipleValid { context } => context
                .iter()
                .flatten()
                .find_map(|sub| self.unavailable_hit(sub)),
            _ => None,
        }
    }
}

/// A schema location: document URL, JSON pointer and the node itself.
#[derive(Clone)]
struct Node {
    url: &'static str,
    ptr: String,
    schema: &'static Value,
}

impl Node {
    fn child(&self, token: &str) -> Option<Node> {
        Some(Node {
            url: self.url,
            ptr: format!("{}/{}", self.ptr, escape_token(token)),
            schema: self.schema.get(token)?,
        })
    }

    fn item(&self, index: usize) -> Option<Node> {
        Some(Node {
            url: self.url,
            ptr: format!("{}/{index}", self.ptr),
            schema: self.schema.get(index)?,
        })
    }

    /// `url#pointer`, the key of the stub table.
    fn raw_key(&self) -> String {
        format!("{}#{}", self.url, self.ptr)
    }

    /// `url#fragment`, what a `$ref` to this node says.
    fn reference(&self) -> String {
        format!("{}#{}", self.url, encode_fragment(&self.ptr))
    }
}

/// (document URL, JSON pointer) of an error's absolute keyword location.
fn split_location(err: &ValidationError<'_>) -> Option<(String, String)> {
    let location = err.absolute_keyword_location()?.as_str();
    let (url, fragment) = location.split_once('#')?;
    Some((url.to_owned(), percent_decode(fragment)))
}

fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn encode_fragment(ptr: &str) -> String {
    let mut out = String::with_capacity(ptr.len());
    for byte in ptr.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?".contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && hex.bytes().all(|b| b.is_ascii_hexdigit())
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Resolves `reference` against the document at `base_url`: (URL, JSON pointer).
fn resolve_reference(base_url: &str, reference: &str) -> (String, String) {
    let (target, fragment) = reference.split_once('#').unwrap_or((reference, ""));
    let url = if target.is_empty() {
        base_url.to_owned()
    } else if target.contains("://") {
        target.to_owned()
    } else {
        let mut segments: Vec<&str> = base_url.split('/').collect();
        segments.pop();
        for segment in target.split('/') {
            match segment {
                "." => {}
                ".." => {
                    segments.pop();
                }
                s => segments.push(s),
            }
        }
        segments.join("/")
    };
    (url, percent_decode(fragment))
}

/// Replaces, in memory, every `$ref` whose target is not among `docs` with
/// an always-failing stub, and returns where the stubs are. The registry
/// resolves every reference eagerly, while the oracle (and ARM) only fail
/// when validation reaches a missing one; the stubs keep that behaviour.
fn stub_unavailable_refs(docs: &mut BTreeMap<String, Value>) -> HashMap<String, String> {
    fn scan(
        docs: &BTreeMap<String, Value>,
        url: &str,
        node: &Value,
        ptr: &str,
        found: &mut Vec<(String, String)>,
    ) {
        match node {
            Value::Object(map) => {
                if let Some(Value::String(reference)) = map.get("$ref") {
                    let (target, target_ptr) = resolve_reference(url, reference);
                    let resolvable = docs
                        .get(&target)
                        .is_some_and(|doc| doc.pointer(&target_ptr).is_some());
                    if !resolvable {
                        found.push((ptr.to_owned(), reference.clone()));
                        return;
                    }
                }
                for (key, value) in map {
                    scan(
                        docs,
                        url,
                        value,
                        &format!("{ptr}/{}", escape_token(key)),
                        found,
                    );
                }
            }
            Value::Array(items) => {
                for (i, value) in items.iter().enumerate() {
                    scan(docs, url, value, &format!("{ptr}/{i}"), found);
                }
            }
            _ => {}
        }
    }

    let mut stubs = Vec::new();
    for (url, doc) in docs.iter() {
        let mut found = Vec::new();
        scan(docs, url, doc, "", &mut found);
        stubs.extend(found.into_iter().map(|(ptr, r)| (url.clone(), ptr, r)));
    }
    let mut unavailable = HashMap::new();
    for (url, ptr, reference) in stubs {
        if let Some(node) = docs.get_mut(&url).and_then(|doc| doc.pointer_mut(&ptr)) {
            *node = json!({ "not": {} });
        }
        unavailable.insert(format!("{url}#{ptr}"), reference);
    }
    unavailable
}

// --------------------------------------------------------- schema work-arounds

fn is_expr(value: &Value) -> bool {
    // Python's `re.match(r"^\[([^\[].*)?\]$", s)`: `.` stops at a newline and
    // `$` also matches before a final newline.
    fn matches(s: &str) -> bool {
        let Some(inner) = s.strip_prefix('[').and_then(|s| s.strip_suffix(']')) else {
            return false;
        };
        let mut chars = inner.chars();
        match chars.next() {
            None => true,
            Some('[') => false,
            Some(_) => !chars.as_str().contains('\n'),
        }
    }
    value
        .as_str()
        .is_some_and(|s| matches(s) || s.strip_suffix('\n').is_some_and(matches))
}

fn is_expr_branch(schema: &Value) -> bool {
    schema.get("$ref").and_then(Value::as_str) == Some(EXPR_REF)
}

fn has_expr_alt(alternatives: Option<&Value>) -> bool {
    alternatives
        .and_then(Value::as_array)
        .is_some_and(|alts| alts.iter().any(is_expr_branch))
}

fn bump(fixes: &mut BTreeMap<&'static str, usize>, kind: &'static str) {
    *fixes.entry(kind).or_default() += 1;
}

fn py_islower(s: &str) -> bool {
    s.chars().any(char::is_lowercase) && !s.chars().any(char::is_uppercase)
}

/// The in-memory work-arounds of `validate_arm.py` (`normalize_schema`), for
/// places where the published schemas reject valid ARM JSON. Each kind is
/// counted in `fixes`:
///
/// - `discriminator-base`: the C#-generated schemas (2026-05-01
///   MachineLearningServices) write discriminated unions as
///   `allOf: [{base, additionalProperties: false}, {oneOf: [variants]}]`.
///   Under draft-04 the base cannot see the variants' properties, so every
///   variant-specific property (an FQDN rule's `destination`, a compute's
///   `properties`) is rejected. The keyword is dropped; the variants still
///   enforce the discriminator with their own enum.
/// - `expr-oneOf-to-anyOf`: `oneOf: [X, <expression>]` fails for an
///   expression whenever X also accepts that string (X = `{}`, or a name
///   pattern). ARM means "X or an expression", i.e. `anyOf`.
/// - `name-expression`: some resource `name` schemas carry length, pattern
///   or enum limits with no expression alternative.
/// - `root-tags`: the root templates' `resourceBase.tags` is
///   `{"type": "object"}`, which rejects `"[parameters('tags')]"`.
/// - `lowercase-enum`: Bicep emits `copy.mode` `"serial"` and
///   `expressionEvaluationOptions.scope` `"inner"`; the schemas only list
///   `Serial` / `Inner` (ARM ignores case). Lower-case spellings are added
///   to exactly these two enums.
fn normalize_schema(doc: &mut Value, file: &str, fixes: &mut BTreeMap<&'static str, usize>) {
    fn walk(node: &mut Value, fixes: &mut BTreeMap<&'static str, usize>) {
        match node {
            Value::Object(map) => {
                if let Some(Value::Array(all_of)) = map.get_mut("allOf")
                    && all_of.len() >= 2
                    && all_of[0].get("additionalProperties") == Some(&Value::Bool(false))
                    && all_of[1..]
                        .iter()
                        .any(|x| x.as_object().is_some_and(|o| o.contains_key("oneOf")))
                    && let Some(base) = all_of[0].as_object_mut()
                {
                    base.remove("additionalProperties");
                    bump(fixes, "discriminator-base");
                }
                if has_expr_alt(map.get("oneOf"))
                    && !map.contains_key("anyOf")
                    && let Some(alternatives) = map.remove("oneOf")
                {
                    map.insert("anyOf".to_owned(), alternatives);
                    bump(fixes, "expr-oneOf-to-anyOf");
                }
                for value in map.values_mut() {
                    walk(value, fixes);
                }
            }
            Value::Array(items) => {
                for value in items {
                    walk(value, fixes);
                }
            }
            _ => {}
        }
    }

    fn fix_name(definition: &mut Value, fixes: &mut BTreeMap<&'static str, usize>) {
        let Some(props) = definition
            .get_mut("properties")
            .and_then(Value::as_object_mut)
        else {
            return;
        };
        let Some(name) = props.get("name").and_then(Value::as_object) else {
            return;
        };
        if ["pattern", "minLength", "maxLength", "enum"]
            .iter()
            .any(|k| name.contains_key(*k))
            && !has_expr_alt(name.get("anyOf"))
            && !has_expr_alt(name.get("oneOf"))
        {
            let name = props.remove("name").expect("just seen");
            props.insert(
                "name".to_owned(),
                json!({ "anyOf": [name, { "$ref": EXPR_REF }] }),
            );
            bump(fixes, "name-expression");
        }
    }

    fn fix_tags(part: &mut Value, fixes: &mut BTreeMap<&'static str, usize>) {
        let Some(props) = part.get_mut("properties").and_then(Value::as_object_mut) else {
            return;
        };
        if props
            .get("tags")
            .is_some_and(|tags| tags.is_object() && !has_expr_alt(tags.get("anyOf")))
        {
            let tags = props.remove("tags").expect("just seen");
            props.insert(
                "tags".to_owned(),
                json!({ "anyOf": [tags, { "$ref": EXPR_REF }] }),
            );
            bump(fixes, "root-tags");
        }
    }

    fn fix_enum(alt: &mut Value, fixes: &mut BTreeMap<&'static str, usize>) {
        if let Some(Value::Array(values)) = alt.get_mut("enum")
            && !values.iter().any(|v| v.as_str().is_some_and(py_islower))
        {
            let lower: Vec<Value> = values
                .iter()
                .filter_map(Value::as_str)
                .map(|v| Value::String(v.to_lowercase()))
                .collect();
            values.extend(lower);
            bump(fixes, "lowercase-enum");
        }
    }

    walk(doc, fixes);

    let Some(top) = doc.as_object_mut() else {
        return;
    };
    let sections: Vec<String> = top
        .iter()
        .filter(|(k, v)| k.ends_with("resourceDefinitions") && v.is_object())
        .map(|(k, _)| k.clone())
        .collect();
    for section in sections {
        for definition in top[&section]
            .as_object_mut()
            .expect("an object")
            .values_mut()
        {
            fix_name(definition, fixes);
        }
    }
    let Some(defs) = top.get_mut("definitions").and_then(Value::as_object_mut) else {
        return;
    };
    for (name, definition) in defs.iter_mut() {
        if name.ends_with("_childResource") {
            fix_name(definition, fixes);
        }
    }
    if file.ends_with("eploymentTemplate.json")
        && let Some(base) = defs.get_mut("resourceBase")
    {
        fix_tags(base, fixes);
        if let Some(Value::Array(parts)) = base.get_mut("allOf") {
            for part in parts {
                fix_tags(part, fixes);
            }
        }
    }
    for target in [
        "/resourceCopy/properties/mode",
        "/ExpressionEvaluationOptions/properties/scope",
    ] {
        let Some(target) = pointer_in(defs, target) else {
            continue;
        };
        fix_enum(target, fixes);
        if let Some(Value::Array(alts)) = target.get_mut("anyOf") {
            for alt in alts {
                fix_enum(alt, fixes);
            }
        }
    }
}

fn pointer_in<'a>(map: &'a mut Map<String, Value>, ptr: &str) -> Option<&'a mut Value> {
    let (first, rest) = ptr.strip_prefix('/')?.split_once('/')?;
    map.get_mut(first)?.pointer_mut(&format!("/{rest}"))
}

// ---------------------------------------------------------------- formatting

#[derive(Clone, Debug, PartialEq, Eq)]
enum Seg {
    Key(String),
    Index(usize),
}

fn segments(location: &Location) -> Vec<Seg> {
    location
        .iter()
        .map(|segment| match segment {
            LocationSegment::Property(p) => Seg::Key(p.into_owned()),
            LocationSegment::Index(i) => Seg::Index(i),
        })
        .collect()
}

fn is_identifier(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

/// `$.a.b[0]["odd-key"]`, as the oracle writes paths.
fn fmt_path(base: &str, parts: &[Seg]) -> String {
    let mut out = base.to_owned();
    for part in parts {
        match part {
            Seg::Index(i) => {
                let _ = write!(out, "[{i}]");
            }
            Seg::Key(k) if is_identifier(k) => {
                let _ = write!(out, ".{k}");
            }
            Seg::Key(k) => {
                out.push('[');
                write_py_str(k, true, &mut out);
                out.push(']');
            }
        }
    }
    out
}

/// Python's `json.dumps(value, ensure_ascii=ascii)`.
fn py_json(value: &Value, ascii: bool) -> String {
    let mut out = String::new();
    write_py_json(value, ascii, &mut out);
    out
}

fn write_py_json(value: &Value, ascii: bool, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => write_py_str(s, ascii, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_py_json(item, ascii, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_py_str(key, ascii, out);
                out.push_str(": ");
                write_py_json(item, ascii, out);
            }
            out.push('}');
        }
    }
}

fn write_py_str(s: &str, ascii: bool, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 || (ascii && u32::from(c) > 0x7e) => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The oracle's `short`: JSON text, cut to 70 characters.
fn short(value: &Value) -> String {
    let text = py_json(value, false);
    if text.chars().count() <= 70 {
        text
    } else {
        text.chars().take(67).chain("...".chars()).collect()
    }
}

fn truncate(text: &str, limit: usize) -> String {
    text.chars().take(limit).collect()
}

/// Python's `repr` of a string (or the JSON text of anything else).
fn py_repr(value: &Value) -> String {
    let Some(s) = value.as_str() else {
        return py_json(value, false);
    };
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::new();
    out.push(quote);
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
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

fn py_list(items: &[&str]) -> String {
    let inner: Vec<String> = items
        .iter()
        .map(|s| py_repr(&Value::String((*s).to_owned())))
        .collect();
    format!("[{}]", inner.join(", "))
}

/// `difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)`.
fn close_match<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        let score = similarity(candidate, word);
        if score >= 0.6
            && best.is_none_or(|(s, c)| {
                score > s
                    || (score.partial_cmp(&s) == Some(std::cmp::Ordering::Equal) && candidate > c)
            })
        {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// `difflib.SequenceMatcher(None, a, b).ratio()` (no junk: the strings are
/// far shorter than the 200 characters where its heuristic starts).
fn similarity(a: &str, b: &str) -> f64 {
    fn longest(a: &[char], b: &[char], (alo, ahi, blo, bhi): Block) -> (usize, usize, usize) {
        let (mut best_i, mut best_j, mut best_k) = (alo, blo, 0);
        let mut prev = vec![0usize; bhi - blo + 1];
        for (i, ai) in a.iter().enumerate().take(ahi).skip(alo) {
            let mut cur = vec![0usize; bhi - blo + 1];
            for (j, bj) in b.iter().enumerate().take(bhi).skip(blo) {
                if ai == bj {
                    let k = prev[j - blo] + 1;
                    cur[j - blo + 1] = k;
                    if k > best_k {
                        (best_i, best_j, best_k) = (i + 1 - k, j + 1 - k, k);
                    }
                }
            }
            prev = cur;
        }
        (best_i, best_j, best_k)
    }
    type Block = (usize, usize, usize, usize);

    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let total = a.len() + b.len();
    if total == 0 {
        return 1.0;
    }
    let mut matched = 0;
    let mut queue: Vec<Block> = vec![(0, a.len(), 0, b.len())];
    while let Some(block) = queue.pop() {
        let (alo, ahi, blo, bhi) = block;
        let (i, j, k) = longest(&a, &b, block);
        if k > 0 {
            matched += k;
            if alo < i && blo < j {
                queue.push((alo, i, blo, j));
            }
            if i + k < ahi && j + k < bhi {
                queue.push((i + k, ahi, j + k, bhi));
            }
        }
    }
    let to_f64 = |n: usize| f64::from(u32::try_from(n).unwrap_or(u32::MAX));
    2.0 * to_f64(matched) / to_f64(total)
}

// ------------------------------------------------------------------- checking

/// One explained error: instance path, message, and whether it is an `enum`
/// with a single allowed value (how a union's discriminator fails).
#[derive(Clone)]
struct Leaf {
    path: Vec<Seg>,
    msg: String,
    single_enum: bool,
}

struct Gathered {
    props: BTreeMap<String, Vec<Node>>,
    additional: Vec<Node>,
    items: Vec<Node>,
    closed: bool,
}

struct Checker {
    store: &'static Store,
    errors: Vec<String>,
}

impl Checker {
    fn new(store: &'static Store) -> Self {
        Checker {
            store,
            errors: Vec::new(),
        }
    }

    fn err(&mut self, path: &str, msg: &str) {
        self.errors.push(format!("{path}: {msg}"));
    }

    /// Validates `instance` against all of `keys` (an `allOf`), reporting
    /// the explained errors in path order.
    fn run_schema(&mut self, keys: &[String], instance: &Value, base_path: &str) {
        let mut validators = Vec::new();
        for key in keys {
            match self.store.validator(key) {
                Ok(v) => validators.push(v),
                Err(e) => {
                    self.err(
                        base_path,
                        &format!("schema reference not available offline: {e}"),
                    );
                    return;
                }
            }
        }
        let mut errors: Vec<ValidationError<'_>> = validators
            .iter()
            .flat_map(|v| v.iter_errors(instance))
            .collect();
        if let Some(reference) = errors.iter().find_map(|e| self.store.unavailable_hit(e)) {
            self.err(
                base_path,
                &format!("schema reference not available offline: {reference}"),
            );
            return;
        }
        errors.sort_by_cached_key(|e| {
            segments(e.instance_path())
                .into_iter()
                .map(|s| match s {
                    Seg::Key(k) => k,
                    Seg::Index(i) => i.to_string(),
                })
                .collect::<Vec<_>>()
        });
        let mut seen = BTreeSet::new();
        let mut lines = Vec::new();
        for error in &errors {
            let mut leaves = Vec::new();
            self.explain(error, &mut leaves);
            for leaf in leaves {
                let line = (fmt_path(base_path, &leaf.path), leaf.msg);
                if seen.insert(line.clone()) {
                    lines.push(line);
                }
            }
        }
        // Stable: a union's header stays before its details.
        lines.sort_by(|a, b| a.0.cmp(&b.0));
        for (path, msg) in lines {
            self.err(&path, &msg);
        }
    }

    /// The oracle's `explain`: looks through the `anyOf: [<schema>,
    /// <expression>]` wrappers so that the message names the real problem,
    /// and through discriminated unions to the variant the discriminator
    /// selects.
    fn explain(&self, err: &ValidationError<'_>, out: &mut Vec<Leaf>) {
        let path = segments(err.instance_path());
        let context = match err.kind() {
            ValidationErrorKind::AnyOf { context }
            | ValidationErrorKind::OneOfNotValid { context } => Some(context),
            _ => None,
        };
        if let Some(context) = context.filter(|c| c.iter().any(|b| !b.is_empty())) {
            let alternatives = self.store.alternatives(err);
            let real: Vec<&Vec<ValidationError<'static>>> = context
                .iter()
                .enumerate()
                .filter(|(i, branch)| {
                    !branch.is_empty()
                        && !alternatives
                            .and_then(|alts| alts.get(*i))
                            .is_some_and(is_expr_branch)
                })
                .map(|(_, branch)| branch)
                .collect();
            if real.len() == 1 || (!real.is_empty() && !err.instance().is_object()) {
                // One real alternative, or not even an object: every
                // variant fails the same way.
                for sub in real[0] {
                    self.explain(sub, out);
                }
                return;
            }
            if !real.is_empty() {
                let depth = path.len();
                let leaves: Vec<Vec<Leaf>> = real
                    .iter()
                    .map(|branch| {
                        let mut leaves = Vec::new();
                        for sub in *branch {
                            self.explain(sub, &mut leaves);
                        }
                        leaves
                    })
                    .collect();
                let count = alternatives.map_or(context.len(), Vec::len);
                let head = format!(
                    "{} matches none of the {count} alternatives",
                    short(err.instance())
                );
                let best = leaves
                    .iter()
                    .filter(|ls| {
                        !ls.iter()
                            .any(|l| l.single_enum && l.path.len() == depth + 1)
                    })
                    .min_by_key(|ls| ls.len());
                match best {
                    None => out.push(Leaf {
                        path,
                        msg: format!("{head} (its discriminator value selects no variant)"),
                        single_enum: false,
                    }),
                    Some(best) => {
                        out.push(Leaf {
                            path,
                            msg: format!(
                                "{head}; the variant its discriminator selects fails with:"
                            ),
                            single_enum: false,
                        });
                        out.extend(best.iter().cloned());
                    }
                }
                return;
            }
        }
        let instance = short(err.instance());
        let (msg, single_enum) = match err.kind() {
            ValidationErrorKind::Enum { options } => (
                format!("{instance} is not one of {}", py_json(options, true)),
                options.as_array().is_some_and(|o| o.len() == 1),
            ),
            ValidationErrorKind::Type { kind } => {
                let expected = split_location(err)
                    .and_then(|(url, ptr)| self.store.docs.get(&url)?.pointer(&ptr))
                    .map_or_else(
                        || match kind {
                            TypeKind::Single(t) => format!("\"{t}\""),
                            TypeKind::Multiple(set) => format!("{set:?}"),
                        },
                        |t| py_json(t, true),
                    );
                (format!("{instance} is not of type {expected}"), false)
            }
            ValidationErrorKind::Pattern { pattern } => (
                format!(
                    "{instance} does not match pattern {}",
                    py_json(&Value::String(pattern.clone()), true)
                ),
                false,
            ),
            ValidationErrorKind::OneOfNotValid { .. }
            | ValidationErrorKind::OneOfMultipleValid { .. } => (
                format!(
                    "{instance} is valid under more than one / none of the alternatives ({})",
                    truncate(&err.to_string(), 120)
                ),
                false,
            ),
            ValidationErrorKind::Required { property } => (
                format!("{} is a required property", py_repr(property)),
                false,
            ),
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let names: Vec<String> = unexpected
                    .iter()
                    .map(|u| py_repr(&Value::String(u.clone())))
                    .collect();
                let verb = if names.len() == 1 { "was" } else { "were" };
                (
                    format!(
                        "Additional properties are not allowed ({} {verb} unexpected)",
                        names.join(", ")
                    ),
                    false,
                )
            }
            _ => {
                let text = err.to_string();
                let text = if text.chars().count() <= 300 {
                    text
                } else {
                    truncate(&text, 297) + "..."
                };
                (text, false)
            }
        };
        out.push(Leaf {
            path,
            msg,
            single_enum,
        });
    }

    // ------------------------------------------------------------- template

    fn template(&mut self, tpl: &Value, path: &str, inherited: Option<Scope>) {
        let Some(obj) = tpl.as_object() else {
            self.err(path, "template is not a JSON object");
            return;
        };
        let declared = obj.get("$schema").filter(|s| !s.is_null());
        let named = declared.and_then(Scope::of);
        if let Some(schema) = declared
            && named.is_none()
        {
            self.err(
                &format!("{path}.$schema"),
                &format!("unrecognised template $schema {}", short(schema)),
            );
        }
        let scope = named.or(inherited).unwrap_or(Scope::ResourceGroup);
        let mut envelope = obj.clone();
        let resources = obj.get("resources");
        let language_v2 = obj.contains_key("languageVersion");
        envelope.insert(
            "resources".to_owned(),
            if resources.is_some_and(Value::is_object) {
                json!({})
            } else {
                json!([])
            },
        );
        // Not described by the 2019-era root schemas (languageVersion 2.0,
        // user-defined types):
        envelope.remove("languageVersion");
        envelope.remove("definitions");
        if language_v2 {
            envelope.remove("parameters");
            envelope.remove("outputs");
        }
        let root = format!("{BASE_URL}{}#", scope.root_schema());
        self.run_schema(&[root], &Value::Object(envelope), path);
        let items: Vec<(String, &Value)> = match resources {
            Some(Value::Object(map)) => map
                .iter()
                .map(|(k, r)| {
                    (
                        fmt_path(&format!("{path}.resources"), &[Seg::Key(k.clone())]),
                        r,
                    )
                })
                .collect(),
            Some(Value::Array(list)) => list
                .iter()
                .enumerate()
                .map(|(i, r)| (format!("{path}.resources[{i}]"), r))
                .collect(),
            _ => Vec::new(),
        };
        for (rpath, res) in items {
            self.resource(res, &rpath, scope, None);
        }
    }

    // ------------------------------------------------------------- resource

    fn resource(&mut self, res: &Value, path: &str, scope: Scope, parent_type: Option<&str>) {
        let Some(obj) = res.as_object() else {
            self.err(path, "resource is not a JSON object");
            return;
        };
        if obj.get("existing") == Some(&Value::Bool(true)) || obj.contains_key("import") {
            return; // reference-only: nothing is deployed
        }
        let rtype = match obj.get("type") {
            Some(Value::String(t)) if !is_expr(&Value::String(t.clone())) => t.as_str(),
            other => {
                self.err(
                    &format!("{path}.type"),
                    &format!(
                        "resource type must be a literal string, got {}",
                        short(other.unwrap_or(&Value::Null))
                    ),
                );
                return;
            }
        };
        let api = match obj.get("apiVersion") {
            Some(Value::String(a)) if !is_expr(&Value::String(a.clone())) => a.as_str(),
            other => {
                self.err(
                    &format!("{path}.apiVersion"),
                    &format!(
                        "apiVersion must be a literal string, got {}",
                        short(other.unwrap_or(&Value::Null))
                    ),
                );
                return;
            }
        };
        let full = match parent_type {
            None => rtype.to_owned(),
            Some(parent)
                if rtype
                    .to_lowercase()
                    .starts_with(&format!("{}/", parent.to_lowercase())) =>
            {
                rtype.to_owned()
            }
            Some(parent) if rtype.contains('/') => {
                self.err(
                    &format!("{path}.type"),
                    &format!(
                        "nested resource type {} is not a child of {parent}",
                        short(&Value::String(rtype.to_owned()))
                    ),
                );
                return;
            }
            Some(parent) => format!("{parent}/{rtype}"),
        };

        let store = self.store;
        match store.index.get(&(full.to_lowercase(), api.to_owned())) {
            None => {
                let hint = match store.versions.get(&full.to_lowercase()) {
                    Some(known) => format!(
                        "; local schemas have apiVersions {}",
                        py_list(&known.iter().map(String::as_str).collect::<Vec<_>>())
                    ),
                    None => "; no local schema for this type at all".to_owned(),
                };
                self.err(
                    path,
                    &format!("unknown resource type/apiVersion {full}@{api}{hint}"),
                );
            }
            Some(entry) => {
                let key = scope.definitions_key();
                let used = if entry.contains_key(key) {
                    Some(key)
                } else if entry.contains_key(EXTENSION_KEY) {
                    Some(EXTENSION_KEY)
                } else {
                    None
                };
                match used {
                    None => {
                        let mut places: Vec<String> = entry
                            .keys()
                            .map(|k| {
                                k.replace("_resourceDefinitions", "")
                                    .replace("resourceDefinitions", "resourceGroup")
                            })
                            .collect();
                        places.sort();
                        self.err(
                            path,
                            &format!(
                                "{full}@{api} cannot be deployed at {} scope (schema defines it for: {})",
                                scope.name(),
                                places.join(", ")
                            ),
                        );
                    }
                    Some(used) => {
                        let (url, name) = &entry[used];
                        self.check_resource(
                            obj,
                            path,
                            scope,
                            parent_type,
                            rtype,
                            &full,
                            url,
                            used,
                            name,
                        );
                    }
                }
            }
        }

        match obj.get("resources") {
            Some(Value::Array(children)) => {
                for (i, child) in children.iter().enumerate() {
                    self.resource(child, &format!("{path}.resources[{i}]"), scope, Some(&full));
                }
            }
            Some(Value::Object(children)) => {
                for (k, child) in children {
                    let cpath = fmt_path(&format!("{path}.resources"), &[Seg::Key(k.clone())]);
                    self.resource(child, &cpath, scope, Some(&full));
                }
            }
            _ => {}
        }
        if full.eq_ignore_ascii_case("microsoft.resources/deployments")
            && let Some(inner) = obj.get("properties").and_then(|p| p.get("template"))
            && inner.is_object()
        {
            self.template(inner, &format!("{path}.properties.template"), Some(scope));
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn check_resource(
        &mut self,
        obj: &Map<String, Value>,
        path: &str,
        scope: Scope,
        parent_type: Option<&str>,
        rtype: &str,
        full: &str,
        url: &str,
        used: &str,
        name: &str,
    ) {
        let mut inst = obj.clone();
        inst.remove("resources");
        let mut definition = format!("/{used}/{}", escape_token(name));
        if parent_type.is_some() {
            let child = format!("{name}_childResource");
            if self.store.docs[url]
                .get("definitions")
                .is_some_and(|d| d.get(&child).is_some())
            {
                definition = format!("/definitions/{}", escape_token(&child));
                let short_type = if rtype == full {
                    full.rsplit('/').next().unwrap_or(full)
                } else {
                    rtype
                };
                inst.insert("type".to_owned(), Value::String(short_type.to_owned()));
            }
        } else {
            let depth = full.matches('/').count();
            if depth > 1
                && let Some(Value::String(nm)) = obj.get("name")
                && !is_expr(&Value::String(nm.clone()))
            {
                let segs: Vec<&str> = nm.split('/').collect();
                if segs.len() != depth {
                    self.err(
                        &format!("{path}.name"),
                        &format!(
                            "{} has {} segment(s) but {full} needs {depth} ('parent/.../child')",
                            short(&Value::String(nm.clone())),
                            segs.len()
                        ),
                    );
                }
                // Schema name patterns describe the last segment only.
                let last = segs.last().copied().unwrap_or_default().to_owned();
                inst.insert("name".to_owned(), Value::String(last));
            }
        }
        let base = format!(
            "{BASE_URL}{}#/definitions/resourceBase",
            scope.root_schema()
        );
        let provider = format!("{url}#{}", encode_fragment(&definition));
        let inst = Value::Object(inst);
        self.run_schema(&[base.clone(), provider.clone()], &inst, path);

        let roots: Option<Vec<Node>> = [base, provider]
            .iter()
            .map(|r| {
                let (u, p) = resolve_reference("", r);
                self.store.node(&u, p)
            })
            .collect();
        let Some(roots) = roots else {
            self.err(path, "[strict] schema reference not available offline");
            return;
        };
        if let Err(reference) = self.strict_check(&inst, &roots, &mut Vec::new(), path, true) {
            self.err(
                path,
                &format!("[strict] schema reference not available offline: {reference}"),
            );
        }
    }

    // --------------------------------------------------------------- strict

    /// Declared properties, `additionalProperties` schemas and `items`
    /// schemas over the subschemas that apply to `instance`: following
    /// `$ref`, `allOf`, and the `oneOf` / `anyOf` alternatives the instance
    /// satisfies (all of them when it satisfies none). An object is closed
    /// when something declares properties and nothing allows others.
    fn gather(&self, nodes: &[Node], instance: &Value) -> Result<Gathered, String> {
        let mut found = Gathered {
            props: BTreeMap::new(),
            additional: Vec::new(),
            items: Vec::new(),
            closed: false,
        };
        let (mut declared, mut open) = (false, false);
        let mut stack: Vec<(Node, usize)> = nodes.iter().rev().map(|n| (n.clone(), 0)).collect();
        while let Some((node, depth)) = stack.pop() {
            let Some(schema) = node.schema.as_object() else {
                continue;
            };
            if depth > MAX_SCHEMA_DEPTH {
                continue;
            }
            if let Some(reference) = self.store.unavailable.get(&node.raw_key()) {
                return Err(reference.clone());
            }
            if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
                // draft-04: the siblings of `$ref` are ignored
                let (url, ptr) = resolve_reference(node.url, reference);
                let target = self
                    .store
                    .node(&url, ptr)
                    .ok_or_else(|| reference.to_owned())?;
                stack.push((target, depth + 1));
                continue;
            }
            let mut next: Vec<Node> = Vec::new();
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                let holder = node.child("properties").expect("present");
                for key in props.keys() {
                    declared = true;
                    found
                        .props
                        .entry(key.clone())
                        .or_default()
                        .push(holder.child(key).expect("present"));
                }
            }
            match schema.get("additionalProperties") {
                Some(Value::Bool(true)) => open = true,
                Some(Value::Object(_)) => {
                    open = true;
                    found
                        .additional
                        .push(node.child("additionalProperties").expect("present"));
                }
                _ => {}
            }
            if schema.contains_key("patternProperties") {
                open = true;
            }
            if schema.get("items").is_some_and(Value::is_object) {
                found.items.push(node.child("items").expect("present"));
            }
            if let Some(all) = node.child("allOf") {
                next.extend(
                    (0..all.schema.as_array().map_or(0, Vec::len)).filter_map(|i| all.item(i)),
                );
            }
            for keyword in ["oneOf", "anyOf"] {
                let Some(alts) = node.child(keyword) else {
                    continue;
                };
                let subs: Vec<Node> = (0..alts.schema.as_array().map_or(0, Vec::len))
                    .filter_map(|i| alts.item(i))
                    .filter(|n| !is_expr_branch(n.schema))
                    .collect();
                if subs.len() <= 1 {
                    next.extend(subs);
                    continue;
                }
                let mut ok = Vec::new();
                for sub in &subs {
                    if self.store.validator(&sub.reference())?.is_valid(instance) {
                        ok.push(sub.clone());
                    }
                }
                next.extend(if ok.is_empty() { subs } else { ok });
            }
            stack.extend(next.into_iter().rev().map(|n| (n, depth + 1)));
        }
        found.closed = declared && !open;
        Ok(found)
    }

    fn strict_check(
        &mut self,
        instance: &Value,
        nodes: &[Node],
        parts: &mut Vec<Seg>,
        base_path: &str,
        top: bool,
    ) -> Result<(), String> {
        if is_expr(instance) || nodes.is_empty() {
            return Ok(());
        }
        let found = self.gather(nodes, instance)?;
        match instance {
            Value::Object(map) => {
                for (key, value) in map {
                    parts.push(Seg::Key(key.clone()));
                    let declared = found.props.get(key);
                    if declared.is_none()
                        && found.closed
                        && !(top && ARM_EXTRA_RESOURCE_KEYS.contains(&key.as_str()))
                    {
                        let hint = match close_match(key, found.props.keys().map(String::as_str)) {
                            Some(near) => format!(
                                " (did you mean {}?)",
                                py_repr(&Value::String(near.to_owned()))
                            ),
                            None => format!(
                                " (declared: {})",
                                found.props.keys().cloned().collect::<Vec<_>>().join(", ")
                            ),
                        };
                        self.err(
                            &fmt_path(base_path, parts),
                            &format!(
                                "[strict] property {} is not declared by the schema{hint}",
                                py_repr(&Value::String(key.clone()))
                            ),
                        );
                    }
                    let subs = declared.unwrap_or(&found.additional);
                    let result = self.strict_check(value, subs, parts, base_path, false);
                    parts.pop();
                    result?;
                }
            }
            Value::Array(items) if !found.items.is_empty() => {
                for (i, value) in items.iter().enumerate() {
                    parts.push(Seg::Index(i));
                    let result = self.strict_check(value, &found.items, parts, base_path, false);
                    parts.pop();
                    result?;
                }
            }
            _ => {}
        }
        Ok(())
    }
}

// ----------------------------------------------------------- collect_resources

fn collect_template(template: &Value, out: &mut Vec<(String, String, String)>) {
    match template.get("resources") {
        Some(Value::Array(list)) => {
            for res in list {
                collect_resource(res, None, out);
            }
        }
        Some(Value::Object(map)) => {
            for res in map.values() {
                collect_resource(res, None, out);
            }
        }
        _ => {}
    }
}

fn collect_resource(
    res: &Value,
    parent: Option<(&str, &Value)>,
    out: &mut Vec<(String, String, String)>,
) {
    let Some(obj) = res.as_object() else {
        return;
    };
    if obj.get("existing") == Some(&Value::Bool(true)) || obj.contains_key("import") {
        return;
    }
    let (Some(rtype), Some(api)) = (
        obj.get("type").and_then(Value::as_str),
        obj.get("apiVersion").and_then(Value::as_str),
    ) else {
        return;
    };
    let name_value = obj.get("name").unwrap_or(&Value::Null);
    let (full, name) = match parent {
        None => (rtype.to_owned(), name_text(name_value)),
        Some((parent_type, parent_name)) => {
            let full = if rtype.contains('/') {
                rtype.to_owned()
            } else {
                format!("{parent_type}/{rtype}")
            };
            let name = match (parent_name.as_str(), name_value.as_str()) {
                (Some(p), Some(n))
                    if !is_expr(parent_name) && !is_expr(name_value) && !n.contains('/') =>
                {
                    format!("{p}/{n}")
                }
                _ => name_text(name_value),
            };
            (full, name)
        }
    };
    out.push((full.clone(), api.to_owned(), name.clone()));
    let name_value = Value::String(name);
    match obj.get("resources") {
        Some(Value::Array(children)) => {
            for child in children {
                collect_resource(child, Some((&full, &name_value)), out);
            }
        }
        Some(Value::Object(children)) => {
            for child in children.values() {
                collect_resource(child, Some((&full, &name_value)), out);
            }
        }
        _ => {}
    }
    if full.eq_ignore_ascii_case("microsoft.resources/deployments")
        && let Some(inner) = obj.get("properties").and_then(|p| p.get("template"))
    {
        collect_template(inner, out);
    }
}

fn name_text(name: &Value) -> String {
    name.as_str()
        .map_or_else(|| name.to_string(), ToOwned::to_owned)
}
