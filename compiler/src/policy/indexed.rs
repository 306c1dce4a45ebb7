//! Which resource types a definition in `Indexed` mode applies to. Azure
//! Policy's `indexed` mode "only evaluates resource types that support tags
//! and location" ("Azure Policy definition structure basics", mode): for
//! example `Microsoft.Network/routeTables` is evaluated and
//! `Microsoft.Network/routeTables/routes` is not; resource groups and
//! subscriptions are the documented exception (only mode `all` evaluates
//! them).
//!
//! Azure decides from each type's registration, which an offline evaluation
//! does not have. The embedded table `indexed.tsv` stands in for it: a type
//! is `yes` when its resource definition in Microsoft's ARM template schema
//! declares both `location` and `tags`. Microsoft's "Tag support for Azure
//! resources" page would be the other source, but it lists tags only and
//! the copies consulted date from 2020, years before the schemas (they list
//! `Microsoft.MachineLearningServices/workspaces/computes` without tags,
//! where the 2026 schema declares both, and the landing-zone compute
//! policies are written in `Indexed` mode for them). The table covers every
//! type of the vendored schemas (`tests/data/arm-schemas/`) and the types
//! whose resource definitions are vendored as excerpts
//! (`tests/data/arm-schema-excerpts/`: virtual machines, disks, AKS, web
//! apps, ...); `tests/policy_semantics.rs` checks each row against them. A type it does
//! not list is an error for an `Indexed` definition, never a guess either
//! way: a guardrail reported as applying where Azure skips the resource, or
//! skipped where Azure applies it, is the harm this avoids.

use std::collections::BTreeMap;
use std::sync::LazyLock;

const TABLE: &str = include_str!("indexed.tsv");

/// Lower-cased resource type → evaluated in `Indexed` mode.
type Table = BTreeMap<String, bool>;

fn parse(text: &str) -> Result<Table, String> {
    let mut out = Table::new();
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty());
    match lines.next() {
        Some((_, "resource_type\tindexed\tsource")) => {}
        _ => {
            return Err("indexed.tsv: the header `resource_type indexed source` is missing".into());
        }
    }
    for (i, line) in lines {
        let cols: Vec<&str> = line.split('\t').collect();
        let evaluated = match cols.as_slice() {
            [ty, "yes", source] if !ty.is_empty() && !source.is_empty() => true,
            [ty, "no", source] if !ty.is_empty() && !source.is_empty() => false,
            _ => {
                return Err(format!(
                    "indexed.tsv line {}: expected `type<TAB>yes|no<TAB>source`",
                    i + 1
                ));
            }
        };
        if out
            .insert(cols[0].to_ascii_lowercase(), evaluated)
            .is_some()
        {
            return Err(format!(
                "indexed.tsv line {}: `{}` is listed twice",
                i + 1,
                cols[0]
            ));
        }
    }
    Ok(out)
}

static EMBEDDED: LazyLock<Result<Table, String>> = LazyLock::new(|| parse(TABLE));

/// Whether Azure evaluates a resource of this type under an `Indexed`
/// definition: `Some(true)` it does, `Some(false)` it does not, `None` the
/// table does not know the type. Types compare ignoring case, as ARM's do.
pub fn evaluates(resource_type: &str) -> Result<Option<bool>, String> {
    let table = EMBEDDED.as_ref().map_err(Clone::clone)?;
    Ok(table.get(&resource_type.to_ascii_lowercase()).copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_examples() {
        let e = |t: &str| evaluates(t).unwrap();
        assert_eq!(e("Microsoft.Network/routeTables"), Some(true));
        assert_eq!(e("microsoft.network/ROUTETABLES/routes"), Some(false));
        assert_eq!(e("Microsoft.Network/virtualNetworks/subnets"), Some(false));
        assert_eq!(
            e("Microsoft.Network/networkSecurityGroups/securityRules"),
            Some(false)
        );
        assert_eq!(e("Microsoft.Authorization/roleAssignments"), Some(false));
        assert_eq!(
            e("Microsoft.Resources/subscriptions/resourceGroups"),
            Some(false)
        );
        assert_eq!(e("Microsoft.Resources/subscriptions"), Some(false));
        assert_eq!(
            e("Microsoft.MachineLearningServices/workspaces"),
            Some(true)
        );
        assert_eq!(e("Contoso.Unknown/things"), None);
    }

    #[test]
    fn malformed_tables_are_errors() {
        assert!(parse("resource_type\tindexed\tsource\nA/b\tmaybe\tx\n").is_err());
        assert!(parse("resource_type\tindexed\tsource\nA/b\tyes\t\n").is_err());
        assert!(parse("A/b\tyes\tx\n").is_err());
        assert!(parse("resource_type\tindexed\tsource\nA/b\tyes\tx\na/B\tno\ty\n").is_err());
        assert_eq!(
            parse("# c\nresource_type\tindexed\tsource\nA/b\tyes\tx\n")
                .unwrap()
                .get("a/b"),
            Some(&true)
        );
    }
}
