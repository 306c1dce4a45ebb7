//! The normaliser behind "ARM and Terraform describe the same resources":
//! both sides are reduced to records `{type, apiVersion, parent, name, body,
//! extra}` (extra: location, tags, identity) in which every reference is
//! replaced by what it names:
//!
//! | ARM | Terraform | canonical |
//! | --- | --- | --- |
//! | `resourceId('T', 'n')` (any scope function) | `azapi_resource.x.id`, a literal id, `"${local.g}/providers/T/n"` | the full id, `/subscriptions/{S}/resourceGroups/{G}/providers/T/n` |
//! | `parameters('location')` (top level) | `var.location` | `{var:location}` |
//! | `parameters('p')` of a nested deployment | (flattened) | the value the deployment passes |
//! | `reference(X, ...).identity.principalId`, `reference(X, v).principalId` | `azapi_resource.x.output.identity.principalId`, `data.azapi_resource.x.output.properties.principalId` | `{principal:<id of X>}` |
//! | `subscription().tenantId` / `.subscriptionId` / `.id` | `data.azapi_client_config.current.tenant_id` / `.subscription_id` | `{tenant}` / `{S}` |
//! | `guid(a, b, c)` | `uuidv5("11fb06fb-…", join("-", [a, b, c]))` | `{guid:a-b-c}` |
//! | `format('{0}x', a)`, `concat(...)` | `"${a}x"`, `format("%sx", a)`, `join` | the string |
//!
//! `{S}` is the subscription both sides state (the posture's, or
//! `{subscription}`); `{G}` is the group the Terraform module's
//! `local.resource_group_id` names, which is the group an ARM template
//! deploys to when no nested deployment says otherwise (a module with no
//! group states its subscription in a local that is `/subscriptions/<id>`
//! or in `local.subscription_id`, if the posture does). Management-group
//! names become `{mg}` on both sides (the ARM template does not know it;
//! Terraform takes it as `var.management_group_id` or `_name`).

use std::collections::BTreeMap;

use hcl::expr::{Expression, TraversalOperator};
use hcl::template::Element;
use serde_json::{Map, Value, json};

use super::{GUID_NAMESPACE, Module, attr, identity_json, key_text, template_elements, value_text};

/// Resource keys that are not part of the `body`.
const NOT_BODY: &[&str] = &[
    "type",
    "apiVersion",
    "name",
    "location",
    "tags",
    "identity",
    "dependsOn",
    "scope",
    "condition",
    "resources",
    "comments",
];
const MG_PREFIX: &str = "/providers/Microsoft.Management/managementGroups/";
const MAX_DEPTH: usize = 32;

/// What both sides are evaluated against.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub subscription: String,
    pub group: String,
    /// The id of the scope the module deploys to.
    pub scope: String,
}

impl Ctx {
    /// The context of a Terraform module and its ARM twin's `$schema`.
    pub fn new(module: &Module, arm_schema: &str) -> Ctx {
        let mut ctx = Ctx {
            subscription: "{subscription}".into(),
            group: "{rg}".into(),
            scope: String::new(),
        };
        // The subscription and group the module states: its
        // `local.resource_group_id`, else a local that is a subscription's
        // id or a `local.subscription_id`.
        let mut found = None;
        for b in module
            .blocks()
            .filter(|b| b.identifier.as_str() == "locals")
        {
            for a in b.body.attributes() {
                let ev = Eval::new(module, &ctx);
                let v = value_text(&ev.expr(&a.expr, 0));
                let parts: Vec<&str> = v.split('/').collect();
                match (a.key.as_str(), &parts[..]) {
                    ("resource_group_id", ["", "subscriptions", s, "resourceGroups", g]) => {
                        found = Some(((*s).to_string(), Some((*g).to_string())));
                    }
                    (_, ["", "subscriptions", s]) if found.is_none() => {
                        found = Some(((*s).to_string(), None));
                    }
                    ("subscription_id", [s]) if found.is_none() => {
                        found = Some(((*s).to_string(), None));
                    }
                    _ => {}
                }
            }
        }
        // A subscription-scope module (a policy block at a subscription)
        // may name its subscription only in its resources' literal
        // `parent_id`: that is the subscription its ARM twin is deployed
        // to (`az deployment sub create --subscription`).
        if found.is_none()
            && arm_schema
                .to_lowercase()
                .contains("subscriptiondeploymenttemplate")
        {
            found = module
                .blocks()
                .filter(|b| b.identifier.as_str() == "resource")
                .flat_map(|b| b.body.attributes())
                .filter(|a| a.key.as_str() == "parent_id")
                .find_map(|a| match &a.expr {
                    hcl::Expression::String(v) => v
                        .strip_prefix("/subscriptions/")
                        .filter(|s| !s.contains('/'))
                        .map(|s| (s.to_string(), None)),
                    _ => None,
                });
        }
        if let Some((s, g)) = found {
            ctx.subscription = s;
            if let Some(g) = g {
                ctx.group = g;
            }
        }
        let s = arm_schema.to_lowercase();
        ctx.scope = if s.contains("managementgroupdeploymenttemplate") {
            format!("{MG_PREFIX}{{mg}}")
        } else if s.contains("subscriptiondeploymenttemplate") {
            format!("/subscriptions/{}", ctx.subscription)
        } else {
            format!(
                "/subscriptions/{}/resourceGroups/{}",
                ctx.subscription, ctx.group
            )
        };
        ctx
    }
}

/// `base/providers/NS/t1/n1/t2/n2` for a type `NS/t1/t2` and names.
fn compose(base: &str, ty: &str, names: &[String]) -> String {
    let mut segs = ty.split('/');
    let ns = segs.next().unwrap_or_default();
    let mut out = format!("{base}/providers/{ns}");
    for (t, n) in segs.zip(names) {
        out.push('/');
        out.push_str(t);
        out.push('/');
        out.push_str(n);
    }
    out
}

/// The id of a resource of type `ty` named `name` under `parent` (a scope
/// for a top-level or extension resource, the parent's id for a child).
pub(super) fn child_id(parent: &str, ty: &str, name: &str) -> String {
    let segs: Vec<&str> = ty.split('/').collect();
    if segs.len() > 2 {
        format!(
            "{parent}/{}/{name}",
            segs.last().copied().unwrap_or_default()
        )
    } else {
        compose(parent, ty, &[name.to_string()])
    }
}

fn var_key(name: &str) -> String {
    format!("{{var:{}}}", name.replace('_', "").to_lowercase())
}

fn principal(id: &str) -> Value {
    let p = json!(format!("{{principal:{id}}}"));
    json!({ "identity": { "principalId": p }, "principalId": p })
}

// ------------------------------------------------------------ Terraform side

struct Eval<'a> {
    m: &'a Module,
    ctx: &'a Ctx,
    /// The locals and resources being evaluated (a cycle evaluates to
    /// `{cycle}` instead of recursing).
    locals: std::cell::RefCell<Vec<String>>,
}

impl<'a> Eval<'a> {
    fn new(m: &'a Module, ctx: &'a Ctx) -> Self {
        Eval {
            m,
            ctx,
            locals: std::cell::RefCell::default(),
        }
    }
}

impl Eval<'_> {
    fn guarded(&self, address: &str, f: impl FnOnce() -> Value) -> Value {
        if self.locals.borrow().iter().any(|a| a == address) {
            return json!("{cycle}");
        }
        self.locals.borrow_mut().push(address.to_string());
        let v = f();
        self.locals.borrow_mut().pop();
        v
    }

    fn expr(&self, e: &Expression, depth: usize) -> Value {
        if depth > MAX_DEPTH {
            return json!("{too-deep}");
        }
        let d = depth + 1;
        match e {
            Expression::Null => Value::Null,
            Expression::Bool(b) => json!(b),
            Expression::Number(n) => serde_json::to_value(n).unwrap_or(Value::Null),
            Expression::String(s) => json!(s),
            Expression::Array(items) => items.iter().map(|i| self.expr(i, d)).collect(),
            Expression::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| {
                        (
                            key_text(k, &|e| value_text(&self.expr(e, d))),
                            self.expr(v, d),
                        )
                    })
                    .collect(),
            ),
            Expression::TemplateExpr(t) => {
                let mut out = String::new();
                for el in template_elements(t) {
                    match el {
                        Element::Literal(s) => out.push_str(&s),
                        Element::Interpolation(i) => {
                            out.push_str(&value_text(&self.expr(&i.expr, d)));
                        }
                        Element::Directive(_) => out.push_str("{directive}"),
                    }
                }
                json!(out)
            }
            Expression::Parenthesis(p) => self.expr(p, d),
            Expression::Variable(v) => json!(format!("{{bare:{}}}", v.as_str())),
            Expression::Traversal(_) => self.traversal(e, d),
            Expression::FuncCall(c) => {
                let args: Vec<Value> = c.args.iter().map(|a| self.expr(a, d)).collect();
                tf_call(c.name.name.as_str(), &args)
            }
            _ => json!("{expression}"),
        }
    }

    fn traversal(&self, e: &Expression, d: usize) -> Value {
        let Expression::Traversal(t) = e else {
            return json!("{expression}");
        };
        let Expression::Variable(root) = &t.expr else {
            return json!("{expression}");
        };
        let path: Vec<String> = t
            .operators
            .iter()
            .map(|op| match op {
                TraversalOperator::GetAttr(i) => i.as_str().to_string(),
                TraversalOperator::Index(Expression::Number(n)) => n.to_string(),
                TraversalOperator::Index(i) => value_text(&self.expr(i, d)),
                _ => "*".into(),
            })
            .collect();
        let p: Vec<&str> = path.iter().map(String::as_str).collect();
        let (base, rest) = match (root.as_str(), &p[..]) {
            // The management group an ARM template is deployed to is
            // chosen at deployment; Terraform takes it as a variable.
            ("var", [n, rest @ ..]) if n.contains("management_group") => {
                let mg = if n.ends_with("_id") {
                    format!("{MG_PREFIX}{{mg}}")
                } else {
                    "{mg}".into()
                };
                (json!(mg), rest)
            }
            ("var", [n, rest @ ..]) => (json!(var_key(n)), rest),
            ("local", [n, rest @ ..]) => match self.m.local(n) {
                Some(e) => (
                    self.guarded(&format!("local.{n}"), || self.expr(e, d)),
                    rest,
                ),
                None => (json!(format!("{{undeclared:local.{n}}}")), rest),
            },
            ("data", ["azapi_client_config", _, "subscription_id", rest @ ..]) => {
                (json!(self.ctx.subscription), rest)
            }
            ("data", ["azapi_client_config", _, "tenant_id", rest @ ..]) => {
                (json!("{tenant}"), rest)
            }
            ("data", ["azapi_resource", n, "output", rest @ ..]) => {
                let id = self
                    .m
                    .block("data", "azapi_resource", n)
                    .and_then(|b| attr(&b.body, "resource_id"))
                    .map_or_else(
                        || format!("{{undeclared:data.{n}}}"),
                        |e| value_text(&self.expr(e, d)),
                    );
                (json!({ "properties": principal(&id) }), rest)
            }
            (ty, [n, field, rest @ ..]) if ty.starts_with("azapi_") => {
                let id = self.id_of(ty, n, d);
                match *field {
                    "id" => (json!(id), rest),
                    "output" => (principal(&id), rest),
                    "name" => (json!(id.rsplit('/').next().unwrap_or_default()), rest),
                    other => (json!(format!("{{{id}.{other}}}")), rest),
                }
            }
            (r, rest) => (json!(format!("{{{r}}}")), rest),
        };
        access(base, rest)
    }

    /// The id of `azapi_resource.n` (or of the resource an update targets).
    fn id_of(&self, ty: &str, n: &str, d: usize) -> String {
        value_text(&self.guarded(&format!("{ty}.{n}"), || {
            json!(self.id_of_unguarded(ty, n, d))
        }))
    }

    fn id_of_unguarded(&self, ty: &str, n: &str, d: usize) -> String {
        let Some(b) = self.m.block("resource", ty, n) else {
            return format!("{{undeclared:{ty}.{n}}}");
        };
        if let Some(e) = attr(&b.body, "resource_id") {
            return value_text(&self.expr(e, d));
        }
        let arm_type = match attr(&b.body, "type") {
            Some(Expression::String(s)) => s.split('@').next().unwrap_or_default().to_string(),
            _ => String::new(),
        };
        let parent =
            attr(&b.body, "parent_id").map_or_else(String::new, |e| value_text(&self.expr(e, d)));
        let name = attr(&b.body, "name").map_or_else(String::new, |e| value_text(&self.expr(e, d)));
        child_id(&parent, &arm_type, &name)
    }
}

fn access(mut v: Value, path: &[&str]) -> Value {
    for (i, seg) in path.iter().enumerate() {
        v = match v.get(*seg) {
            Some(x) => x.clone(),
            None => return json!(format!("{{{}.{}}}", value_text(&v), path[i..].join("."))),
        };
    }
    v
}

fn tf_call(name: &str, args: &[Value]) -> Value {
    let text = |i: usize| args.get(i).map(value_text).unwrap_or_default();
    match (name, args) {
        ("uuidv5", [ns, x]) if ns.as_str() == Some(GUID_NAMESPACE) => {
            json!(format!("{{guid:{}}}", value_text(x)))
        }
        ("join", [sep, Value::Array(items)]) => {
            let parts: Vec<String> = items.iter().map(value_text).collect();
            json!(parts.join(&value_text(sep)))
        }
        ("format", [_, ..]) => {
            let mut out = String::new();
            let mut rest = args[1..].iter();
            let fmt = text(0);
            let mut chars = fmt.chars().peekable();
            while let Some(c) = chars.next() {
                match (c, chars.peek()) {
                    ('%', Some('s' | 'd' | 'v')) => {
                        chars.next();
                        out.push_str(&rest.next().map(value_text).unwrap_or_default());
                    }
                    ('%', Some('%')) => {
                        chars.next();
                        out.push('%');
                    }
                    _ => out.push(c),
                }
            }
            json!(out)
        }
        ("lower", [_]) => json!(text(0).to_lowercase()),
        ("upper", [_]) => json!(text(0).to_uppercase()),
        _ => generic_call(name, args),
    }
}

fn generic_call(name: &str, args: &[Value]) -> Value {
    let args: Vec<String> = args.iter().map(value_text).collect();
    json!(format!(
        "{{fn:{}({})}}",
        name.to_lowercase(),
        args.join(",")
    ))
}

impl Module {
    /// The canonical records of every azapi resource of the module.
    pub fn canonical(&self, ctx: &Ctx) -> Vec<Value> {
        self.canonical_by_label(ctx)
            .into_iter()
            .map(|(_, r)| r)
            .collect()
    }

    /// The canonical records with the address of their block
    /// (`azapi_resource.x`).
    pub fn canonical_by_label(&self, ctx: &Ctx) -> Vec<(String, Value)> {
        let ev = Eval::new(self, ctx);
        let mut out = Vec::new();
        for r in self.resources() {
            let text = |key: &str| attr(r.body, key).map(|e| value_text(&ev.expr(e, 0)));
            let body = attr(r.body, "body").map_or_else(|| json!({}), |e| ev.expr(e, 0));
            let (parent, name, extra) = if r.kind == "azapi_update_resource" {
                let id = text("resource_id").unwrap_or_default();
                let (parent, name) = split_id(&id, &r.ty);
                (parent, name, Value::Null)
            } else {
                let mut extra = Map::new();
                for key in ["location", "tags"] {
                    if let Some(e) = attr(r.body, key) {
                        extra.insert(key.into(), ev.expr(e, 0));
                    }
                }
                if let Some(b) = r
                    .body
                    .blocks()
                    .find(|b| b.identifier.as_str() == "identity")
                {
                    extra.insert(
                        "identity".into(),
                        identity_json(&b.body, &|e| ev.expr(e, 0)),
                    );
                }
                let parent = text("parent_id").unwrap_or_default();
                (
                    parent,
                    text("name").unwrap_or_default(),
                    Value::Object(extra),
                )
            };
            let label = format!("{}.{}", r.kind, r.label);
            out.push((label, record(&r.ty, &r.api, &parent, &name, body, extra)));
        }
        out
    }
}

/// A resource id split into its parent (scope or parent resource) and its
/// last name, for a resource of type `ty`.
fn split_id(id: &str, ty: &str) -> (String, String) {
    let segs = ty.split('/').count();
    let mut parts: Vec<&str> = id.split('/').collect();
    let name = parts.pop().unwrap_or_default().to_string();
    parts.pop();
    if segs <= 2 {
        parts.pop();
        parts.pop();
    }
    (parts.join("/"), name)
}

fn record(ty: &str, api: &str, parent: &str, name: &str, body: Value, extra: Value) -> Value {
    let mut r = Value::Object(Map::from_iter([
        ("type".to_string(), json!(ty.to_lowercase())),
        ("apiVersion".to_string(), json!(api)),
        ("parent".to_string(), json!(parent)),
        ("name".to_string(), json!(name)),
        ("body".to_string(), body),
        ("extra".to_string(), extra),
    ]));
    mask_management_groups(&mut r);
    r
}

fn mask_management_groups(v: &mut Value) {
    match v {
        Value::String(s) => {
            let mut out = String::new();
            let mut rest = s.as_str();
            while let Some(i) = rest.find(MG_PREFIX) {
                out.push_str(&rest[..i + MG_PREFIX.len()]);
                rest = &rest[i + MG_PREFIX.len()..];
                let end = rest.find('/').unwrap_or(rest.len());
                out.push_str("{mg}");
                rest = &rest[end..];
            }
            out.push_str(rest);
            *s = out;
        }
        Value::Array(items) => items.iter_mut().for_each(mask_management_groups),
        Value::Object(map) => {
            let old = std::mem::take(map);
            for (k, mut v) in old {
                let mut key = Value::String(k);
                mask_management_groups(&mut key);
                mask_management_groups(&mut v);
                map.insert(value_text(&key), v);
            }
        }
        _ => {}
    }
}

// ------------------------------------------------------------------ ARM side

#[derive(Clone)]
struct Env {
    /// The top-level nested deployment (Bicep module) being read.
    module: String,
    params: BTreeMap<String, Value>,
    subscription: String,
    group: String,
    scope: String,
}

/// The canonical records of every resource an ARM template deploys,
/// nested deployments flattened (and left out themselves), `existing`
/// resources left out.
pub fn arm_canonical(template: &Value, ctx: &Ctx) -> Vec<Value> {
    arm_canonical_by_module(template, ctx)
        .into_iter()
        .map(|r| r.record)
        .collect()
}

/// One resource of an ARM template, canonical.
pub struct ArmResource {
    /// The top-level nested deployment (Bicep module) that deploys it
    /// (empty for the template's own resources).
    pub module: String,
    pub record: Value,
    /// The canonical ids of the resources (not deployments) its
    /// `dependsOn` names.
    pub depends_on: Vec<String>,
}

/// The canonical records with their module and dependencies.
pub fn arm_canonical_by_module(template: &Value, ctx: &Ctx) -> Vec<ArmResource> {
    let mut env = Env {
        module: String::new(),
        params: BTreeMap::new(),
        subscription: ctx.subscription.clone(),
        group: ctx.group.clone(),
        scope: ctx.scope.clone(),
    };
    if let Some(Value::Object(params)) = template.get("parameters") {
        for name in params.keys() {
            env.params.insert(name.clone(), json!(var_key(name)));
        }
    }
    let mut out = Vec::new();
    arm_template(template, &env, &mut out);
    out
}

fn resources_of(template: &Value) -> Vec<&Value> {
    match template.get("resources") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(Value::Object(map)) => map.values().collect(),
        _ => Vec::new(),
    }
}

fn arm_template(template: &Value, env: &Env, out: &mut Vec<ArmResource>) {
    for r in resources_of(template) {
        if r.get("existing") == Some(&json!(true)) {
            continue;
        }
        let ty = r.get("type").and_then(Value::as_str).unwrap_or_default();
        if ty.eq_ignore_ascii_case("Microsoft.Resources/deployments") {
            arm_deployment(r, env, out);
        } else {
            let depends_on = r
                .get("dependsOn")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|d| value_text(&arm_value(d, env)))
                .filter(|d| !d.contains("/providers/Microsoft.Resources/deployments/"))
                .collect();
            out.push(ArmResource {
                module: env.module.clone(),
                record: arm_record(r, env),
                depends_on,
            });
        }
    }
}

fn arm_deployment(r: &Value, outer: &Env, out: &mut Vec<ArmResource>) {
    let Some(inner) = r.pointer("/properties/template") else {
        return;
    };
    let mut env = outer.clone();
    if env.module.is_empty() {
        env.module = r
            .get("name")
            .map(|n| value_text(&arm_value(n, outer)))
            .unwrap_or_default();
    }
    if let Some(s) = r.get("subscriptionId") {
        env.subscription = value_text(&arm_value(s, outer));
    }
    if let Some(g) = r.get("resourceGroup") {
        env.group = value_text(&arm_value(g, outer));
    }
    if r.get("subscriptionId").is_some() || r.get("resourceGroup").is_some() {
        env.scope = format!(
            "/subscriptions/{}/resourceGroups/{}",
            env.subscription, env.group
        );
    }
    if let Some(Value::Object(given)) = r.pointer("/properties/parameters") {
        for (name, p) in given {
            let v = p.get("value").map_or(Value::Null, |v| arm_value(v, outer));
            env.params.insert(name.clone(), v);
        }
    }
    if let Some(Value::Object(declared)) = inner.get("parameters") {
        for (name, p) in declared {
            if !given_has(r, name) {
                let v = p
                    .get("defaultValue")
                    .map_or(Value::Null, |v| arm_value(v, &env));
                env.params.insert(name.clone(), v);
            }
        }
    }
    arm_template(inner, &env, out);
}

fn given_has(r: &Value, name: &str) -> bool {
    r.pointer("/properties/parameters")
        .and_then(|p| p.get(name))
        .is_some()
}

fn arm_record(r: &Value, env: &Env) -> Value {
    let ty = r.get("type").and_then(Value::as_str).unwrap_or_default();
    let api = r
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let full = r
        .get("name")
        .map(|n| value_text(&arm_value(n, env)))
        .unwrap_or_default();
    let depth = ty.split('/').count().saturating_sub(1).max(1);
    let names: Vec<String> = full.splitn(depth, '/').map(str::to_string).collect();
    let (parent, name) = if let Some(scope) = r.get("scope") {
        (
            scope_id(&value_text(&arm_value(scope, env)), env),
            full.clone(),
        )
    } else if depth > 1 && names.len() == depth {
        let parent_type: Vec<&str> = ty.split('/').take(depth).collect();
        let parent = compose(&env.scope, &parent_type.join("/"), &names[..depth - 1]);
        (parent, names[depth - 1].clone())
    } else {
        (env.scope.clone(), full.clone())
    };
    let mut body = Map::new();
    let mut extra = Map::new();
    if let Value::Object(map) = r {
        for (k, v) in map {
            if ["location", "tags", "identity"].contains(&k.as_str()) {
                extra.insert(k.clone(), arm_value(v, env));
            } else if !NOT_BODY.contains(&k.as_str()) {
                body.insert(k.clone(), arm_value(v, env));
            }
        }
    }
    record(
        ty,
        api,
        &parent,
        &name,
        Value::Object(body),
        Value::Object(extra),
    )
}

/// An extension resource's `scope`: a full id, or the relative
/// `NS/t1/n1[/t2/n2]` form, which names a resource of the deployment's group.
fn scope_id(scope: &str, env: &Env) -> String {
    if scope.starts_with('/') || scope.starts_with('{') {
        return scope.to_string();
    }
    let parts: Vec<&str> = scope.split('/').collect();
    let Some((ns, rest)) = parts.split_first() else {
        return scope.to_string();
    };
    let types: Vec<&str> = rest.iter().step_by(2).copied().collect();
    let names: Vec<String> = rest
        .iter()
        .skip(1)
        .step_by(2)
        .map(|s| (*s).to_string())
        .collect();
    compose(&env.scope, &format!("{ns}/{}", types.join("/")), &names)
}

/// A JSON value of a template with every ARM expression evaluated.
fn arm_value(v: &Value, env: &Env) -> Value {
    match v {
        Value::String(s) => arm_string(s, env),
        Value::Array(items) => items.iter().map(|i| arm_value(i, env)).collect(),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (value_text(&arm_string(k, env)), arm_value(v, env)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn arm_string(s: &str, env: &Env) -> Value {
    if let Some(rest) = s.strip_prefix("[[") {
        return json!(format!("[{rest}"));
    }
    match s.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
        Some(expr) => {
            let mut p = ArmParser {
                s: expr.as_bytes(),
                i: 0,
                env,
            };
            let v = p.expr(0);
            p.skip_ws();
            if p.i == p.s.len() {
                v
            } else {
                json!(format!("{{unparsed:{s}}}"))
            }
        }
        None => json!(s),
    }
}

struct ArmParser<'a> {
    s: &'a [u8],
    i: usize,
    env: &'a Env,
}

impl ArmParser<'_> {
    fn skip_ws(&mut self) {
        while self.s.get(self.i).is_some_and(u8::is_ascii_whitespace) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.skip_ws();
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn ident(&mut self) -> String {
        self.skip_ws();
        let start = self.i;
        while self
            .s
            .get(self.i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
        {
            self.i += 1;
        }
        String::from_utf8_lossy(&self.s[start..self.i]).into_owned()
    }

    fn expr(&mut self, depth: usize) -> Value {
        if depth > MAX_DEPTH {
            self.i = self.s.len();
            return json!("{too-deep}");
        }
        let mut v = self.primary(depth + 1);
        loop {
            if self.eat(b'.') {
                let prop = self.ident();
                v = access(v, &[&prop]);
            } else if self.eat(b'[') {
                let i = self.expr(depth + 1);
                self.eat(b']');
                v = access(v, &[&value_text(&i)]);
            } else {
                return v;
            }
        }
    }

    fn primary(&mut self, depth: usize) -> Value {
        self.skip_ws();
        match self.s.get(self.i) {
            Some(b'\'') => {
                self.i += 1;
                let mut out = Vec::new();
                while let Some(&c) = self.s.get(self.i) {
                    self.i += 1;
                    if c == b'\'' {
                        if self.s.get(self.i) == Some(&b'\'') {
                            self.i += 1;
                        } else {
                            break;
                        }
                    }
                    out.push(c);
                }
                json!(String::from_utf8_lossy(&out))
            }
            Some(c) if c.is_ascii_digit() || *c == b'-' => {
                let start = self.i;
                self.i += 1;
                while self.s.get(self.i).is_some_and(u8::is_ascii_digit) {
                    self.i += 1;
                }
                let text = String::from_utf8_lossy(&self.s[start..self.i]).into_owned();
                text.parse::<i64>().map_or(json!(text), |n| json!(n))
            }
            _ => {
                let name = self.ident();
                let mut args = Vec::new();
                if self.eat(b'(') && !self.eat(b')') {
                    loop {
                        args.push(self.expr(depth));
                        if !self.eat(b',') {
                            self.eat(b')');
                            break;
                        }
                    }
                }
                arm_call(&name, &args, self.env)
            }
        }
    }
}

fn arm_call(name: &str, args: &[Value], env: &Env) -> Value {
    let texts: Vec<String> = args.iter().map(value_text).collect();
    let names = |skip: usize| texts.iter().skip(skip + 1).cloned().collect::<Vec<_>>();
    let ty = |i: usize| texts.get(i).cloned().unwrap_or_default();
    match name.to_lowercase().as_str() {
        "parameters" => env
            .params
            .get(&ty(0))
            .cloned()
            .unwrap_or_else(|| json!(format!("{{param:{}}}", ty(0)))),
        "resourceid" => {
            let nnames = ty_names(args, 0);
            let lead = texts.len().saturating_sub(nnames + 1);
            let (sub, group) = match lead {
                0 => (env.subscription.clone(), env.group.clone()),
                1 => (env.subscription.clone(), ty(0)),
                _ => (ty(0), ty(1)),
            };
            let base = format!("/subscriptions/{sub}/resourceGroups/{group}");
            json!(compose(&base, &ty(lead), &names(lead)))
        }
        "subscriptionresourceid" => {
            let lead = texts.len().saturating_sub(ty_names(args, 0) + 1).min(1);
            let sub = if lead == 1 {
                ty(0)
            } else {
                env.subscription.clone()
            };
            json!(compose(
                &format!("/subscriptions/{sub}"),
                &ty(lead),
                &names(lead)
            ))
        }
        "managementgroupresourceid" => {
            let lead = texts.len().saturating_sub(ty_names(args, 0) + 1).min(1);
            let mg = if lead == 1 { ty(0) } else { "{mg}".into() };
            json!(compose(
                &format!("{MG_PREFIX}{mg}"),
                &ty(lead),
                &names(lead)
            ))
        }
        "tenantresourceid" => json!(compose("", &ty(0), &names(0))),
        "extensionresourceid" => json!(compose(&ty(0), &ty(1), &names(1))),
        "subscription" => json!({
            "id": format!("/subscriptions/{}", env.subscription),
            "subscriptionId": env.subscription,
            "tenantId": "{tenant}",
        }),
        "resourcegroup" => json!({
            "id": format!("/subscriptions/{}/resourceGroups/{}", env.subscription, env.group),
            "name": env.group,
        }),
        "managementgroup" => json!({
            "id": format!("{MG_PREFIX}{{mg}}"),
            "name": "{mg}",
        }),
        // The location a subscription or management-group deployment is
        // given (`az deployment sub create --location`): Terraform's
        // `var.location` says the same.
        "deployment" => json!({ "location": "{var:location}" }),
        "reference" => principal(&ty(0)),
        "guid" => json!(format!("{{guid:{}}}", texts.join("-"))),
        "format" => {
            let mut out = ty(0);
            for (i, a) in texts.iter().enumerate().skip(1) {
                out = out.replace(&format!("{{{}}}", i - 1), a);
            }
            json!(out)
        }
        "concat" if args.iter().all(Value::is_string) => json!(texts.concat()),
        "tolower" => json!(ty(0).to_lowercase()),
        "toupper" => json!(ty(0).to_uppercase()),
        "true" => json!(true),
        "false" => json!(false),
        "null" => Value::Null,
        _ => generic_call(name, args),
    }
}

/// How many name arguments follow the type argument found among `args`
/// (the first one with a `/`, from `from` on).
fn ty_names(args: &[Value], from: usize) -> usize {
    args.iter()
        .skip(from)
        .find_map(|a| a.as_str().filter(|s| s.contains('/')))
        .map_or(1, |t| t.split('/').count().saturating_sub(1))
}

/// The records with the second record of a resource (a two-phase
/// workspace's final settings) standing for an `azapi_update_resource`,
/// which carries no location, tags or identity.
pub fn final_phases(arm: &[Value]) -> Vec<Value> {
    let mut seen = std::collections::BTreeSet::new();
    arm.iter()
        .map(|r| {
            let key = (
                r["type"].to_string(),
                r["parent"].to_string(),
                r["name"].to_string(),
            );
            let mut r = r.clone();
            if !seen.insert(key) {
                r["extra"] = Value::Null;
            }
            r
        })
        .collect()
}

/// The differences between the ARM and the Terraform records, as
/// readable lines (empty when they agree). The second ARM record of a
/// resource (a two-phase workspace's final settings) stands for an
/// `azapi_update_resource`, which carries no location, tags or identity.
pub fn diff_records(arm: &[Value], tf: &[Value]) -> Vec<String> {
    let arm = final_phases(arm);
    let count = |rs: &[Value]| {
        let mut m: BTreeMap<String, i64> = BTreeMap::new();
        for r in rs {
            *m.entry(serde_json::to_string_pretty(r).unwrap_or_default())
                .or_default() += 1;
        }
        m
    };
    let (a, t) = (count(&arm), count(tf));
    let mut out = Vec::new();
    for (k, n) in &a {
        if t.get(k).copied().unwrap_or(0) < *n {
            out.push(format!("only in ARM:\n{k}"));
        }
    }
    for (k, n) in &t {
        if a.get(k).copied().unwrap_or(0) < *n {
            out.push(format!("only in Terraform:\n{k}"));
        }
    }
    out
}
