//! Evaluation: a checked [`Definition`], the assignment's parameter values
//! and an ARM resource in; a [`Verdict`] (did `if` match, with which effect)
//! or an [`EvalError`] out.
//!
//! Semantics, as Microsoft documents them: `allOf`/`anyOf` stop at the
//! first deciding condition; a `field` condition on a `[*]` alias outside a
//! count is true only if it holds for every selected member, so it is true
//! for an empty or missing array; `count` counts the members for which
//! `where` holds (all members without `where`); `field()` returns a `[*]`
//! alias as an array of the selected values and a missing field as `""`;
//! `current()` is the member being counted. `subscription()`,
//! `resourceGroup()` and `requestContext()` read the [`Context`], or the
//! resource's `id` and `apiVersion` when the context leaves them out.
//!
//! `if` is evaluated, and for a matched resource the rule's `then.details`
//! (`details`). For `auditIfNotExists` and `deployIfNotExists` a match
//! means the existence condition would be checked next, against related
//! resources: [`Definition::evaluate_related`] (`existence`) checks it
//! when given them. A `disabled` effect is reported, but never applies
//! ([`Verdict::applies`]). The mode is applied: an `Indexed` definition does not apply to a
//! resource type without tags and location (`indexed`), and the verdict
//! says so ([`Verdict::applicable`]).

use serde::Serialize;
use serde_json::{Map, Value};

pub use super::effect::Effect;
use super::effect::check_effect;
use super::expr::Expr;
use super::field::{self, Field};
use super::functions::{self, Kind};
use super::indexed;
use super::ops::{self, describe};
use super::options::Escaping;
use super::params::find_param;
use super::resource::{self, Binding, Selection};
use super::rule::{Cond, Count, CountSource, Definition, FieldRef, Mode, Operand, Tmpl};
use super::{ErrorKind, EvalError};

/// What the evaluation knows of where the resource lives and how it was
/// requested. Left out, the subscription and resource group come from the
/// resource's `id`, the API version from its `apiVersion`; a rule that
/// needs one that is known nowhere is an error.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// `subscription().subscriptionId`
    pub subscription_id: Option<String>,
    /// `resourceGroup().name`
    pub resource_group: Option<String>,
    /// `resourceGroup().location` (no default: left out, the object has
    /// no `location`).
    pub resource_group_location: Option<String>,
    /// `resourceGroup().tags` (no default: left out, the object has no
    /// `tags`).
    pub resource_group_tags: Option<Map<String, Value>>,
    /// `requestContext().apiVersion`
    pub api_version: Option<String>,
}

/// The outcome of evaluating one resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// Whether the definition applies to the resource at all: `false` for a
    /// definition in `Indexed` mode and a resource type that supports no
    /// tags and location, which Azure does not evaluate (then `matched` is
    /// `false` and `if` was not evaluated).
    pub applicable: bool,
    /// Whether the rule's `if` matched the resource.
    pub matched: bool,
    /// The effect as the definition resolves it (`[parameters('effect')]`
    /// → the assigned or default value), spelled as written.
    pub effect: String,
    /// The same effect, as a closed type.
    pub kind: Effect,
    /// The matched rule's `then.details`, resolved against the resource and
    /// parameters (`details`); `None` when `if` did not match or the rule
    /// has no details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
    /// The existence check of `auditIfNotExists` / `deployIfNotExists`,
    /// when the related resources were given
    /// ([`Definition::evaluate_related`]); `None` otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub existence: Option<super::effect::Existence>,
}

impl Verdict {
    /// The request would be denied: `if` matched and the effect is `deny`.
    #[must_use]
    pub fn denies(&self) -> bool {
        self.matched && self.kind == Effect::Deny
    }

    /// The resource would be reported non-compliant: `if` matched and the
    /// effect is `audit`.
    #[must_use]
    pub fn audits(&self) -> bool {
        self.matched && self.kind == Effect::Audit
    }

    /// `if` matched and the effect (`auditIfNotExists`,
    /// `deployIfNotExists`) would next check related resources, which an
    /// offline evaluation does not see.
    #[must_use]
    pub fn needs_existence_check(&self) -> bool {
        self.matched
            && self.existence.is_none()
            && matches!(
                self.kind,
                Effect::AuditIfNotExists | Effect::DeployIfNotExists
            )
    }

    /// The effect applies: `if` matched and, when the existence check was
    /// made ([`Definition::evaluate_related`]), no related resource
    /// satisfies it.
    #[must_use]
    /// A `disabled` effect never applies: such a definition leaves every
    /// resource compliant ("Azure Policy definitions disabled effect").
    pub fn applies(&self) -> bool {
        self.matched
            && self.kind != Effect::Disabled
            && self
                .existence
                .as_ref()
                .is_none_or(|e| e.satisfied_by.is_none())
    }
}

/// Evaluates a definition (any accepted shape, escaping detected) against
/// one resource, with the subscription and resource group taken from the
/// resource's `id`.
pub fn evaluate(
    definition: &Value,
    parameters: &Map<String, Value>,
    resource: &Value,
) -> Result<Verdict, EvalError> {
    evaluate_with(definition, parameters, resource, &Context::default())
}

/// [`evaluate`] with an explicit [`Context`].
pub fn evaluate_with(
    definition: &Value,
    parameters: &Map<String, Value>,
    resource: &Value,
    context: &Context,
) -> Result<Verdict, EvalError> {
    Definition::from_json(definition, Escaping::Auto)?.evaluate(parameters, resource, context)
}

impl Definition {
    /// Checks the assignment's parameter values (declared, typed, allowed);
    /// a parameter with neither a value nor a default is an error when the
    /// rule reads it.
    pub fn check_parameters(&self, parameters: &Map<String, Value>) -> Result<(), EvalError> {
        for (name, value) in parameters {
            let Some(def) = find_param(&self.params, name) else {
                let declared: Vec<&str> = self.parameter_names().collect();
                return Err(EvalError::new(
                    ErrorKind::Parameter,
                    "",
                    format!(
                        "`{name}` is not a parameter of this definition (it declares: {})",
                        if declared.is_empty() {
                            "none".to_string()
                        } else {
                            declared.join(", ")
                        }
                    ),
                ));
            };
            if !def.ty.accepts(value) {
                return Err(EvalError::new(
                    ErrorKind::Parameter,
                    "",
                    format!(
                        "parameter `{}` is of type {}, got {}",
                        def.name,
                        def.ty.name(),
                        describe(value)
                    ),
                ));
            }
            if let Some(allowed) = &def.allowed
                && !is_allowed(allowed, value)
            {
                return Err(EvalError::new(
                    ErrorKind::Parameter,
                    "",
                    format!(
                        "parameter `{}` does not allow {} (allowed: {}){}",
                        def.name,
                        describe(value),
                        allowed
                            .iter()
                            .map(functions::to_string)
                            .collect::<Vec<_>>()
                            .join(", "),
                        case_hint(allowed, value)
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Evaluates the rule against one resource.
    pub fn evaluate(
        &self,
        parameters: &Map<String, Value>,
        resource: &Value,
        context: &Context,
    ) -> Result<Verdict, EvalError> {
        self.check_parameters(parameters)?;
        let ty = match resource::resource_type(resource) {
            Ok(t) => Some(t),
            // A suite written against raw paths may leave `type` out.
            Err(_)
                if self.options.raw_paths
                    && matches!(resource, Value::Object(o) if functions::get_ci(o, "type").is_none()) =>
            {
                None
            }
            Err(m) => return Err(EvalError::new(ErrorKind::Resource, "", m)),
        };
        let applicable = self.applies_to(ty)?;
        let mut env = Env::new(self, parameters, resource, context);
        let at = "policyRule.then.effect";
        let effect = env.tmpl(&self.effect, at)?;
        let name =
            check_effect(&effect).map_err(|m| EvalError::new(ErrorKind::Unsupported, at, m))?;
        let kind = Effect::from_name(name).ok_or_else(|| {
            EvalError::new(
                ErrorKind::Unsupported,
                at,
                format!("unknown effect `{name}`"),
            )
        })?;
        let matched = applicable && env.cond(&self.cond)?;
        let details = if matched {
            self.resolve_details(&mut env)?
        } else {
            None
        };
        Ok(Verdict {
            applicable,
            matched,
            effect: effect.as_str().unwrap_or(name).to_string(),
            kind,
            details,
            existence: None,
        })
    }
}

impl Definition {
    /// What a template value (an expression such as `[field('x')]` or
    /// `[parameters('p')]`, or a literal) evaluates to against a resource,
    /// with this definition's parameters and fields: for looking into a
    /// rule one expression at a time.
    pub fn evaluate_value(
        &self,
        parameters: &Map<String, Value>,
        resource: &Value,
        context: &Context,
        value: &Value,
    ) -> Result<Value, EvalError> {
        self.check_parameters(parameters)?;
        let t = super::compile::compile_value(self.options, &self.params, value)?;
        Env::new(self, parameters, resource, context).tmpl(&t, "value")
    }

    /// Whether Azure evaluates a resource of this type under the
    /// definition's mode: always in `All`; in `Indexed` only when the type
    /// supports tags and location, and an error when that is not known.
    ///
    /// `None` is a resource without `type`, which only
    /// `ReadOptions::raw_paths` admits: such a resource stands for one of
    /// no particular type, as its raw paths do. `Indexed` filters by type
    /// ("Azure Policy definition structure basics", mode), so there is
    /// nothing to filter it out by: it is evaluated, as the rule would be
    /// for any type that supports tags and location (the page's own
    /// `Indexed` example is a location rule for every resource). Without
    /// raw paths a missing `type` stays an error before this point.
    fn applies_to(&self, ty: Option<&str>) -> Result<bool, EvalError> {
        let Some(ty) = ty else {
            return Ok(true);
        };
        if self.mode() == Mode::All {
            return Ok(true);
        }
        let unsupported = |m: String| EvalError::new(ErrorKind::Unsupported, "mode", m);
        indexed::evaluates(ty).map_err(unsupported)?.ok_or_else(|| {
            unsupported(format!(
                "`Indexed` (which a missing or null mode also means) evaluates only resource types that support tags and location, and whether `{ty}` does is not known here (amlgen's table holds the types of the ARM schemas it vendors), so whether Azure would evaluate this resource cannot be said; a definition in mode `All` would evaluate it"
            ))
        })
    }
}

/// `allowedValues`: the value is one of them; for an array parameter whose
/// allowed values are not arrays themselves, every member is one of them
/// (Microsoft's array-parameter example). Strings compare exactly, case
/// included: "allowed value comparisons are case-sensitive when assigning a
/// policy" ("Azure Policy definition structure parameters"), so Azure
/// refuses `"deny"` where the definition allows `"Deny"`, although the rule
/// would later compare it ignoring case.
fn is_allowed(allowed: &[Value], value: &Value) -> bool {
    let one = |v: &Value| allowed.iter().any(|a| functions::strict_eq(a, v));
    match value {
        Value::Array(items) if !allowed.iter().any(Value::is_array) => items.iter().all(one),
        other => one(other),
    }
}

/// When a refused value differs from an allowed one only in case, says
/// which one to write.
fn case_hint(allowed: &[Value], value: &Value) -> String {
    let refused: Vec<&Value> = match value {
        Value::Array(items) if !allowed.iter().any(Value::is_array) => items.iter().collect(),
        other => vec![other],
    };
    let fixes: Vec<String> = refused
        .into_iter()
        .filter(|v| !allowed.iter().any(|a| functions::strict_eq(a, v)))
        .filter_map(|v| allowed.iter().find(|a| ops::loose_eq(a, v)))
        .map(|a| format!("`{}`", functions::to_string(a)))
        .collect();
    if fixes.is_empty() {
        String::new()
    } else {
        format!(
            "; allowed values are compared case-sensitively: write {}",
            fixes.join(", ")
        )
    }
}

/// One evaluation's state: the resource a `field` condition reads, and
/// (in an existence condition) the evaluated resource `field()` reads.
pub(super) struct Env<'a> {
    def: &'a Definition,
    assigned: &'a Map<String, Value>,
    resource: &'a Value,
    /// In an existence condition, the resource the rule's `if` evaluated:
    /// `field()`, `subscription()`, `resourceGroup()` and `requestContext()`
    /// read it while `field` conditions read the related resource
    /// ("Azure Policy definitions auditIfNotExists effect",
    /// existenceCondition).
    outer: Option<&'a Value>,
    context: &'a Context,
    bindings: Vec<Binding>,
}

impl<'a> Env<'a> {
    pub(super) fn new(
        def: &'a Definition,
        assigned: &'a Map<String, Value>,
        resource: &'a Value,
        context: &'a Context,
    ) -> Env<'a> {
        Env {
            def,
            assigned,
            resource,
            outer: None,
            context,
            bindings: Vec::new(),
        }
    }

    /// The same evaluation over a related resource: `field` conditions
    /// read `related`, the functions still read the evaluated resource.
    pub(super) fn related(&self, related: &'a Value) -> Env<'a> {
        Env {
            def: self.def,
            assigned: self.assigned,
            resource: related,
            outer: Some(self.evaluated()),
            context: self.context,
            bindings: Vec::new(),
        }
    }

    /// The resource the rule's `if` evaluates.
    fn evaluated(&self) -> &'a Value {
        self.outer.unwrap_or(self.resource)
    }
}

fn eval_err(at: &str, m: impl Into<String>) -> EvalError {
    EvalError::new(ErrorKind::Evaluation, at, m)
}

impl Env<'_> {
    pub(super) fn cond(&mut self, c: &Cond) -> Result<bool, EvalError> {
        match c {
            Cond::AllOf(cs) => {
                for c in cs {
                    if !self.cond(c)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            Cond::AnyOf(cs) => {
                for c in cs {
                    if self.cond(c)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Cond::Not(c) => Ok(!self.cond(c)?),
            Cond::Test {
                at,
                operand,
                op,
                rhs,
            } => {
                let rhs_at = format!("{at}.{}", op.name());
                let (lhs, location) = match operand {
                    Operand::Field(f) => {
                        let field = self.field_ref(f, at)?;
                        let sel = self.select(&field, at)?;
                        (sel, matches!(field, Field::Location))
                    }
                    Operand::Value(t) => (Selection::One(Some(self.tmpl(t, at)?)), false),
                    Operand::Count(c) => {
                        let n = self.count(c, at)?;
                        (Selection::One(Some(Value::from(n))), false)
                    }
                };
                let rhs = self.tmpl(rhs, &rhs_at)?;
                ops::check_evaluated_rhs(*op, &rhs).map_err(|m| eval_err(&rhs_at, m))?;
                match lhs {
                    Selection::One(v) => {
                        ops::apply(*op, v.as_ref(), &rhs, location).map_err(|m| eval_err(at, m))
                    }
                    Selection::Many(vs) => {
                        for v in &vs {
                            if !ops::apply(*op, v.as_ref(), &rhs, location)
                                .map_err(|m| eval_err(at, m))?
                            {
                                return Ok(false);
                            }
                        }
                        Ok(true)
                    }
                }
            }
        }
    }

    fn field_ref(&mut self, f: &FieldRef, at: &str) -> Result<Field, EvalError> {
        match f {
            FieldRef::Known(field) => Ok(field.clone()),
            FieldRef::Dynamic(e) => {
                let v = self.expr(e, at)?;
                let Value::String(name) = v else {
                    return Err(eval_err(
                        at,
                        format!("`field` evaluated to {}, not a field name", describe(&v)),
                    ));
                };
                self.parse_field(&name, at)
            }
        }
    }

    fn parse_field(&self, name: &str, at: &str) -> Result<Field, EvalError> {
        field::parse_field(self.def.options, name)
            .map_err(|m| EvalError::new(ErrorKind::Unsupported, at, m))
    }

    fn select(&self, field: &Field, at: &str) -> Result<Selection, EvalError> {
        resource::select(self.resource, field, &self.bindings, self.alias_version())
            .map_err(|m| EvalError::new(ErrorKind::Resource, at, m))
    }

    /// What `field()` reads: the evaluated resource, also inside an
    /// existence condition (where no count binds its members).
    fn select_fn(&self, field: &Field, at: &str) -> Result<Selection, EvalError> {
        match self.outer {
            None => self.select(field, at),
            Some(outer) => resource::select(outer, field, &[], self.alias_version())
                .map_err(|m| EvalError::new(ErrorKind::Resource, at, m)),
        }
    }

    /// The API version whose alias paths a field reads (`Alias::path_for`):
    /// the request's, from the context, else the resource's `apiVersion`;
    /// none (default paths) when neither says.
    fn alias_version(&self) -> Option<&str> {
        self.context.api_version.as_deref().or_else(|| {
            self.resource
                .as_object()
                .and_then(|o| functions::get_ci(o, "apiVersion"))
                .and_then(Value::as_str)
        })
    }

    fn count(&mut self, c: &Count, at: &str) -> Result<usize, EvalError> {
        match &c.source {
            CountSource::Field(alias) => {
                let Some(alias) = resource::alias_of(self.resource, alias) else {
                    return Ok(0);
                };
                let Some(path) = alias.path_for(self.alias_version()) else {
                    return Err(EvalError::new(
                        ErrorKind::Unsupported,
                        at,
                        format!("`{}` has no ARM path", alias.name),
                    ));
                };
                let resource = self.resource;
                let entries = resource::walk(resource, path, &self.bindings)
                    .map_err(|m| EvalError::new(ErrorKind::Resource, at, m))?;
                let Some(filter) = &c.filter else {
                    return Ok(entries.len());
                };
                let mut n = 0;
                for (indices, member) in entries {
                    self.bindings.push(Binding::Field {
                        path: path.to_vec(),
                        indices,
                        current: member.cloned().unwrap_or(Value::Null),
                    });
                    let r = self.cond(filter);
                    self.bindings.pop();
                    if r? {
                        n += 1;
                    }
                }
                Ok(n)
            }
            CountSource::Value { value, name } => {
                let v = self.tmpl(value, &format!("{at}.value"))?;
                let Value::Array(items) = v else {
                    return Err(eval_err(
                        &format!("{at}.value"),
                        format!("`count.value` must be an array, got {}", describe(&v)),
                    ));
                };
                let Some(filter) = &c.filter else {
                    return Ok(items.len());
                };
                let mut n = 0;
                for item in items {
                    self.bindings.push(Binding::Value {
                        name: name.clone(),
                        current: item,
                    });
                    let r = self.cond(filter);
                    self.bindings.pop();
                    if r? {
                        n += 1;
                    }
                }
                Ok(n)
            }
        }
    }

    pub(super) fn tmpl(&mut self, t: &Tmpl, at: &str) -> Result<Value, EvalError> {
        match t {
            Tmpl::Lit(v) => Ok(v.clone()),
            Tmpl::Expr(e) => self.expr(e, at),
            Tmpl::Array(items) => items
                .iter()
                .map(|i| self.tmpl(i, at))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            Tmpl::Object(items) => items
                .iter()
                .map(|(k, i)| Ok((k.clone(), self.tmpl(i, at)?)))
                .collect::<Result<Map<_, _>, EvalError>>()
                .map(Value::Object),
        }
    }

    fn expr(&mut self, e: &Expr, at: &str) -> Result<Value, EvalError> {
        match e {
            Expr::Str(s) => Ok(Value::String(s.clone())),
            Expr::Int(n) => Ok(Value::from(*n)),
            Expr::Bool(b) => Ok(Value::Bool(*b)),
            Expr::Null => Ok(Value::Null),
            Expr::Member(inner, name) => {
                let v = self.expr(inner, at)?;
                if let Some(blank) = missing_group_tag(inner, &v, &Value::String(name.clone())) {
                    return Ok(blank);
                }
                functions::member(&v, name)
                    .cloned()
                    .map_err(|m| eval_err(at, m))
            }
            Expr::Index(inner, i) => {
                let v = self.expr(inner, at)?;
                let i = self.expr(i, at)?;
                if let Some(blank) = missing_group_tag(inner, &v, &i) {
                    return Ok(blank);
                }
                functions::index(&v, &i)
                    .cloned()
                    .map_err(|m| eval_err(at, m))
            }
            Expr::Call(name, args) => {
                let spec = functions::spec(name)
                    .map_err(|m| EvalError::new(ErrorKind::Unsupported, at, m))?;
                functions::check_arity(spec, args.len())
                    .map_err(|m| EvalError::new(ErrorKind::Definition, at, m))?;
                match spec.kind {
                    Kind::Context => self.context_call(spec.name, args, at),
                    Kind::Lazy => self.lazy_call(spec.name, args, at),
                    Kind::Pure => {
                        let vals = args
                            .iter()
                            .map(|a| self.expr(a, at))
                            .collect::<Result<Vec<_>, _>>()?;
                        functions::call_pure(spec.name, &vals).map_err(|m| eval_err(at, m))
                    }
                }
            }
        }
    }

    fn lazy_call(&mut self, name: &str, args: &[Expr], at: &str) -> Result<Value, EvalError> {
        match name {
            "if" => {
                let c = self.expr(&args[0], at)?;
                let c = functions::as_bool(&c, "if").map_err(|m| eval_err(at, m))?;
                self.expr(if c { &args[1] } else { &args[2] }, at)
            }
            "and" | "or" => {
                let want = name == "or";
                for a in args {
                    let v = self.expr(a, at)?;
                    if functions::as_bool(&v, name).map_err(|m| eval_err(at, m))? == want {
                        return Ok(Value::Bool(want));
                    }
                }
                Ok(Value::Bool(!want))
            }
            _ => {
                for a in args {
                    let v = self.expr(a, at)?;
                    if !v.is_null() {
                        return Ok(v);
                    }
                }
                Ok(Value::Null)
            }
        }
    }

    fn string_arg(&mut self, args: &[Expr], f: &str, at: &str) -> Result<String, EvalError> {
        let v = self.expr(&args[0], at)?;
        match v {
            Value::String(s) => Ok(s),
            other => Err(eval_err(
                at,
                format!("`{f}()` takes a string, got {}", describe(&other)),
            )),
        }
    }

    fn context_call(&mut self, name: &str, args: &[Expr], at: &str) -> Result<Value, EvalError> {
        match name {
            "parameters" => {
                let p = self.string_arg(args, name, at)?;
                self.parameter(&p, at)
            }
            "field" => {
                let f = self.string_arg(args, name, at)?;
                let field = self.parse_field(&f, at)?;
                Ok(match self.select_fn(&field, at)? {
                    Selection::One(Some(v)) => v,
                    Selection::One(None) => Value::String(String::new()),
                    Selection::Many(vs) => Value::Array(vs.into_iter().flatten().collect()),
                })
            }
            "current" => {
                let n = if args.is_empty() {
                    None
                } else {
                    Some(self.string_arg(args, name, at)?)
                };
                self.current(n.as_deref(), at)
            }
            "subscription" => {
                let sub = self.subscription(at)?;
                Ok(serde_json::json!({
                    "id": format!("/subscriptions/{sub}"),
                    "subscriptionId": sub,
                }))
            }
            "resourceGroup" => self.resource_group(at),
            _ => {
                let version = self
                    .context
                    .api_version
                    .clone()
                    .or_else(|| {
                        self.evaluated()
                            .as_object()
                            .and_then(|o| functions::get_ci(o, "apiVersion"))
                            .and_then(Value::as_str)
                            .map(str::to_string)
                    })
                    .ok_or_else(|| {
                        eval_err(at, "`requestContext().apiVersion` needs the request's API version: pass it in the context (`--api-version`) or give the resource an `apiVersion`")
                    })?;
                Ok(serde_json::json!({ "apiVersion": version }))
            }
        }
    }

    /// `resourceGroup()`: the members the context or the resource's `id`
    /// give ("Resource functions for ARM templates", resourceGroup: `id`,
    /// `name`, `type`, `location`, `tags`, ...). A member known nowhere is
    /// left out, so reading it is an error; nothing known at all is an
    /// error here.
    fn resource_group(&self, at: &str) -> Result<Value, EvalError> {
        let (id_sub, id_rg) = resource::id_scope(self.evaluated());
        let ctx = self.context;
        let rg = ctx.resource_group.clone().or(id_rg);
        if rg.is_none()
            && ctx.resource_group_location.is_none()
            && ctx.resource_group_tags.is_none()
        {
            return Err(eval_err(
                at,
                "`resourceGroup()` needs the resource group: pass it in the context (`--resource-group`) or give the resource an `id`",
            ));
        }
        let mut o = Map::new();
        if let Some(rg) = rg {
            if let Some(sub) = ctx.subscription_id.clone().or(id_sub) {
                o.insert(
                    "id".into(),
                    Value::String(format!("/subscriptions/{sub}/resourceGroups/{rg}")),
                );
            }
            o.insert("name".into(), Value::String(rg));
        }
        o.insert(
            "type".into(),
            Value::String("Microsoft.Resources/resourceGroups".into()),
        );
        if let Some(l) = &ctx.resource_group_location {
            o.insert("location".into(), Value::String(l.clone()));
        }
        if let Some(t) = &ctx.resource_group_tags {
            o.insert("tags".into(), Value::Object(t.clone()));
        }
        Ok(Value::Object(o))
    }

    fn subscription(&self, at: &str) -> Result<String, EvalError> {
        self.context
            .subscription_id
            .clone()
            .or_else(|| resource::id_scope(self.evaluated()).0)
            .ok_or_else(|| {
                eval_err(at, "`subscription()` needs the subscription id: pass it in the context (`--subscription`) or give the resource an `id`")
            })
    }

    fn parameter(&self, name: &str, at: &str) -> Result<Value, EvalError> {
        let Some(def) = find_param(&self.def.params, name) else {
            return Err(EvalError::new(
                ErrorKind::Definition,
                at,
                format!("the definition declares no parameter `{name}`"),
            ));
        };
        if let Some(v) = self
            .assigned
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(&def.name))
            .map(|(_, v)| v)
        {
            return Ok(v.clone());
        }
        def.default.clone().ok_or_else(|| {
            EvalError::new(
                ErrorKind::Parameter,
                at,
                format!(
                    "parameter `{}` has no value and no defaultValue: assign it (`--param {}=...`)",
                    def.name, def.name
                ),
            )
        })
    }

    fn current(&self, name: Option<&str>, at: &str) -> Result<Value, EvalError> {
        let Some(n) = name else {
            return match self.bindings.as_slice() {
                [only] => Ok(match only {
                    Binding::Field { current, .. } | Binding::Value { current, .. } => {
                        current.clone()
                    }
                }),
                [] => Err(eval_err(
                    at,
                    "`current()` is only available inside a count's `where`",
                )),
                _ => Err(eval_err(
                    at,
                    "`current()` without a name is ambiguous inside nested counts",
                )),
            };
        };
        for b in self.bindings.iter().rev() {
            match b {
                Binding::Value { name, current } if name.eq_ignore_ascii_case(n) => {
                    return Ok(current.clone());
                }
                Binding::Field { path: bound, .. } if n.contains('/') => {
                    let Ok(Field::Alias(target)) = self.parse_field(n, at) else {
                        continue;
                    };
                    let target = resource::alias_of(self.resource, target).unwrap_or(target);
                    let path = target.path_for(self.alias_version());
                    if !field::is_prefix(Some(bound), path) {
                        continue;
                    }
                    let Some(path) = path else {
                        continue;
                    };
                    let stars = |p: &[super::aliases::Segment]| {
                        p.iter()
                            .filter(|s| **s == super::aliases::Segment::Wildcard)
                            .count()
                    };
                    let entries = resource::walk(self.resource, path, &self.bindings)
                        .map_err(|m| EvalError::new(ErrorKind::Resource, at, m))?;
                    // A `[*]` below the counted one is not bound by the
                    // count: the value is the array of what it selects in
                    // the current member, as `field()` gives for a `[*]`
                    // alias (built-in policies write
                    // `length(current('…targetRegions[*].encryption.dataDiskImages[*].diskEncryptionSetId'))`
                    // in a count over `targetRegions[*]`).
                    if stars(path) > stars(bound) {
                        return Ok(Value::Array(
                            entries
                                .into_iter()
                                .filter_map(|(_, v)| v.cloned())
                                .collect(),
                        ));
                    }
                    return Ok(entries
                        .into_iter()
                        .next()
                        .and_then(|(_, v)| v.cloned())
                        .unwrap_or(Value::Null));
                }
                _ => {}
            }
        }
        Err(eval_err(
            at,
            format!("`current('{n}')` names no enclosing count"),
        ))
    }
}

/// A tag the resource group does not have, read as
/// `resourceGroup().tags[name]` (or `.name`): blank, not an error. Microsoft's
/// built-in "Inherit a tag from the resource group" tests the tag with
/// `"value": "[resourceGroup().tags[parameters('tagName')]]", "notEquals": ""`,
/// and "Azure Policy pattern: the value operator" explains that the
/// condition is true when the tag exists on the resource group: a missing
/// tag reads as the blank value. The group's tags must be known (else
/// `tags` itself is missing, and reading it fails).
fn missing_group_tag(inner: &Expr, tags: &Value, key: &Value) -> Option<Value> {
    let Expr::Member(group, member) = inner else {
        return None;
    };
    let Expr::Call(f, args) = &**group else {
        return None;
    };
    if !(f.eq_ignore_ascii_case("resourceGroup")
        && args.is_empty()
        && member.eq_ignore_ascii_case("tags"))
    {
        return None;
    }
    let (Value::Object(tags), Value::String(key)) = (tags, key) else {
        return None;
    };
    functions::get_ci(tags, key)
        .is_none()
        .then(|| Value::String(String::new()))
}
