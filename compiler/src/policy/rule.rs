//! Reading a policy definition into a checked rule.
//!
//! Accepted shapes: the built-in file (`{properties: {mode, parameters,
//! policyRule}, id, name}`), the ARM-resource envelope of Enterprise-Scale,
//! ALZ Library and ALZ-Bicep (`{name, type, apiVersion?, properties}`), and
//! the bare `{mode?, parameters?, policyRule}`. Enterprise-Scale files are
//! embedded in ARM deployments, so every expression in them is written
//! `[[...]`; [`Escaping::Auto`] recognises such a file (every expression
//! escaped, none plain) and reads `[[` as `[`, as ARM does when it deploys
//! the definition. In the direct form (built-in, ALZ Library, ALZ-Bicep,
//! bare), as in any ARM string, `[[x]` is the literal `[x]` ("ARM template
//! syntax", escape characters); in the template-escaped form that literal
//! is written `[[[x]`. Only what is evaluated is read so: the rule's
//! strings and the effect. Parameter values (`defaultValue`,
//! `allowedValues`, assigned values) are data: Microsoft lists where policy
//! functions are resolved (the policy rule, and the parameter values an
//! initiative passes to its definitions), and a definition's parameters are
//! not among them. So a direct file's `[[` in them stays as written; a
//! template-escaped file's is reduced once, by the deployment.
//!
//! Compiling checks everything that does not depend on the resource: each
//! condition has one operand (`field`, `value` or `count`) and one known
//! operator; each field is a built-in field or a confirmed alias of the
//! table; each template function is supported and has the right number of
//! arguments; `parameters('x')` names a declared parameter; `current()` is
//! inside a count; a literal right-hand side suits its operator. So an
//! unsupported construct is an error even in a branch that evaluation
//! would short-circuit past.

use serde_json::{Map, Value};

use super::aliases::{self, Alias, AliasStatus, AliasTable, Segment};
use super::expr::{self, Expr, StrForm};
use super::functions::{self, get_ci};
use super::ops::{self, Op, describe};
use super::{ErrorKind, EvalError};

/// How `[[` reads in a definition file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Escaping {
    /// Template-escaped when every expression in the rule and parameters is
    /// written `[[...]` and none `[...]`; direct when no `[[...]` string
    /// would deploy as an expression (so `"[[x]"`, a literal of a direct
    /// file, reads `[x]`); a mix is an error (say which one it is).
    #[default]
    Auto,
    /// The file is embedded in an ARM template (Enterprise-Scale): `[[` is
    /// `[`, and a plain `[...]` would be evaluated by ARM at deployment,
    /// which an offline evaluation cannot do (an error).
    Template,
    /// The definition as Azure Policy stores it: `[...]` is an expression,
    /// `[[...]` a literal starting with `[`.
    Direct,
}

/// The definition's mode. Resource Provider modes (`Microsoft.*.Data`)
/// evaluate data-plane payloads, not ARM resources, and are rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    All,
    /// Azure evaluates only resource types that support tags and location
    /// (`indexed`); for the others the verdict is "not applicable".
    Indexed,
}

/// The declared type of a parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParamType {
    String,
    Array,
    Object,
    Boolean,
    Integer,
    Float,
    DateTime,
}

impl ParamType {
    fn parse(s: &str) -> Option<ParamType> {
        Some(match s.to_ascii_lowercase().as_str() {
            "string" => ParamType::String,
            "array" => ParamType::Array,
            "object" => ParamType::Object,
            "boolean" => ParamType::Boolean,
            "integer" => ParamType::Integer,
            "float" => ParamType::Float,
            "datetime" => ParamType::DateTime,
            _ => return None,
        })
    }

    pub(crate) fn accepts(self, v: &Value) -> bool {
        match self {
            ParamType::String | ParamType::DateTime => v.is_string(),
            ParamType::Array => v.is_array(),
            ParamType::Object => v.is_object(),
            ParamType::Boolean => v.is_boolean(),
            ParamType::Integer => v.is_i64() || v.is_u64(),
            ParamType::Float => v.is_number(),
        }
    }

    /// A value of the type, for checking an operator's argument.
    fn example(self) -> Value {
        match self {
            ParamType::String | ParamType::DateTime => Value::String(String::new()),
            ParamType::Array => Value::Array(Vec::new()),
            ParamType::Object => Value::Object(Map::new()),
            ParamType::Boolean => Value::Bool(true),
            ParamType::Integer | ParamType::Float => Value::from(0),
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            ParamType::String => "String",
            ParamType::Array => "Array",
            ParamType::Object => "Object",
            ParamType::Boolean => "Boolean",
            ParamType::Integer => "Integer",
            ParamType::Float => "Float",
            ParamType::DateTime => "DateTime",
        }
    }
}

/// A declared parameter.
#[derive(Debug, Clone)]
pub(crate) struct ParamDef {
    pub(crate) name: String,
    pub(crate) ty: ParamType,
    pub(crate) default: Option<Value>,
    pub(crate) allowed: Option<Vec<Value>>,
}

/// A JSON value of the rule whose strings may be expressions.
#[derive(Debug, Clone)]
pub(crate) enum Tmpl {
    Lit(Value),
    Expr(Expr),
    Array(Vec<Tmpl>),
    Object(Vec<(String, Tmpl)>),
}

/// A field a condition reads.
#[derive(Debug, Clone)]
pub(crate) enum Field {
    Type,
    Name,
    FullName,
    Kind,
    Location,
    Id,
    IdentityType,
    Tags,
    Tag(String),
    Alias(&'static Alias),
}

impl Field {
    pub(crate) fn describe(&self) -> String {
        match self {
            Field::Type => "type".into(),
            Field::Name => "name".into(),
            Field::FullName => "fullName".into(),
            Field::Kind => "kind".into(),
            Field::Location => "location".into(),
            Field::Id => "id".into(),
            Field::IdentityType => "identity.type".into(),
            Field::Tags => "tags".into(),
            Field::Tag(t) => format!("tags['{t}']"),
            Field::Alias(a) => a.name.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) enum FieldRef {
    Known(Field),
    /// `"field": "[concat('tags[', parameters('tagName'), ']')]"`
    Dynamic(Expr),
}

#[derive(Debug, Clone)]
pub(crate) enum Operand {
    Field(FieldRef),
    Value(Tmpl),
    Count(Box<Count>),
}

#[derive(Debug, Clone)]
pub(crate) enum CountSource {
    /// A field count over an array alias.
    Field(&'static Alias),
    /// A value count over an array, with its index name.
    Value { value: Tmpl, name: String },
}

#[derive(Debug, Clone)]
pub(crate) struct Count {
    pub(crate) source: CountSource,
    pub(crate) filter: Option<Cond>,
}

/// A checked condition tree.
#[derive(Debug, Clone)]
pub(crate) enum Cond {
    AllOf(Vec<Cond>),
    AnyOf(Vec<Cond>),
    Not(Box<Cond>),
    Test {
        at: String,
        operand: Operand,
        op: Op,
        rhs: Tmpl,
    },
}

/// A policy definition, read and checked, ready to evaluate any number of
/// resources.
#[derive(Debug, Clone)]
pub struct Definition {
    pub(crate) cond: Cond,
    pub(crate) effect: Tmpl,
    pub(crate) params: Vec<ParamDef>,
    mode: Mode,
    name: Option<String>,
    display_name: Option<String>,
    template_escaped: bool,
}

/// The effects Azure Policy documents (case-insensitive).
pub(crate) const EFFECTS: &[&str] = &[
    "append",
    "audit",
    "auditIfNotExists",
    "deny",
    "denyAction",
    "deployIfNotExists",
    "disabled",
    "manual",
    "modify",
];

/// Deepest condition nesting accepted.
const MAX_DEPTH: usize = 128;

impl Definition {
    /// Reads a definition (any of the accepted shapes) and checks its rule.
    pub fn from_json(def: &Value, escaping: Escaping) -> Result<Definition, EvalError> {
        let table = aliases::table().map_err(|e| err(ErrorKind::Unsupported, "", e))?;
        let Value::Object(top) = def else {
            return Err(err(
                ErrorKind::Definition,
                "",
                format!(
                    "a policy definition is a JSON object, got {}",
                    describe(def)
                ),
            ));
        };
        let body = if get_ci(top, "policyRule").is_some() {
            top
        } else {
            match get_ci(top, "properties") {
                Some(Value::Object(p)) if get_ci(p, "policyRule").is_some() => p,
                Some(Value::Object(p)) if get_ci(p, "policyDefinitions").is_some() => {
                    return Err(err(
                        ErrorKind::Definition,
                        "",
                        "this is a policy set definition (initiative); evaluate its member definitions one by one",
                    ));
                }
                _ if get_ci(top, "policyDefinitions").is_some() => {
                    return Err(err(
                        ErrorKind::Definition,
                        "",
                        "this is a policy set definition (initiative); evaluate its member definitions one by one",
                    ));
                }
                _ => {
                    return Err(err(
                        ErrorKind::Definition,
                        "",
                        "not a policy definition: no `policyRule` (expected `{properties: {policyRule, ...}}` or `{policyRule, ...}`)",
                    ));
                }
            }
        };
        let name = get_ci(top, "name")
            .and_then(Value::as_str)
            .map(str::to_string);
        let display_name = get_ci(body, "displayName")
            .and_then(Value::as_str)
            .map(str::to_string);
        let mode = match get_ci(body, "mode") {
            // "A null mode is the same as using indexed" ("Azure Policy
            // definition structure basics", mode). A file without `mode` is
            // stored with a null mode by the Azure CLI and with `all` by
            // Azure PowerShell; reading it as `Indexed` never reports a
            // guardrail as applying where Azure may skip the resource.
            None | Some(Value::Null) => Mode::Indexed,
            Some(Value::String(m)) if m.eq_ignore_ascii_case("all") => Mode::All,
            Some(Value::String(m)) if m.eq_ignore_ascii_case("indexed") => Mode::Indexed,
            Some(Value::String(m)) if m.to_ascii_lowercase().starts_with("microsoft.") => {
                return Err(err(
                    ErrorKind::Unsupported,
                    "mode",
                    format!(
                        "mode `{m}` is a Resource Provider mode: it evaluates data-plane payloads, not ARM resource JSON"
                    ),
                ));
            }
            Some(other) => {
                return Err(err(
                    ErrorKind::Definition,
                    "mode",
                    format!("unknown mode {} (expected All or Indexed)", describe(other)),
                ));
            }
        };
        let raw_rule = get_ci(body, "policyRule").unwrap_or(&Value::Null);
        let raw_params = match get_ci(body, "parameters") {
            None | Some(Value::Null) => Value::Object(Map::new()),
            Some(p @ Value::Object(_)) => p.clone(),
            Some(other) => {
                return Err(err(
                    ErrorKind::Definition,
                    "parameters",
                    format!("`parameters` is an object, got {}", describe(other)),
                ));
            }
        };
        let Value::Object(rule_obj) = raw_rule else {
            return Err(err(
                ErrorKind::Definition,
                "policyRule",
                format!("`policyRule` is an object, got {}", describe(raw_rule)),
            ));
        };
        for key in rule_obj.keys() {
            if !key.eq_ignore_ascii_case("if") && !key.eq_ignore_ascii_case("then") {
                return Err(err(
                    ErrorKind::Definition,
                    "policyRule",
                    format!("unknown key `{key}` (a policy rule has `if` and `then`)"),
                ));
            }
        }
        let raw_if = get_ci(rule_obj, "if").ok_or_else(|| {
            err(
                ErrorKind::Definition,
                "policyRule",
                "the policy rule has no `if`",
            )
        })?;
        let raw_effect = match get_ci(rule_obj, "then") {
            Some(Value::Object(then)) => get_ci(then, "effect").ok_or_else(|| {
                err(
                    ErrorKind::Definition,
                    "policyRule.then",
                    "`then` has no `effect`",
                )
            })?,
            _ => {
                return Err(err(
                    ErrorKind::Definition,
                    "policyRule",
                    "the policy rule has no `then` object",
                ));
            }
        };
        // Only what is evaluated decides and is unescaped: `if`, the effect,
        // the parameters (`then.details` is never evaluated here).
        let template_escaped = match escaping {
            Escaping::Direct => false,
            Escaping::Template => true,
            Escaping::Auto => {
                let mut n = (0usize, 0usize);
                scan_escapes(raw_if, &mut n);
                scan_escapes(raw_effect, &mut n);
                scan_escapes(&raw_params, &mut n);
                match n {
                    (0, _) => false,
                    (_, 0) => true,
                    (escaped, plain) => {
                        return Err(err(
                            ErrorKind::Definition,
                            "",
                            format!(
                                "the definition mixes {escaped} `[[...]` (template-escaped) and {plain} `[...]` expression(s); say which it is (Escaping::Template or Escaping::Direct, `--escaping`)"
                            ),
                        ));
                    }
                }
            }
        };
        let (if_json, effect_json, params_json) = if template_escaped {
            (
                unescape(raw_if, "policyRule.if")?,
                unescape(raw_effect, "policyRule.then.effect")?,
                unescape(&raw_params, "parameters")?,
            )
        } else {
            (raw_if.clone(), raw_effect.clone(), raw_params)
        };
        let params = read_params(&params_json)?;
        let mut c = Compiler {
            table,
            params: &params,
            counts: Vec::new(),
        };
        let cond = c.cond(&if_json, "policyRule.if", 0)?;
        let effect = c.tmpl(&effect_json, "policyRule.then.effect")?;
        if let Tmpl::Lit(v) = &effect {
            check_effect(v)
                .map_err(|m| err(ErrorKind::Unsupported, "policyRule.then.effect", m))?;
        }
        Ok(Definition {
            cond,
            effect,
            params,
            mode,
            name,
            display_name,
            template_escaped,
        })
    }

    #[must_use]
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The definition's `name` (a GUID for built-ins), when the file has one.
    #[must_use]
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    #[must_use]
    pub fn display_name(&self) -> Option<&str> {
        self.display_name.as_deref()
    }

    /// Whether the file was read as template-escaped (`[[` → `[`).
    #[must_use]
    pub fn template_escaped(&self) -> bool {
        self.template_escaped
    }

    /// The declared parameters.
    pub fn parameter_names(&self) -> impl Iterator<Item = &str> {
        self.params.iter().map(|p| p.name.as_str())
    }

    /// A declared parameter's type (`String`, `Array`, `Object`, `Boolean`,
    /// `Integer`, `Float`, `DateTime`), matched ignoring case.
    #[must_use]
    pub fn parameter_type(&self, name: &str) -> Option<&'static str> {
        find_param(&self.params, name).map(|p| p.ty.name())
    }
}

/// Checks a resolved effect name against the documented effects.
pub(crate) fn check_effect(v: &Value) -> Result<&'static str, String> {
    match v {
        Value::String(s) => EFFECTS
            .iter()
            .find(|e| e.eq_ignore_ascii_case(s))
            .copied()
            .ok_or_else(|| {
                format!(
                    "unknown effect `{s}` (Azure Policy's effects: {})",
                    EFFECTS.join(", ")
                )
            }),
        other => Err(format!(
            "the effect must be a string, got {}",
            describe(other)
        )),
    }
}

fn err(kind: ErrorKind, at: &str, message: impl Into<String>) -> EvalError {
    EvalError::new(kind, at, message)
}

/// Counts the strings that only a template-escaped file would write
/// (`[[concat(...)]`: ARM deploys it as an expression) and plain `[...]`
/// expressions. A `[[...]` string that reads as a literal either way
/// (`[[[x]`), or whose unescaped form is no expression (`[[x]`, which only
/// the direct reading makes sense of: the literal `[x]`), says nothing.
fn scan_escapes(v: &Value, n: &mut (usize, usize)) {
    match v {
        Value::String(s) => {
            if s.starts_with("[[") && s.ends_with(']') {
                if let StrForm::Expression(src) = expr::classify(&s[1..])
                    && expr::parse(&src).is_ok()
                {
                    n.0 += 1;
                }
            } else if expr::is_expression(s) {
                n.1 += 1;
            }
        }
        Value::Array(a) => a.iter().for_each(|x| scan_escapes(x, n)),
        Value::Object(o) => o.values().for_each(|x| scan_escapes(x, n)),
        _ => {}
    }
}

/// Reads a template-escaped value as ARM deploys it: `[[` → `[`.
fn unescape(v: &Value, at: &str) -> Result<Value, EvalError> {
    Ok(match v {
        Value::String(s) if s.starts_with("[[") && s.ends_with(']') => {
            Value::String(s[1..].to_string())
        }
        Value::String(s) if expr::is_expression(s) => {
            return Err(err(
                ErrorKind::Unsupported,
                at,
                format!(
                    "`{s}` is a plain expression in a template-escaped definition: ARM would evaluate it when deploying the definition, which an offline evaluation cannot do"
                ),
            ));
        }
        Value::Array(a) => Value::Array(
            a.iter()
                .enumerate()
                .map(|(i, x)| unescape(x, &format!("{at}[{i}]")))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| Ok((k.clone(), unescape(x, &format!("{at}.{k}"))?)))
                .collect::<Result<_, EvalError>>()?,
        ),
        other => other.clone(),
    })
}

fn read_params(v: &Value) -> Result<Vec<ParamDef>, EvalError> {
    let mut out = Vec::new();
    let Value::Object(map) = v else {
        return Ok(out);
    };
    for (name, def) in map {
        let at = format!("parameters.{name}");
        let Value::Object(d) = def else {
            return Err(err(
                ErrorKind::Definition,
                &at,
                format!("a parameter is an object, got {}", describe(def)),
            ));
        };
        let ty = match get_ci(d, "type") {
            Some(Value::String(t)) => ParamType::parse(t).ok_or_else(|| {
                err(
                    ErrorKind::Definition,
                    &at,
                    format!("unknown parameter type `{t}`"),
                )
            })?,
            _ => {
                return Err(err(
                    ErrorKind::Definition,
                    &at,
                    "a parameter needs a `type`",
                ));
            }
        };
        let allowed = match get_ci(d, "allowedValues") {
            None | Some(Value::Null) => None,
            Some(Value::Array(a)) => Some(a.clone()),
            Some(other) => {
                return Err(err(
                    ErrorKind::Definition,
                    &at,
                    format!("`allowedValues` is an array, got {}", describe(other)),
                ));
            }
        };
        out.push(ParamDef {
            name: name.clone(),
            ty,
            default: get_ci(d, "defaultValue").cloned(),
            allowed,
        });
    }
    Ok(out)
}

/// Finds a declared parameter, ignoring case.
pub(crate) fn find_param<'a>(params: &'a [ParamDef], name: &str) -> Option<&'a ParamDef> {
    params.iter().find(|p| p.name.eq_ignore_ascii_case(name))
}

/// What a `where` is counting, for checking `current()`.
enum StaticCount {
    Field(&'static Alias),
    Value(String),
}

struct Compiler<'a> {
    table: &'static AliasTable,
    params: &'a [ParamDef],
    counts: Vec<StaticCount>,
}

impl Compiler<'_> {
    fn cond(&mut self, v: &Value, at: &str, depth: usize) -> Result<Cond, EvalError> {
        if depth > MAX_DEPTH {
            return Err(err(
                ErrorKind::Unsupported,
                at,
                format!("conditions nested deeper than {MAX_DEPTH}"),
            ));
        }
        let Value::Object(obj) = v else {
            return Err(err(
                ErrorKind::Definition,
                at,
                format!("a condition is an object, got {}", describe(v)),
            ));
        };
        if obj.is_empty() {
            return Err(err(ErrorKind::Definition, at, "empty condition"));
        }
        for (key, value) in obj {
            let logical = ["allOf", "anyOf", "not"]
                .into_iter()
                .find(|k| k.eq_ignore_ascii_case(key));
            let Some(logical) = logical else { continue };
            if obj.len() != 1 {
                return Err(err(
                    ErrorKind::Definition,
                    at,
                    format!("`{logical}` must be the only key of its object"),
                ));
            }
            let here = format!("{at}.{logical}");
            return match logical {
                "not" => Ok(Cond::Not(Box::new(self.cond(value, &here, depth + 1)?))),
                _ => {
                    let Value::Array(items) = value else {
                        return Err(err(
                            ErrorKind::Definition,
                            &here,
                            format!(
                                "`{logical}` takes an array of conditions, got {}",
                                describe(value)
                            ),
                        ));
                    };
                    let conds = items
                        .iter()
                        .enumerate()
                        .map(|(i, c)| self.cond(c, &format!("{here}[{i}]"), depth + 1))
                        .collect::<Result<Vec<_>, _>>()?;
                    Ok(if logical == "allOf" {
                        Cond::AllOf(conds)
                    } else {
                        Cond::AnyOf(conds)
                    })
                }
            };
        }
        self.test(obj, at, depth)
    }

    fn test(
        &mut self,
        obj: &Map<String, Value>,
        at: &str,
        depth: usize,
    ) -> Result<Cond, EvalError> {
        let mut operand: Option<(&str, &Value)> = None;
        let mut op: Option<(Op, &Value)> = None;
        for (key, value) in obj {
            let which = ["field", "value", "count"]
                .into_iter()
                .find(|k| k.eq_ignore_ascii_case(key));
            if let Some(w) = which {
                if let Some((prev, _)) = operand {
                    return Err(err(
                        ErrorKind::Definition,
                        at,
                        format!(
                            "a condition has one of `field`, `value` or `count`, this one has `{prev}` and `{w}`"
                        ),
                    ));
                }
                operand = Some((w, value));
            } else if let Some(o) = Op::parse(key) {
                if let Some((prev, _)) = op {
                    return Err(err(
                        ErrorKind::Definition,
                        at,
                        format!(
                            "a condition has one operator, this one has `{}` and `{}`",
                            prev.name(),
                            o.name()
                        ),
                    ));
                }
                op = Some((o, value));
            } else {
                let candidates =
                    Op::names().chain(["field", "value", "count", "allOf", "anyOf", "not"]);
                let hint = crate::diag::suggest::closest(key, candidates)
                    .map(|c| format!("; did you mean `{c}`?"))
                    .unwrap_or_default();
                return Err(err(
                    ErrorKind::Unsupported,
                    at,
                    format!("unknown operator or key `{key}`{hint}"),
                ));
            }
        }
        let Some((kind, operand_json)) = operand else {
            return Err(err(
                ErrorKind::Definition,
                at,
                "a condition needs `field`, `value` or `count`",
            ));
        };
        let Some((op, rhs_json)) = op else {
            return Err(err(
                ErrorKind::Definition,
                at,
                format!(
                    "the condition on `{kind}` has no operator (one of: {})",
                    Op::names().collect::<Vec<_>>().join(", ")
                ),
            ));
        };
        let operand = match kind {
            "field" => Operand::Field(self.field_ref(operand_json, &format!("{at}.field"))?),
            "value" => Operand::Value(self.tmpl(operand_json, &format!("{at}.value"))?),
            _ => Operand::Count(Box::new(self.count(
                operand_json,
                &format!("{at}.count"),
                depth,
            )?)),
        };
        let rhs_at = format!("{at}.{}", op.name());
        let rhs = self.tmpl(rhs_json, &rhs_at)?;
        let known = match &rhs {
            Tmpl::Lit(v) => Some(v.clone()),
            // `"in": "[parameters('x')]"`: the parameter's declared type is
            // what Azure checks when the definition is created.
            Tmpl::Expr(Expr::Call(f, args)) if f.eq_ignore_ascii_case("parameters") => {
                match args.as_slice() {
                    [Expr::Str(p)] => find_param(self.params, p).map(|d| d.ty.example()),
                    _ => None,
                }
            }
            _ => None,
        };
        if let Some(v) = known {
            ops::check_rhs(op, &v).map_err(|m| err(ErrorKind::Unsupported, &rhs_at, m))?;
        }
        Ok(Cond::Test {
            at: at.to_string(),
            operand,
            op,
            rhs,
        })
    }

    fn field_ref(&mut self, v: &Value, at: &str) -> Result<FieldRef, EvalError> {
        let Value::String(s) = v else {
            return Err(err(
                ErrorKind::Definition,
                at,
                format!("`field` names a field, got {}", describe(v)),
            ));
        };
        match expr::classify(s) {
            StrForm::Literal(name) => parse_field(self.table, &name)
                .map(FieldRef::Known)
                .map_err(|m| err(ErrorKind::Unsupported, at, m)),
            StrForm::Expression(src) => {
                let e = expr::parse(&src)
                    .map_err(|m| err(ErrorKind::Definition, at, format!("in `{s}`: {m}")))?;
                self.check_expr(&e, at)?;
                Ok(FieldRef::Dynamic(e))
            }
        }
    }

    fn count(&mut self, v: &Value, at: &str, depth: usize) -> Result<Count, EvalError> {
        let Value::Object(obj) = v else {
            return Err(err(
                ErrorKind::Definition,
                at,
                format!("`count` is an object, got {}", describe(v)),
            ));
        };
        let (mut field, mut value, mut name, mut filter) = (None, None, None, None);
        for (key, val) in obj {
            match key.to_ascii_lowercase().as_str() {
                "field" => field = Some(val),
                "value" => value = Some(val),
                "name" => name = Some(val),
                "where" => filter = Some(val),
                _ => {
                    return Err(err(
                        ErrorKind::Unsupported,
                        at,
                        format!(
                            "unknown key `{key}` in `count` (it takes `field` or `value`, `name`, `where`)"
                        ),
                    ));
                }
            }
        }
        let source = match (field, value) {
            (Some(f), None) => {
                if name.is_some() {
                    return Err(err(
                        ErrorKind::Definition,
                        at,
                        "`name` belongs to a value count, not a field count",
                    ));
                }
                let Some(s) = f.as_str() else {
                    return Err(err(
                        ErrorKind::Definition,
                        &format!("{at}.field"),
                        format!("`count.field` names an array alias, got {}", describe(f)),
                    ));
                };
                let alias = match parse_field(self.table, s) {
                    Ok(Field::Alias(a)) => a,
                    Ok(_) => {
                        return Err(err(
                            ErrorKind::Unsupported,
                            &format!("{at}.field"),
                            format!(
                                "`count.field` must be an array alias (`...[*]`), not the built-in field `{s}`"
                            ),
                        ));
                    }
                    Err(m) => return Err(err(ErrorKind::Unsupported, &format!("{at}.field"), m)),
                };
                let ends_with_star = alias
                    .path()
                    .and_then(<[Segment]>::last)
                    .is_some_and(|s| *s == Segment::Wildcard);
                if !alias.is_array_alias() || !ends_with_star {
                    return Err(err(
                        ErrorKind::Unsupported,
                        &format!("{at}.field"),
                        format!(
                            "`count.field` must be an array alias ending in `[*]`, `{}` is not",
                            alias.name
                        ),
                    ));
                }
                CountSource::Field(alias)
            }
            (None, Some(val)) => {
                let name = match name {
                    None => "default".to_string(),
                    Some(Value::String(n))
                        if !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric()) =>
                    {
                        n.clone()
                    }
                    Some(other) => {
                        return Err(err(
                            ErrorKind::Definition,
                            &format!("{at}.name"),
                            format!(
                                "`count.name` is made of English letters and digits, got {}",
                                describe(other)
                            ),
                        ));
                    }
                };
                let value = self.tmpl(val, &format!("{at}.value"))?;
                if let Tmpl::Lit(v) = &value
                    && !v.is_array()
                {
                    return Err(err(
                        ErrorKind::Definition,
                        &format!("{at}.value"),
                        format!("`count.value` is an array, got {}", describe(v)),
                    ));
                }
                CountSource::Value { value, name }
            }
            (Some(_), Some(_)) => {
                return Err(err(
                    ErrorKind::Definition,
                    at,
                    "`count` takes `field` or `value`, not both",
                ));
            }
            (None, None) => {
                return Err(err(
                    ErrorKind::Definition,
                    at,
                    "`count` needs `field` (an array alias) or `value` (an array)",
                ));
            }
        };
        let filter = match filter {
            None => None,
            Some(w) => {
                self.counts.push(match &source {
                    CountSource::Field(a) => StaticCount::Field(a),
                    CountSource::Value { name, .. } => StaticCount::Value(name.clone()),
                });
                let c = self.cond(w, &format!("{at}.where"), depth + 1);
                self.counts.pop();
                Some(c?)
            }
        };
        Ok(Count { source, filter })
    }

    /// Compiles a JSON value whose strings may be expressions.
    fn tmpl(&mut self, v: &Value, at: &str) -> Result<Tmpl, EvalError> {
        Ok(match v {
            Value::String(s) => match expr::classify(s) {
                StrForm::Literal(l) => Tmpl::Lit(Value::String(l)),
                StrForm::Expression(src) => {
                    let e = expr::parse(&src)
                        .map_err(|m| err(ErrorKind::Definition, at, format!("in `{s}`: {m}")))?;
                    self.check_expr(&e, at)?;
                    Tmpl::Expr(e)
                }
            },
            Value::Array(items) => {
                let parts = items
                    .iter()
                    .enumerate()
                    .map(|(i, x)| self.tmpl(x, &format!("{at}[{i}]")))
                    .collect::<Result<Vec<_>, _>>()?;
                if parts.iter().all(|p| matches!(p, Tmpl::Lit(_))) {
                    Tmpl::Lit(Value::Array(
                        parts
                            .into_iter()
                            .filter_map(|p| match p {
                                Tmpl::Lit(v) => Some(v),
                                _ => None,
                            })
                            .collect(),
                    ))
                } else {
                    Tmpl::Array(parts)
                }
            }
            Value::Object(map) => {
                let parts = map
                    .iter()
                    .map(|(k, x)| Ok((k.clone(), self.tmpl(x, &format!("{at}.{k}"))?)))
                    .collect::<Result<Vec<_>, EvalError>>()?;
                if parts.iter().all(|(_, p)| matches!(p, Tmpl::Lit(_))) {
                    Tmpl::Lit(Value::Object(
                        parts
                            .into_iter()
                            .filter_map(|(k, p)| match p {
                                Tmpl::Lit(v) => Some((k, v)),
                                _ => None,
                            })
                            .collect(),
                    ))
                } else {
                    Tmpl::Object(parts)
                }
            }
            other => Tmpl::Lit(other.clone()),
        })
    }

    fn check_expr(&mut self, e: &Expr, at: &str) -> Result<(), EvalError> {
        match e {
            Expr::Str(_) | Expr::Int(_) | Expr::Bool(_) | Expr::Null => Ok(()),
            Expr::Member(inner, _) => self.check_expr(inner, at),
            Expr::Index(inner, i) => {
                self.check_expr(inner, at)?;
                self.check_expr(i, at)
            }
            Expr::Call(name, args) => {
                let spec = functions::spec(name).map_err(|m| err(ErrorKind::Unsupported, at, m))?;
                functions::check_arity(spec, args.len())
                    .map_err(|m| err(ErrorKind::Definition, at, m))?;
                let literal = match args.first() {
                    Some(Expr::Str(s)) => Some(s.as_str()),
                    _ => None,
                };
                match spec.name {
                    "parameters" => {
                        if let Some(p) = literal
                            && find_param(self.params, p).is_none()
                        {
                            let hint = crate::diag::suggest::closest(
                                p,
                                self.params.iter().map(|d| d.name.as_str()),
                            )
                            .map(|c| format!("; did you mean `{c}`?"))
                            .unwrap_or_default();
                            return Err(err(
                                ErrorKind::Definition,
                                at,
                                format!(
                                    "`parameters('{p}')`: the definition declares no parameter `{p}`{hint}"
                                ),
                            ));
                        }
                    }
                    "field" => {
                        if let Some(f) = literal {
                            parse_field(self.table, f).map_err(|m| {
                                err(
                                    ErrorKind::Unsupported,
                                    at,
                                    format!("in `field('{f}')`: {m}"),
                                )
                            })?;
                        }
                    }
                    "current" => self.check_current(literal, args.is_empty(), at)?,
                    _ => {}
                }
                args.iter().try_for_each(|a| self.check_expr(a, at))
            }
        }
    }

    fn check_current(&self, name: Option<&str>, bare: bool, at: &str) -> Result<(), EvalError> {
        if self.counts.is_empty() {
            return Err(err(
                ErrorKind::Definition,
                at,
                "`current()` is only available inside a count's `where`",
            ));
        }
        if bare && self.counts.len() > 1 {
            return Err(err(
                ErrorKind::Definition,
                at,
                "`current()` without a name is only allowed when the count is not inside another count; name it",
            ));
        }
        let Some(n) = name else { return Ok(()) };
        let known = self.counts.iter().any(|c| match c {
            StaticCount::Value(v) => v.eq_ignore_ascii_case(n),
            StaticCount::Field(a) => match parse_field(self.table, n) {
                Ok(Field::Alias(b)) => is_prefix(a.path(), b.path()),
                _ => false,
            },
        });
        if known {
            Ok(())
        } else {
            Err(err(
                ErrorKind::Definition,
                at,
                format!(
                    "`current('{n}')` names no enclosing count (a value count's `name`, or the counted array alias or one of its members' aliases)"
                ),
            ))
        }
    }
}

/// Whether `prefix` is a leading part of `path` (segments compared as
/// Azure does).
pub(crate) fn is_prefix(prefix: Option<&[Segment]>, path: Option<&[Segment]>) -> bool {
    match (prefix, path) {
        (Some(p), Some(q)) => p.len() <= q.len() && p.iter().zip(q).all(|(a, b)| a.same(b)),
        _ => false,
    }
}

/// Reads a `field` name: a built-in field (`type`, `name`, `fullName`,
/// `kind`, `location`, `id`, `identity.type`, `tags`, `tags['x']`,
/// `tags[x]`, `tags.x`) or an alias of the table.
pub(crate) fn parse_field(table: &'static AliasTable, s: &str) -> Result<Field, String> {
    let lower = s.to_ascii_lowercase();
    let builtin = match lower.as_str() {
        "type" => Some(Field::Type),
        "name" => Some(Field::Name),
        "fullname" => Some(Field::FullName),
        "kind" => Some(Field::Kind),
        "location" => Some(Field::Location),
        "id" => Some(Field::Id),
        "identity.type" => Some(Field::IdentityType),
        "tags" => Some(Field::Tags),
        _ => None,
    };
    if let Some(b) = builtin {
        return Ok(b);
    }
    if lower.starts_with("tags[") && lower.ends_with(']') {
        let inner = &s[5..s.len() - 1];
        let tag = if inner.len() >= 2 && inner.starts_with('\'') && inner.ends_with('\'') {
            inner[1..inner.len() - 1].replace("''", "'")
        } else {
            inner.to_string()
        };
        if tag.is_empty() {
            return Err(format!("`{s}` names no tag"));
        }
        return Ok(Field::Tag(tag));
    }
    if lower.starts_with("tags.") && s.len() > 5 {
        return Ok(Field::Tag(s[5..].to_string()));
    }
    match table.get(s) {
        Some(a) => match a.status {
            AliasStatus::Confirmed => Ok(Field::Alias(a)),
            AliasStatus::DataPlane => Err(format!(
                "`{}` is a data-plane alias (Resource Provider mode, no ARM path): it cannot be evaluated against ARM resource JSON",
                a.name
            )),
            AliasStatus::NotFound => Err(format!(
                "`{}` is not an alias: the alias table records it as checked and NOT-FOUND in Azure's alias list",
                a.name
            )),
        },
        None => {
            let hint = crate::diag::suggest::closest(
                s,
                table
                    .iter()
                    .filter(|a| a.status == AliasStatus::Confirmed)
                    .map(|a| a.name.as_str()),
            )
            .map(|c| format!("; did you mean `{c}`?"))
            .unwrap_or_default();
            Err(format!(
                "unknown field `{s}`: not a built-in field (type, name, fullName, kind, location, id, identity.type, tags) and not in the alias table (policies/aliases.tsv){hint}"
            ))
        }
    }
}
