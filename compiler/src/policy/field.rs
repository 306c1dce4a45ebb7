//! The fields a condition reads: the built-in fields (`type`, `name`,
//! `tags['x']`...) and the aliases of the table, read from their names.

use super::aliases::{Alias, AliasStatus, Segment};
use super::options::ReadOptions;

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
    /// `identity.userAssignedIdentities`: the dictionary of the resource's
    /// user-assigned identities, keyed by identity resource ID. Not in the
    /// policy-rule page's list of fields, but Microsoft's own definitions
    /// read it as one: the built-in "Add user-assigned managed identity to
    /// enable Guest Configuration assignments on virtual machines" (its
    /// existence condition, `containsKey`) and the tutorial "Add user
    /// assigned identities to virtual machines" (`notContainsKey`).
    UserAssignedIdentities,
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
            Field::UserAssignedIdentities => "identity.userAssignedIdentities".into(),
            Field::Tags => "tags".into(),
            Field::Tag(t) => format!("tags['{t}']"),
            Field::Alias(a) => a.name.clone(),
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
/// `kind`, `location`, `id`, `identity.type`,
/// `identity.userAssignedIdentities`, `tags`, `tags['x']`, `tags[x]`,
/// `tags.x`) or an alias of the table.
pub(crate) fn parse_field(options: ReadOptions, s: &str) -> Result<Field, String> {
    let table = match options.aliases {
        Some(t) => t,
        None => super::aliases::table()?,
    };
    let lower = s.to_ascii_lowercase();
    let builtin = match lower.as_str() {
        "type" => Some(Field::Type),
        "name" => Some(Field::Name),
        "fullname" => Some(Field::FullName),
        "kind" => Some(Field::Kind),
        "location" => Some(Field::Location),
        "id" => Some(Field::Id),
        "identity.type" => Some(Field::IdentityType),
        "identity.userassignedidentities" => Some(Field::UserAssignedIdentities),
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
        // `tags[]` is kept: Azure's tag names are never empty, so it reads
        // a missing value. A built-in (Automanage) builds
        // `tags[<inclusionTagName>]` from a parameter whose default is ""
        // and guards it with `empty(parameters('inclusionTagName'))`.
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
        None if options.raw_paths => super::aliases::raw_alias(s).map(Field::Alias),
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
                "unknown field `{s}`: not a built-in field (type, name, fullName, kind, location, id, identity.type, identity.userAssignedIdentities, tags) and not in the alias table (policies/aliases.tsv){hint}"
            ))
        }
    }
}
