//! Offline checks of the Terraform (`Azure/azapi`) root modules amlgen
//! writes, with a real HCL grammar (`hcl-rs`) since no Terraform binary can
//! run here. Include it with `#[path = "common/hcl.rs"] mod hcl;` (it needs
//! `common/arm.rs` as `arm` beside it).
//!
//! - [`Module::parse`]: every `.tf` of one root module parses, with no
//!   heredoc (the layout writes none);
//! - [`Module::reference_errors`]: every `var.x`, `local.x`, `data.T.x`,
//!   `T.x` used is declared in the module, every function is one of
//!   Terraform's, every variable without a default is set in
//!   `terraform.tfvars.example`, and resources, data and locals form no cycle;
//! - [`Module::schema_errors`]: every `azapi_resource` and
//!   `azapi_update_resource`, rebuilt as the ARM resource it stands for
//!   (`type@apiVersion`, name, location, tags, identity, then `body`), with
//!   Terraform references standing in as ARM expressions, validates strictly
//!   against the vendored ARM schemas, like the ARM output does;
//! - [`Module::canonical`] and [`arm_canonical`]: both sides reduced to the
//!   same records (type, API version, parent, name, body, and location,
//!   tags, identity) where every reference is replaced by what it names, so
//!   that ARM and Terraform can be compared for equality (see [`Ctx`]).

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};

use hcl::expr::{Expression, ObjectKey, TemplateExpr, TraversalOperator};
use hcl::template::{Element, Template};
use hcl::{Block, Body, Structure};
use serde_json::{Map, Value, json};

/// The namespace ARM's `guid()` hashes under (UUID v5).
pub const GUID_NAMESPACE: &str = "11fb06fb-712d-4ddd-98c7-e71bbd588830";

/// Terraform built-in functions a module may call (the printer needs only a
/// few of them; anything else is taken as an injected call).
const TF_FUNCTIONS: &[&str] = &[
    "uuidv5",
    "join",
    "format",
    "lower",
    "upper",
    "jsonencode",
    "merge",
    "concat",
    "tostring",
    "length",
    "replace",
    "substr",
    "lookup",
    "try",
    "coalesce",
    "keys",
    "values",
    "toset",
    "tolist",
    "tomap",
    "split",
    "trimprefix",
    "trimsuffix",
    "startswith",
    "endswith",
    "contains",
    "can",
    "contains",
    "element",
    "flatten",
    "distinct",
];

/// Roots of a traversal Terraform itself provides.
const TF_ROOTS: &[&str] = &["path", "terraform", "self", "each", "count"];

/// One root module: its `.tf` files parsed, and the example variable file.
pub struct Module {
    pub files: BTreeMap<String, Body>,
    pub tfvars: Option<Body>,
}

/// A declared object of a module, named as Terraform addresses it
/// (`var.x`, `local.x`, `data.T.x`, `T.x`), with what it refers to.
struct Decl {
    refs: BTreeSet<String>,
    /// Part of the dependency graph (resources, data, locals).
    node: bool,
    has_default: bool,
}

fn label(block: &Block, i: usize) -> Option<&str> {
    block.labels.get(i).map(hcl::BlockLabel::as_str)
}

fn attr<'a>(body: &'a Body, key: &str) -> Option<&'a Expression> {
    body.attributes()
        .find(|a| a.key.as_str() == key)
        .map(|a| &a.expr)
}

/// Parses one `.tf` text: a syntax error or a heredoc is an error.
pub fn parse_tf(text: &str) -> Result<Body, String> {
    let body = hcl::parse(text).map_err(|e| e.to_string())?;
    let mut heredocs = 0;
    walk_body(&body, &mut |e| {
        if matches!(e, Expression::TemplateExpr(t) if matches!(**t, TemplateExpr::Heredoc(_))) {
            heredocs += 1;
        }
    });
    if heredocs > 0 {
        return Err(format!("{heredocs} heredoc(s): the layout writes none"));
    }
    Ok(body)
}

/// Calls `f` on every expression of a body, nested ones included
/// (template interpolations too).
pub fn walk_body(body: &Body, f: &mut dyn FnMut(&Expression)) {
    for s in body {
        match s {
            Structure::Attribute(a) => walk_expr(&a.expr, f),
            Structure::Block(b) => walk_body(&b.body, f),
        }
    }
}

pub fn walk_expr(e: &Expression, f: &mut dyn FnMut(&Expression)) {
    f(e);
    match e {
        Expression::Array(items) => items.iter().for_each(|i| walk_expr(i, f)),
        Expression::Object(map) => {
            for (k, v) in map {
                if let ObjectKey::Expression(k) = k {
                    walk_expr(k, f);
                }
                walk_expr(v, f);
            }
        }
        Expression::TemplateExpr(t) => {
            for el in template_elements(t) {
                if let Element::Interpolation(i) = el {
                    walk_expr(&i.expr, f);
                }
            }
        }
        Expression::Traversal(t) => {
            // The root variable is part of the reference, not one itself.
            if !matches!(t.expr, Expression::Variable(_)) {
                walk_expr(&t.expr, f);
            }
            for op in &t.operators {
                if let TraversalOperator::Index(i) = op {
                    walk_expr(i, f);
                }
            }
        }
        Expression::FuncCall(c) => c.args.iter().for_each(|a| walk_expr(a, f)),
        Expression::Parenthesis(p) => walk_expr(p, f),
        Expression::Conditional(c) => {
            walk_expr(&c.cond_expr, f);
            walk_expr(&c.true_expr, f);
            walk_expr(&c.false_expr, f);
        }
        _ => {}
    }
}

/// The elements of a template (a template that does not parse gives one
/// directive-free literal: the parser already accepted the file).
pub fn template_elements(t: &TemplateExpr) -> Vec<Element> {
    Template::from_expr(t)
        .map(|t| t.elements().to_vec())
        .unwrap_or_default()
}

/// The Terraform address an expression refers to, if it is a reference:
/// `var.x`, `local.x`, `data.T.x`, `T.x`, or `?name` for an unknown root.
fn address(e: &Expression) -> Option<String> {
    let (root, ops) = match e {
        Expression::Variable(v) => (v.as_str(), &[][..]),
        Expression::Traversal(t) => match &t.expr {
            Expression::Variable(v) => (v.as_str(), &t.operators[..]),
            _ => return None,
        },
        _ => return None,
    };
    let attrs: Vec<&str> = ops
        .iter()
        .map_while(|op| match op {
            TraversalOperator::GetAttr(i) => Some(i.as_str()),
            _ => None,
        })
        .collect();
    let take = |n: usize| -> String {
        let mut parts = vec![root];
        parts.extend(attrs.iter().take(n));
        parts.join(".")
    };
    match root {
        r if TF_ROOTS.contains(&r) => None,
        "var" | "local" if !attrs.is_empty() => Some(take(1)),
        "data" if attrs.len() >= 2 => Some(take(2)),
        _ if !attrs.is_empty() && root.contains('_') => Some(take(1)),
        _ => Some(format!("?{}", take(attrs.len()))),
    }
}

/// Every reference and every function call an expression makes.
fn uses(e: &Expression, refs: &mut BTreeSet<String>, funcs: &mut BTreeSet<String>) {
    walk_expr(e, &mut |x| match x {
        Expression::FuncCall(c) => {
            funcs.insert(c.name.name.as_str().to_string());
        }
        _ => {
            if let Some(a) = address(x) {
                refs.insert(a);
            }
        }
    });
}

/// The references of a block body, except `lifecycle` (whose
/// `ignore_changes` names attributes, not objects).
fn body_uses(body: &Body, refs: &mut BTreeSet<String>, funcs: &mut BTreeSet<String>) {
    for s in body {
        match s {
            Structure::Attribute(a) => uses(&a.expr, refs, funcs),
            Structure::Block(b) if b.identifier.as_str() == "lifecycle" => {}
            Structure::Block(b) => body_uses(&b.body, refs, funcs),
        }
    }
}

impl Module {
    /// Parses the files of one root module: `files` maps a file name
    /// (`main.tf`, `terraform.tfvars.example`, ...) to its text.
    pub fn parse(files: &BTreeMap<String, String>) -> Result<Module, Vec<String>> {
        let mut errors = Vec::new();
        let mut module = Module {
            files: BTreeMap::new(),
            tfvars: None,
        };
        for (name, text) in files {
            let ext = std::path::Path::new(name).extension();
            let is_tf = ext.is_some_and(|e| e.eq_ignore_ascii_case("tf"));
            if !is_tf && !name.ends_with(".tfvars.example") {
                continue;
            }
            match parse_tf(text) {
                Ok(body) if is_tf => {
                    module.files.insert(name.clone(), body);
                }
                Ok(body) => module.tfvars = Some(body),
                Err(e) => errors.push(format!("{name}: {e}")),
            }
        }
        if errors.is_empty() {
            Ok(module)
        } else {
            Err(errors)
        }
    }

    /// Every top-level block of every file.
    pub fn blocks(&self) -> impl Iterator<Item = &Block> {
        self.files.values().flat_map(Body::blocks)
    }

    /// The resource (`kind` = `resource`) or data block `T.name`.
    pub fn block(&self, kind: &str, ty: &str, name: &str) -> Option<&Block> {
        self.blocks().find(|b| {
            b.identifier.as_str() == kind && label(b, 0) == Some(ty) && label(b, 1) == Some(name)
        })
    }

    /// The expression of `local.name`.
    pub fn local(&self, name: &str) -> Option<&Expression> {
        self.blocks()
            .filter(|b| b.identifier.as_str() == "locals")
            .find_map(|b| attr(&b.body, name))
    }

    fn declarations(&self, errors: &mut Vec<String>) -> BTreeMap<String, Decl> {
        let mut decls = BTreeMap::new();
        let mut funcs = BTreeSet::new();
        let mut declare = |key: String, decl: Decl, errors: &mut Vec<String>| {
            if decls.insert(key.clone(), decl).is_some() {
                errors.push(format!("{key} is declared twice"));
            }
        };
        for b in self.blocks() {
            let mut refs = BTreeSet::new();
            match (b.identifier.as_str(), label(b, 0), label(b, 1)) {
                ("locals", _, _) => {
                    for a in b.body.attributes() {
                        let mut refs = BTreeSet::new();
                        uses(&a.expr, &mut refs, &mut funcs);
                        let decl = Decl {
                            refs,
                            node: true,
                            has_default: false,
                        };
                        declare(format!("local.{}", a.key.as_str()), decl, errors);
                    }
                }
                ("resource" | "data", Some(t), Some(n)) => {
                    body_uses(&b.body, &mut refs, &mut funcs);
                    let key = if b.identifier.as_str() == "data" {
                        format!("data.{t}.{n}")
                    } else {
                        format!("{t}.{n}")
                    };
                    declare(
                        key,
                        Decl {
                            refs,
                            node: true,
                            has_default: false,
                        },
                        errors,
                    );
                }
                ("variable", Some(n), None) => {
                    // `type` is a type constraint (`map(string)`), not an expression.
                    for st in &b.body {
                        match st {
                            Structure::Attribute(a) if a.key.as_str() == "type" => {}
                            Structure::Attribute(a) => uses(&a.expr, &mut refs, &mut funcs),
                            Structure::Block(v) => body_uses(&v.body, &mut refs, &mut funcs),
                        }
                    }
                    let has_default = attr(&b.body, "default").is_some();
                    declare(
                        format!("var.{n}"),
                        Decl {
                            refs,
                            node: false,
                            has_default,
                        },
                        errors,
                    );
                }
                ("output", Some(n), None) => {
                    body_uses(&b.body, &mut refs, &mut funcs);
                    declare(
                        format!("output.{n}"),
                        Decl {
                            refs,
                            node: false,
                            has_default: false,
                        },
                        errors,
                    );
                }
                ("terraform" | "provider", _, _) => {}
                (other, _, _) => errors.push(format!("unexpected block `{other}`")),
            }
        }
        for f in funcs {
            if !TF_FUNCTIONS.contains(&f.as_str()) {
                errors.push(format!("call of `{f}`, which is not a Terraform function"));
            }
        }
        decls
    }

    /// For each resource, data block and local: everything it depends on,
    /// directly or through others (references and `depends_on`).
    pub fn dependency_closure(&self) -> BTreeMap<String, BTreeSet<String>> {
        let decls = self.declarations(&mut Vec::new());
        let mut out = BTreeMap::new();
        for (key, _) in decls.iter().filter(|(_, d)| d.node) {
            let mut seen = BTreeSet::new();
            let mut stack = vec![key.clone()];
            while let Some(k) = stack.pop() {
                for r in decls.get(&k).map(|d| &d.refs).into_iter().flatten() {
                    if seen.insert(r.clone()) {
                        stack.push(r.clone());
                    }
                }
            }
            out.insert(key.clone(), seen);
        }
        out
    }

    /// Undeclared references, unknown functions, unset variables, cycles.
    pub fn reference_errors(&self) -> Vec<String> {
        let mut errors = Vec::new();
        let decls = self.declarations(&mut errors);
        for (key, decl) in &decls {
            for r in &decl.refs {
                if let Some(bare) = r.strip_prefix('?') {
                    errors.push(format!("{key} uses `{bare}`, which is not a reference"));
                } else if !decls.contains_key(r) {
                    errors.push(format!(
                        "{key} uses {r}, which is not declared in the module"
                    ));
                }
            }
        }
        let set: BTreeSet<String> = self
            .tfvars
            .iter()
            .flat_map(Body::attributes)
            .map(|a| format!("var.{}", a.key.as_str()))
            .collect();
        for (key, decl) in &decls {
            if key.starts_with("var.") && !decl.has_default && !set.contains(key) {
                errors.push(format!(
                    "{key} has no default and terraform.tfvars.example does not set it"
                ));
            }
        }
        for key in &set {
            if !decls.contains_key(key) {
                errors.push(format!(
                    "terraform.tfvars.example sets {key}, which is not declared"
                ));
            }
        }
        if let Some(cycle) = find_cycle(&decls) {
            errors.push(format!("reference cycle: {}", cycle.join(" -> ")));
        }
        errors
    }
}

fn find_cycle(decls: &BTreeMap<String, Decl>) -> Option<Vec<String>> {
    // 0 = unseen, 1 = on the stack, 2 = done.
    fn visit(
        key: &str,
        decls: &BTreeMap<String, Decl>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match state.get(key) {
            Some(2) => return None,
            Some(1) => {
                let from = stack.iter().position(|k| k == key).unwrap_or(0);
                let mut cycle = stack[from..].to_vec();
                cycle.push(key.to_string());
                return Some(cycle);
            }
            _ => {}
        }
        state.insert(key.to_string(), 1);
        stack.push(key.to_string());
        if let Some(d) = decls.get(key) {
            for r in d
                .refs
                .iter()
                .filter(|r| decls.get(*r).is_some_and(|d| d.node))
            {
                if let Some(c) = visit(r, decls, state, stack) {
                    return Some(c);
                }
            }
        }
        stack.pop();
        state.insert(key.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for (key, _) in decls.iter().filter(|(_, d)| d.node) {
        let mut stack = Vec::new();
        if let Some(c) = visit(key, decls, &mut state, &mut stack) {
            return Some(c);
        }
    }
    None
}

// ------------------------------------------------------------ the ARM view

/// One `azapi_resource` or `azapi_update_resource` of a module.
pub struct TfResource<'a> {
    pub kind: &'a str,
    pub label: &'a str,
    pub ty: String,
    pub api: String,
    pub body: &'a Body,
}

impl Module {
    /// The azapi resources, in file order.
    pub fn resources(&self) -> Vec<TfResource<'_>> {
        let mut out = Vec::new();
        for b in self
            .blocks()
            .filter(|b| b.identifier.as_str() == "resource")
        {
            let (Some(kind), Some(label)) = (label(b, 0), label(b, 1)) else {
                continue;
            };
            if kind != "azapi_resource" && kind != "azapi_update_resource" {
                continue;
            }
            let ty = match attr(&b.body, "type") {
                Some(Expression::String(s)) => s.clone(),
                _ => String::new(),
            };
            let (ty, api) = ty.split_once('@').unwrap_or((&ty, ""));
            out.push(TfResource {
                kind,
                label,
                ty: ty.to_string(),
                api: api.to_string(),
                body: &b.body,
            });
        }
        out
    }

    /// The ARM resource JSON a block stands for, every expression that is
    /// not a literal standing in as an ARM expression string.
    pub fn arm_resource(r: &TfResource<'_>) -> Value {
        let mut out = Map::new();
        out.insert("type".into(), json!(r.ty));
        out.insert("apiVersion".into(), json!(r.api));
        let mut name = attr(r.body, "name").map_or_else(|| json!("[tf('name')]"), stand_in);
        // A child's short name: ARM wants `parent/child`.
        let segments = r.ty.split('/').count().saturating_sub(1);
        if let Value::String(n) = &mut name
            && !n.starts_with('[')
            && segments > n.split('/').count()
        {
            *n = format!("{}{n}", "parent/".repeat(segments - n.split('/').count()));
        }
        out.insert("name".into(), name);
        for key in ["location", "tags"] {
            if let Some(e) = attr(r.body, key) {
                out.insert(key.into(), stand_in(e));
            }
        }
        if let Some(identity) = r
            .body
            .blocks()
            .find(|b| b.identifier.as_str() == "identity")
        {
            out.insert("identity".into(), identity_json(&identity.body, &stand_in));
        }
        if let Some(Value::Object(body)) = attr(r.body, "body").map(stand_in) {
            out.extend(body);
        }
        Value::Object(out)
    }

    /// Validates every azapi resource's ARM view in a template of the given
    /// `$schema` (the ARM twin's, or a resource group deployment's).
    pub fn schema_errors(&self, schema: &str) -> Vec<String> {
        let resources: Vec<Value> = self.resources().iter().map(Module::arm_resource).collect();
        let template = json!({
            "$schema": schema,
            "contentVersion": "1.0.0.0",
            "resources": resources,
        });
        crate::arm::validate_template(&template)
    }
}

/// ARM's identity object from an `identity { type, identity_ids }` block.
fn identity_json(body: &Body, value: &dyn Fn(&Expression) -> Value) -> Value {
    let mut out = Map::new();
    if let Some(t) = attr(body, "type") {
        out.insert("type".into(), value(t));
    }
    if let Some(Expression::Array(ids)) = attr(body, "identity_ids") {
        let ids: Map<String, Value> = ids
            .iter()
            .map(|id| (value_text(&value(id)), json!({})))
            .collect();
        out.insert("userAssignedIdentities".into(), Value::Object(ids));
    }
    Value::Object(out)
}

/// Literals as JSON; anything else as an ARM expression string.
fn stand_in(e: &Expression) -> Value {
    match e {
        Expression::Null => Value::Null,
        Expression::Bool(b) => json!(b),
        Expression::Number(n) => serde_json::to_value(n).unwrap_or(Value::Null),
        Expression::String(s) => json!(s),
        Expression::Array(items) => items.iter().map(stand_in).collect(),
        Expression::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (key_text(k, &|e| value_text(&stand_in(e))), stand_in(v)))
                .collect(),
        ),
        _ => json!("[tf('expression')]"),
    }
}

fn key_text(k: &ObjectKey, value: &dyn Fn(&Expression) -> String) -> String {
    match k {
        ObjectKey::Identifier(i) => i.as_str().to_string(),
        ObjectKey::Expression(Expression::String(s)) => s.clone(),
        ObjectKey::Expression(e) => value(e),
        _ => "{key}".into(),
    }
}

/// A value as text inside a larger string: strings as they are, the rest
/// as JSON.
pub fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl Module {
    /// Template directives (`%{...}`) anywhere, and interpolations of
    /// anything but a reference or a function call: what an unescaped
    /// posture string would produce.
    pub fn injection_errors(&self) -> Vec<String> {
        let mut errors = Vec::new();
        for (name, body) in &self.files {
            walk_body(body, &mut |e| {
                let Expression::TemplateExpr(t) = e else {
                    return;
                };
                for el in template_elements(t) {
                    match el {
                        Element::Directive(_) => {
                            errors.push(format!("{name}: a template directive in {t}"));
                        }
                        Element::Interpolation(i)
                            if !matches!(
                                i.expr,
                                Expression::Traversal(_) | Expression::FuncCall(_)
                            ) =>
                        {
                            errors.push(format!(
                                "{name}: an interpolation of a non-reference in {t}"
                            ));
                        }
                        _ => {}
                    }
                }
            });
        }
        errors
    }

    /// The agreed layout: `terraform` pins Terraform and `Azure/azapi`, one
    /// `provider "azapi"` with no alias (nothing needs one), and every azapi
    /// resource has `type = "T@apiVersion"`, an object `body`, and a
    /// `name` and `parent_id` (or, for an update, a `resource_id`).
    pub fn layout_errors(&self) -> Vec<String> {
        let mut errors = Vec::new();
        let terraform: Vec<&Block> = self
            .blocks()
            .filter(|b| b.identifier.as_str() == "terraform")
            .collect();
        let azapi = terraform
            .iter()
            .flat_map(|t| t.body.blocks())
            .filter(|b| b.identifier.as_str() == "required_providers")
            .find_map(|b| attr(&b.body, "azapi"));
        match azapi {
            Some(Expression::Object(o)) => {
                let get = |k: &str| {
                    o.iter().find_map(|(key, v)| match (key, v) {
                        (ObjectKey::Identifier(i), Expression::String(s)) if i.as_str() == k => {
                            Some(s.as_str())
                        }
                        _ => None,
                    })
                };
                if get("source") != Some("Azure/azapi") {
                    errors.push("required_providers.azapi.source is not \"Azure/azapi\"".into());
                }
                if get("version").is_none_or(str::is_empty) {
                    errors.push("required_providers.azapi has no version constraint".into());
                }
            }
            _ => errors.push("no required_providers.azapi".into()),
        }
        if !terraform
            .iter()
            .any(|t| attr(&t.body, "required_version").is_some())
        {
            errors.push("no required_version".into());
        }
        let providers: Vec<&Block> = self
            .blocks()
            .filter(|b| b.identifier.as_str() == "provider")
            .collect();
        if providers.len() != 1 || providers.first().and_then(|p| label(p, 0)) != Some("azapi") {
            errors.push(format!(
                "{} provider blocks, not one `provider \"azapi\"`",
                providers.len()
            ));
        }
        for p in providers
            .iter()
            .filter(|p| attr(&p.body, "alias").is_some())
        {
            errors.push(format!("a provider alias on provider {:?}", label(p, 0)));
        }
        for r in self.resources() {
            let at = format!("{}.{}", r.kind, r.label);
            if r.ty.is_empty() || r.api.is_empty() {
                errors.push(format!("{at}: type is not a literal \"T@apiVersion\""));
            }
            if !matches!(attr(r.body, "body"), Some(Expression::Object(_))) {
                errors.push(format!("{at}: body is not an object"));
            }
            let needed: &[&str] = if r.kind == "azapi_update_resource" {
                &["resource_id"]
            } else {
                &["name", "parent_id"]
            };
            for key in needed.iter().filter(|k| attr(r.body, k).is_none()) {
                errors.push(format!("{at}: no {key}"));
            }
            if attr(r.body, "provider").is_some() {
                errors.push(format!("{at}: a provider alias"));
            }
        }
        errors
    }

    /// Every plain string literal of the `.tf` files (object keys
    /// included), in document order.
    pub fn literal_strings(&self) -> Vec<String> {
        let mut out = Vec::new();
        for body in self.files.values() {
            walk_body(body, &mut |e| {
                if let Expression::String(s) = e {
                    out.push(s.clone());
                }
            });
        }
        out
    }

    /// The literal strings and the literal parts of every template.
    pub fn all_strings(&self) -> Vec<String> {
        let mut out = self.literal_strings();
        for body in self.files.values() {
            walk_body(body, &mut |e| {
                if let Expression::TemplateExpr(t) = e {
                    for el in template_elements(t) {
                        if let Element::Literal(s) = el {
                            out.push(s);
                        }
                    }
                }
            });
        }
        out
    }
}

#[path = "hcl_canon.rs"]
mod canon;
#[path = "hcl_order.rs"]
mod order;
pub use canon::{
    ArmResource, Ctx, arm_canonical, arm_canonical_by_module, diff_records, final_phases,
};
pub use order::order_errors;
