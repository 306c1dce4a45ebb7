//! Values and expressions as HCL: an ARM JSON value of the model as an HCL
//! value, and each ARM expression amlgen writes as its Terraform
//! equivalent (`resourceId` of a resource of the configuration becomes a
//! reference to it, `guid` becomes `uuidv5`, `format` a template, ...).
//! Every literal goes through [`crate::escape::hcl_string_content`].

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::emit::azure::expr::parse_arm;
use crate::emit::azure::{Expr, IdScope};
use crate::escape::{hcl_string, hcl_string_content, is_arm_expression, unarm_literal};

/// The namespace of ARM's `guid()`: a name-based (version 5) UUID of its
/// arguments joined with `-` (RFC 4122 §4.3, as the ARM string functions
/// page says of `guid`).
pub(super) const GUID_NAMESPACE: &str = "11fb06fb-712d-4ddd-98c7-e71bbd588830";

/// The subscription the configuration runs in (ARM's `subscription()`).
pub(super) const SUBSCRIPTION_ID: &str = "data.azapi_client_config.current.subscription_id";
const TENANT_ID: &str = "data.azapi_client_config.current.tenant_id";

/// A piece of a string-valued HCL expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Piece {
    Lit(String),
    Code(String),
}

/// An HCL expression: literal text and interpolated code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Hcl(pub(super) Vec<Piece>);

impl Hcl {
    pub(super) fn lit(s: &str) -> Hcl {
        Hcl(vec![Piece::Lit(s.to_string())])
    }

    pub(super) fn code(s: impl Into<String>) -> Hcl {
        Hcl(vec![Piece::Code(s.into())])
    }

    fn then(mut self, other: Hcl) -> Hcl {
        self.0.extend(other.0);
        self
    }

    fn then_lit(self, s: &str) -> Hcl {
        self.then(Hcl::lit(s))
    }

    /// The HCL text: bare code alone, else a quoted template.
    pub(super) fn render(&self) -> String {
        match self.0.as_slice() {
            [Piece::Code(c)] => c.clone(),
            [Piece::Lit(s)] => hcl_string(s),
            pieces => {
                let mut out = String::from("\"");
                for p in pieces {
                    match p {
                        Piece::Lit(s) => out.push_str(&hcl_string_content(s)),
                        Piece::Code(c) => {
                            out.push_str("${");
                            out.push_str(c);
                            out.push('}');
                        }
                    }
                }
                out.push('"');
                out
            }
        }
    }
}

/// Where an expression is evaluated: the deployment scope of its template
/// and the values of its module's parameters.
pub(super) struct Scope<'a> {
    pub(super) kind: IdScope,
    /// The resource group a module deploys into, when not the deployment's.
    pub(super) group: Option<&'a (String, String)>,
    /// The scope's literal id (a policy block's subscription or management
    /// group), when the model states it.
    pub(super) fixed_id: Option<&'a str>,
    /// The module's parameters beyond location and tags, as the parent
    /// scope computes them.
    pub(super) params: &'a [(String, Expr)],
    pub(super) parent: Option<&'a Scope<'a>>,
}

impl<'a> Scope<'a> {
    /// The scope of a deployment's own template (no module parameters).
    pub(super) fn top(kind: IdScope, fixed_id: Option<&'a str>) -> Scope<'a> {
        Scope {
            kind,
            group: None,
            fixed_id,
            params: &[],
            parent: None,
        }
    }

    /// The key of the scope a resource declared here is created at: its
    /// resource group (`""` for the deployment's, else `sub/rg`), or the
    /// subscription or management group of the deployment.
    pub(super) fn key(&self) -> String {
        match (self.kind, self.group) {
            (IdScope::ResourceGroup, None) => String::new(),
            (IdScope::ResourceGroup, Some((s, g))) => format!("{s}/{g}"),
            (IdScope::Subscription, _) => "subscription".to_string(),
            (IdScope::ManagementGroup, _) => "managementGroup".to_string(),
        }
    }
}

/// The Terraform label of resource `symbol` of module `module`.
pub(super) fn label(module: &str, symbol: &str) -> String {
    let (ms, rs) = (snake(module), snake(symbol));
    if module.is_empty() || ms == rs {
        rs
    } else {
        format!("{ms}_{rs}")
    }
}

/// A data source reading a user-assigned identity's principal id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct ReadIdentity {
    pub(super) label: String,
    pub(super) type_at_api: String,
    pub(super) id: String,
    pub(super) path: String,
}

/// Translates expressions, recording what they need declared: locals of
/// group ids, identity data sources, exported response values, and the
/// resources each block refers to.
#[derive(Default)]
pub(super) struct Translator {
    /// (group key, lower-case type, full name) → the declared resource's label.
    pub(super) index: BTreeMap<(String, String, String), String>,
    /// Resource group ids by `(subscription, group)`: the local's name.
    pub(super) locals: BTreeMap<(String, String), String>,
    pub(super) identities: BTreeSet<ReadIdentity>,
    /// (label, path) a later expression reads from a resource's response.
    pub(super) exports: BTreeSet<(String, String)>,
    /// The labels the current block refers to.
    pub(super) refs: BTreeSet<String>,
    /// The addresses declared so far: a reference to a later one is
    /// written as its literal id (ARM ids carry no order, Terraform
    /// references do, and a later resource may refer back: no cycle).
    pub(super) declared: BTreeSet<String>,
    /// Per declared address, every address it waits for, directly or not.
    pub(super) waits_for: BTreeMap<String, BTreeSet<String>>,
    /// What the block being printed waits for.
    pub(super) pending: BTreeSet<String>,
    /// The input variables the expressions read.
    pub(super) vars: BTreeSet<String>,
}

/// A Terraform identifier from any text: lower snake case.
pub(super) fn snake(s: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in s.chars() {
        if c.is_ascii_uppercase() {
            if prev_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            prev_lower = false;
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        } else {
            if !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
            prev_lower = false;
        }
    }
    let out = out.trim_end_matches('_').to_string();
    if out.starts_with(|c: char| c.is_ascii_digit()) || out.is_empty() {
        format!("r_{out}")
    } else {
        out
    }
}

fn str_arg(e: &Expr) -> Option<&str> {
    match e {
        Expr::Str(s) => Some(s),
        _ => None,
    }
}

/// `Microsoft.X/a/b` and names `[n, m]` as `/providers/Microsoft.X/a/n/b/m`.
fn provider_path(arm_type: &str, names: Vec<Hcl>) -> Hcl {
    let mut parts = arm_type.split('/');
    let mut out = Hcl::lit(&format!("/providers/{}", parts.next().unwrap_or_default()));
    for (ty, name) in parts.zip(names) {
        out = out.then_lit(&format!("/{ty}/")).then(name);
    }
    out
}

impl Translator {
    /// The id of a resource group: the deployment's, or a local.
    fn group_id(&mut self, group: Option<&(String, String)>) -> Hcl {
        let Some((sub, rg)) = group else {
            return Hcl::code("local.resource_group_id");
        };
        if let Some(name) = self.locals.get(&(sub.clone(), rg.clone())) {
            return Hcl::code(format!("local.{name}"));
        }
        let mut name = format!("resource_group_id_{}", snake(rg));
        if self.locals.values().any(|n| *n == name) {
            name = format!("{name}_{}", self.locals.len() + 1);
        }
        self.locals.insert((sub.clone(), rg.clone()), name.clone());
        Hcl::code(format!("local.{name}"))
    }

    fn subscription_id(scope: &Scope) -> Hcl {
        match (scope.group, scope.kind, scope.fixed_id) {
            (Some((sub, _)), _, _) => Hcl::lit(sub),
            (None, IdScope::Subscription, Some(id)) => {
                Hcl::lit(id.trim_start_matches("/subscriptions/"))
            }
            _ => Hcl::code(SUBSCRIPTION_ID),
        }
    }

    /// The id of the scope a resource without a parent is created at.
    pub(super) fn scope_id(&mut self, scope: &Scope) -> Hcl {
        match (scope.kind, scope.fixed_id) {
            (IdScope::ResourceGroup, _) => self.group_id(scope.group),
            (_, Some(id)) => Hcl::lit(id),
            (IdScope::Subscription, None) => {
                Hcl::lit("/subscriptions/").then(Self::subscription_id(scope))
            }
            (IdScope::ManagementGroup, None) => Hcl::lit("/"),
        }
    }

    /// The label of a declared resource an id expression names, if any.
    pub(super) fn label_of(&self, e: &Expr, scope: &Scope) -> Option<String> {
        let Expr::Call(f, args) = e else { return None };
        let strs: Option<Vec<&str>> = args.iter().map(str_arg).collect();
        let strs = strs?;
        let at = strs.iter().position(|s| s.contains('/'))?;
        let key = match (f.as_str(), strs.get(..at)?) {
            ("resourceId", []) if scope.kind == IdScope::ResourceGroup => scope.key(),
            ("resourceId", [rg]) => match scope.group {
                Some((sub, _)) => format!("{sub}/{rg}"),
                None => format!("/{rg}"),
            },
            ("resourceId", [sub, rg]) => format!("{sub}/{rg}"),
            ("subscriptionResourceId", []) if scope.kind == IdScope::Subscription => scope.key(),
            ("managementGroupResourceId", []) if scope.kind == IdScope::ManagementGroup => {
                scope.key()
            }
            _ => return None,
        };
        let ty = strs.get(at)?.to_ascii_lowercase();
        let name = strs.get(at + 1..)?.join("/");
        self.index
            .get(&(key, ty, name))
            .filter(|a| self.declared.contains(*a))
            .cloned()
    }

    /// An ARM expression of `scope` as HCL.
    pub(super) fn expr(&mut self, e: &Expr, scope: &Scope) -> Result<Hcl, String> {
        match e {
            Expr::Str(s) => Ok(Hcl::lit(s)),
            Expr::Param(p) if p == "location" || p == "tags" => {
                self.vars.insert(p.clone());
                Ok(Hcl::code(format!("var.{p}")))
            }
            Expr::Param(p) => {
                let value = scope
                    .params
                    .iter()
                    .find(|(n, _)| n == p)
                    .map(|(_, v)| v)
                    .ok_or_else(|| format!("parameter `{p}` has no value"))?;
                let parent = scope
                    .parent
                    .ok_or_else(|| format!("parameter `{p}` outside a module"))?;
                self.expr(value, parent)
            }
            Expr::Call(f, args) => self.call(f, args, scope),
            Expr::Prop(..) => self.prop(e, scope),
        }
    }

    fn call(&mut self, f: &str, args: &[Expr], scope: &Scope) -> Result<Hcl, String> {
        match f {
            "resourceId" | "subscriptionResourceId" | "managementGroupResourceId"
                if self
                    .label_of(&Expr::call(f, args.to_vec()), scope)
                    .is_some() =>
            {
                let label = self
                    .label_of(&Expr::call(f, args.to_vec()), scope)
                    .unwrap_or_default();
                self.refs.insert(label.clone());
                Ok(Hcl::code(format!("{label}.id")))
            }
            "resourceId" => {
                let at = args
                    .iter()
                    .position(|a| str_arg(a).is_some_and(|s| s.contains('/')))
                    .ok_or("resourceId without a type")?;
                let ty = args.get(at).and_then(str_arg).unwrap_or_default();
                let group = match args.get(..at).unwrap_or_default() {
                    [] => scope.group.cloned(),
                    [rg] => {
                        let sub = scope.group.map(|(s, _)| s.clone());
                        match (sub, str_arg(rg)) {
                            (Some(sub), Some(rg)) => Some((sub, rg.to_string())),
                            (None, Some(rg)) => {
                                return Ok(Hcl::lit("/subscriptions/")
                                    .then(Hcl::code(SUBSCRIPTION_ID))
                                    .then_lit(&format!("/resourceGroups/{rg}"))
                                    .then(provider_path(
                                        ty,
                                        self.all(args.get(at + 1..).unwrap_or_default(), scope)?,
                                    )));
                            }
                            _ => return Err("resourceId of a computed group".into()),
                        }
                    }
                    [sub, rg] => match (str_arg(sub), str_arg(rg)) {
                        (Some(s), Some(r)) => Some((s.to_string(), r.to_string())),
                        _ => return Err("resourceId of a computed group".into()),
                    },
                    _ => return Err("resourceId with too many scope arguments".into()),
                };
                let names = self.all(args.get(at + 1..).unwrap_or_default(), scope)?;
                Ok(self.group_id(group.as_ref()).then(provider_path(ty, names)))
            }
            "subscriptionResourceId" | "managementGroupResourceId" => {
                let (ty, names) = args.split_first().ok_or("an id without a type")?;
                let ty = str_arg(ty).ok_or("an id of a computed type")?;
                let names = self.all(names, scope)?;
                let base = match (f, scope.kind, scope.fixed_id) {
                    ("managementGroupResourceId", _, Some(id))
                    | (_, IdScope::Subscription, Some(id)) => Hcl::lit(id),
                    (_, IdScope::ManagementGroup, _) => Hcl(Vec::new()),
                    _ => Hcl::lit("/subscriptions/").then(Self::subscription_id(scope)),
                };
                Ok(base.then(provider_path(ty, names)))
            }
            "guid" => {
                let parts: Vec<String> = self.all(args, scope)?.iter().map(Hcl::render).collect();
                Ok(Hcl::code(format!(
                    "uuidv5(\"{GUID_NAMESPACE}\", join(\"-\", [{}]))",
                    parts.join(", ")
                )))
            }
            "format" => {
                let (fmt, rest) = args.split_first().ok_or("format without a format")?;
                let fmt = str_arg(fmt).ok_or("format of a computed format")?;
                let rest = self.all(rest, scope)?;
                format_template(fmt, &rest)
            }
            _ => Err(format!("no Terraform form for the ARM function `{f}`")),
        }
    }

    fn all(&mut self, args: &[Expr], scope: &Scope) -> Result<Vec<Hcl>, String> {
        args.iter().map(|a| self.expr(a, scope)).collect()
    }

    /// `subscription().x`, `resourceGroup().id`, `reference(...).a.b`.
    fn prop(&mut self, e: &Expr, scope: &Scope) -> Result<Hcl, String> {
        let mut path = Vec::new();
        let mut base = e;
        while let Expr::Prop(inner, p) = base {
            path.push(p.as_str());
            base = inner;
        }
        path.reverse();
        let Expr::Call(f, args) = base else {
            return Err("a property of a value that is not a call".into());
        };
        match (f.as_str(), path.as_slice()) {
            ("subscription", ["tenantId"]) => Ok(Hcl::code(TENANT_ID)),
            ("subscription", ["subscriptionId"]) => Ok(Self::subscription_id(scope)),
            ("subscription", ["id"]) => {
                Ok(Hcl::lit("/subscriptions/").then(Self::subscription_id(scope)))
            }
            ("resourceGroup", ["id"]) => Ok(self.group_id(scope.group)),
            ("managementGroup", ["id"]) => scope
                .fixed_id
                .map(Hcl::lit)
                .ok_or_else(|| "managementGroup() outside a management group".to_string()),
            // Where the deployment is made: the root module's `location`.
            ("deployment", ["location"]) => {
                self.vars.insert("location".into());
                Ok(Hcl::code("var.location"))
            }
            ("reference", _) => self.reference(args, &path, scope),
            _ => Err(format!("no Terraform form for `{f}().{}`", path.join("."))),
        }
    }

    fn reference(&mut self, args: &[Expr], path: &[&str], scope: &Scope) -> Result<Hcl, String> {
        let target = args.first().ok_or("reference without a target")?;
        let full = args.get(2).and_then(str_arg) == Some("full");
        let mut path: Vec<&str> = path.to_vec();
        if !full {
            path.insert(0, "properties");
        }
        let path = path.join(".");
        if let Some(label) = self.label_of(target, scope) {
            self.refs.insert(label.clone());
            self.exports.insert((label.clone(), path.clone()));
            return Ok(Hcl::code(format!("{label}.output.{path}")));
        }
        let id = str_arg(target).ok_or("reference to a computed id")?;
        let api = args
            .get(1)
            .and_then(str_arg)
            .ok_or("reference without an API version")?;
        let segments: Vec<&str> = id
            .rsplit_once("/providers/")
            .map(|(_, t)| t.split('/').collect())
            .unwrap_or_default();
        let mut ty: Vec<&str> = segments.iter().take(1).copied().collect();
        ty.extend(segments.iter().skip(1).step_by(2));
        let base = snake(segments.last().copied().unwrap_or("resource"));
        let mut label = base.clone();
        let mut n = 1;
        while self
            .identities
            .iter()
            .any(|i| i.label == label && i.id != id)
        {
            n += 1;
            label = format!("{base}_{n}");
        }
        self.identities.insert(ReadIdentity {
            label: label.clone(),
            type_at_api: format!("{}@{api}", ty.join("/")),
            id: id.to_string(),
            path: path.clone(),
        });
        Ok(Hcl::code(format!(
            "data.azapi_resource.{label}.output.{path}"
        )))
    }

    /// An ARM JSON value as HCL, at an indentation depth.
    pub(super) fn value(
        &mut self,
        v: &Value,
        depth: usize,
        scope: &Scope,
    ) -> Result<String, String> {
        let mut out = String::new();
        self.write_value(&mut out, v, depth, scope)?;
        Ok(out)
    }

    fn write_value(
        &mut self,
        out: &mut String,
        v: &Value,
        depth: usize,
        scope: &Scope,
    ) -> Result<(), String> {
        match v {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Number(n) => out.push_str(&n.to_string()),
            Value::String(s) if is_arm_expression(s) => {
                let inner = s
                    .strip_prefix('[')
                    .and_then(|t| t.strip_suffix(']'))
                    .unwrap_or_default();
                let e = parse_arm(inner)?;
                out.push_str(&self.expr(&e, scope)?.render());
            }
            Value::String(s) => out.push_str(&hcl_string(unarm_literal(s))),
            Value::Array(items) if items.is_empty() => out.push_str("[]"),
            Value::Array(items) => {
                out.push_str("[\n");
                for item in items {
                    out.push_str(&pad(depth + 1));
                    self.write_value(out, item, depth + 1, scope)?;
                    out.push_str(",\n");
                }
                out.push_str(&pad(depth));
                out.push(']');
            }
            Value::Object(map) if map.is_empty() => out.push_str("{}"),
            Value::Object(map) => {
                let mut items = Vec::with_capacity(map.len());
                for (k, item) in map {
                    items.push((hcl_string(k), self.value(item, depth + 1, scope)?));
                }
                out.push_str("{\n");
                out.push_str(&aligned_items(&items, depth + 1));
                out.push_str(&pad(depth));
                out.push('}');
            }
        }
        Ok(())
    }
}

/// `key = value` lines at a depth, the `=` aligned as `terraform fmt`
/// aligns them: over runs of lines, a multi-line value ending its run.
pub(super) fn aligned_items(items: &[(String, String)], depth: usize) -> String {
    let mut out = String::new();
    let mut rest = items;
    while !rest.is_empty() {
        // A run ends after a multi-line value.
        let end = rest
            .iter()
            .position(|(_, v)| v.contains('\n'))
            .map_or(rest.len(), |i| i + 1);
        let (run, tail) = rest.split_at(end);
        let width = run
            .iter()
            .map(|(k, _)| k.chars().count())
            .max()
            .unwrap_or(0);
        for (k, v) in run {
            out.push_str(&pad(depth));
            out.push_str(k);
            out.push_str(&" ".repeat(width - k.chars().count()));
            out.push_str(" = ");
            out.push_str(v);
            out.push('\n');
        }
        rest = tail;
    }
    out
}

/// Two spaces per depth.
pub(super) fn pad(depth: usize) -> String {
    "  ".repeat(depth)
}

/// A .NET format string (`{0}` placeholders, `{{` and `}}` for braces)
/// as an HCL template.
fn format_template(fmt: &str, args: &[Hcl]) -> Result<Hcl, String> {
    let mut pieces: Vec<Piece> = Vec::new();
    let mut lit = String::new();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' | '}' if chars.peek() == Some(&c) => {
                chars.next();
                lit.push(c);
            }
            '{' => {
                let index: String = chars.by_ref().take_while(|d| *d != '}').collect();
                let index: usize = index
                    .parse()
                    .map_err(|_| format!("`{{{index}}}` is not a placeholder of format"))?;
                let arg = args
                    .get(index)
                    .ok_or_else(|| format!("format has no argument {index}"))?;
                for p in &arg.0 {
                    match p {
                        Piece::Lit(s) => lit.push_str(s),
                        Piece::Code(_) => {
                            if !lit.is_empty() {
                                pieces.push(Piece::Lit(std::mem::take(&mut lit)));
                            }
                            pieces.push(p.clone());
                        }
                    }
                }
            }
            c => lit.push(c),
        }
    }
    if !lit.is_empty() || pieces.is_empty() {
        pieces.push(Piece::Lit(lit));
    }
    Ok(Hcl(pieces))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_snake_identifiers() {
        assert_eq!(snake("privateEndpoints"), "private_endpoints");
        assert_eq!(snake("rbac1"), "rbac1");
        assert_eq!(snake("id-fraud-train"), "id_fraud_train");
        assert_eq!(snake("1x"), "r_1x");
    }

    #[test]
    fn format_and_guid_become_a_template_and_uuidv5() {
        let mut t = Translator::default();
        let scope = Scope::top(IdScope::ResourceGroup, None);
        let e = Expr::call(
            "guid",
            vec![Expr::call(
                "format",
                vec![
                    Expr::str("a ${{x}} {0}/{1}"),
                    Expr::str("n\""),
                    Expr::tenant_id(),
                ],
            )],
        );
        assert_eq!(
            t.expr(&e, &scope).unwrap().render(),
            format!(
                "uuidv5(\"{GUID_NAMESPACE}\", join(\"-\", [\"a $${{x}} n\\\"/${{{TENANT_ID}}}\"]))"
            )
        );
        let id = Expr::resource_id("Microsoft.Network/virtualNetworks/subnets", &["v", "s"]);
        assert_eq!(
            t.expr(&id, &scope).unwrap().render(),
            "\"${local.resource_group_id}/providers/Microsoft.Network/virtualNetworks/v/subnets/s\""
        );
    }
}
