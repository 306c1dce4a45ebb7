//! Compiling a rule's conditions: each condition's operand and operator,
//! its fields, counts and template expressions, checked before any
//! resource is seen.
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

use super::aliases::{Alias, Segment};
use super::expr::{self, Expr, StrForm};
use super::field::{Field, is_prefix, parse_field};
use super::functions;
use super::ops::{self, Op, describe};
use super::options::ReadOptions;
use super::params::{ParamDef, find_param};
use super::rule::{Cond, Count, CountSource, FieldRef, Operand, Tmpl};
use super::{ErrorKind, EvalError, err};

/// Deepest condition nesting accepted.
const MAX_DEPTH: usize = 128;

/// Compiles a rule's `if` and its effect, in that order.
pub(super) fn compile(
    options: ReadOptions,
    params: &[ParamDef],
    if_json: &Value,
    effect_json: &Value,
) -> Result<(Cond, Tmpl), EvalError> {
    let mut c = Compiler {
        options,
        params,
        counts: Vec::new(),
    };
    let cond = c.cond(if_json, "policyRule.if", 0)?;
    let effect = c.tmpl(effect_json, "policyRule.then.effect")?;
    Ok((cond, effect))
}

/// Compiles one template value (an expression such as `[field('x')]`, or
/// a literal) against a definition's parameters.
pub(super) fn compile_value(
    options: ReadOptions,
    params: &[ParamDef],
    value: &Value,
) -> Result<Tmpl, EvalError> {
    compile_value_at(options, params, value, "value")
}

/// [`compile_value`] for a value found at `at` in the definition.
pub(super) fn compile_value_at(
    options: ReadOptions,
    params: &[ParamDef],
    value: &Value,
    at: &str,
) -> Result<Tmpl, EvalError> {
    let mut c = Compiler {
        options,
        params,
        counts: Vec::new(),
    };
    c.tmpl(value, at)
}

/// Compiles a condition found outside `if` (an existence condition).
pub(super) fn compile_cond(
    options: ReadOptions,
    params: &[ParamDef],
    cond: &Value,
    at: &str,
) -> Result<Cond, EvalError> {
    let mut c = Compiler {
        options,
        params,
        counts: Vec::new(),
    };
    c.cond(cond, at, 0)
}

/// What a `where` is counting, for checking `current()`.
enum StaticCount {
    Field(&'static Alias),
    Value(String),
}

struct Compiler<'a> {
    options: ReadOptions,
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
            StrForm::Literal(name) => parse_field(self.options, &name)
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
                let alias = match parse_field(self.options, s) {
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
                            parse_field(self.options, f).map_err(|m| {
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
            StaticCount::Field(a) => match parse_field(self.options, n) {
                // Any row of each: the resource's type picks one when evaluated.
                Ok(Field::Alias(b)) => a
                    .rows()
                    .any(|x| b.rows().any(|y| is_prefix(x.path(), y.path()))),
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
