//! A definition's declared parameters: their types, defaults and allowed
//! values, read from its `parameters` object.

use serde_json::{Map, Value};

use super::functions::get_ci;
use super::ops::describe;
use super::{ErrorKind, EvalError, err};

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
    pub(crate) fn example(self) -> Value {
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

pub(super) fn read_params(v: &Value) -> Result<Vec<ParamDef>, EvalError> {
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
