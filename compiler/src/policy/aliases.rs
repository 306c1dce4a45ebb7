//! The vendored Azure Policy alias table, `policies/aliases.tsv` (origin in
//! `policies/ALIASES.md`), embedded at compile time: alias name → resource
//! type and ARM path. It is the evaluator's authority: a `field` that is
//! neither a built-in field nor a confirmed alias of this table is an error.
//!
//! Columns: alias, resource type, ARM path (the default path of a
//! `Get-AzPolicyAlias` export), the policy files that use it, status, notes;
//! optionally a seventh (the alias path's attributes) and an eighth, the
//! paths of particular API versions (`path@version,version;...`), which
//! another catalogue given through `ReadOptions::aliases` may carry; the
//! embedded table has none. A name may have one row per resource type
//! (Azure lists some aliases under several types, each with its own
//! path); a resource reads the row of its type.
//! Only `CONFIRMED` rows can be evaluated; `EXISTS-RP-MODE` rows are
//! data-plane aliases (no ARM path) and `NOT-FOUND` rows record names that
//! were checked and do not exist.

use std::collections::HashMap;
use std::sync::LazyLock;

/// The table text, unchanged from the reference collection.
pub const TABLE: &str = include_str!("../../../policies/aliases.tsv");

/// One step of an ARM path: a property, or `[*]` (every member of an array).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Property(String),
    Wildcard,
}

impl Segment {
    /// Equality as Azure compares property names: case-insensitive.
    #[must_use]
    pub fn same(&self, other: &Segment) -> bool {
        match (self, other) {
            (Segment::Property(a), Segment::Property(b)) => a.eq_ignore_ascii_case(b),
            (Segment::Wildcard, Segment::Wildcard) => true,
            _ => false,
        }
    }
}

/// The path an alias has for some API versions: (the versions, the path).
type VersionedPath = (Vec<String>, Vec<Segment>);

/// What the table says about an alias.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AliasStatus {
    /// In the `Get-AzPolicyAlias` export: an ARM alias with a path.
    Confirmed,
    /// Used by a built-in in a Resource Provider (data-plane) mode; no ARM path.
    DataPlane,
    /// Checked and absent from the export: not an alias.
    NotFound,
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alias {
    /// The alias as the table spells it.
    pub name: String,
    /// The resource type the alias belongs to.
    pub resource_type: String,
    /// The ARM path column, as written.
    pub arm_path: String,
    pub status: AliasStatus,
    /// Whether a `modify` effect may change what the alias points to (the
    /// alias path's `Modifiable` attribute, "AliasPathAttributes": "the
    /// token that the alias path is referring to is modifiable by policies
    /// with 'modify' effect"), from the optional seventh column
    /// (`Modifiable` or `None`); `None` when the table does not say.
    pub modifiable: Option<bool>,
    path: Option<Vec<Segment>>,
    /// Paths for particular API versions. Empty for the embedded table,
    /// which holds each alias's default path.
    versions: Vec<VersionedPath>,
    /// The same alias name's rows for other resource types: Azure's
    /// catalogue lists some names under several types, each with its own
    /// path (`Microsoft.Compute/imagePublisher` on virtual machines and on
    /// scale sets). A resource reads the row of its type (`Alias::of_type`).
    others: Vec<Alias>,
}

impl Alias {
    /// The parsed ARM path (`properties.x[*].y`), for confirmed aliases.
    #[must_use]
    pub fn path(&self) -> Option<&[Segment]> {
        self.path.as_deref()
    }

    /// The path for a request of this API version: "each alias maps to
    /// paths in different API versions for a given resource type. During
    /// policy evaluation, the policy engine gets the property path for that
    /// API version" ("Azure Policy definition structure aliases"). The
    /// default path when the version is unknown or has no path of its own.
    #[must_use]
    pub fn path_for(&self, api_version: Option<&str>) -> Option<&[Segment]> {
        let versioned = api_version.and_then(|v| {
            self.versions
                .iter()
                .find(|(vs, _)| vs.iter().any(|x| x.eq_ignore_ascii_case(v)))
        });
        match versioned {
            Some((_, path)) => Some(path),
            None => self.path(),
        }
    }

    /// This alias's row for a resource type (names ignore case), or none
    /// when the alias does not belong to that type. A raw-path alias
    /// belongs to every type.
    #[must_use]
    pub fn of_type(&self, resource_type: &str) -> Option<&Alias> {
        self.rows().find(|a| {
            a.resource_type == ANY_TYPE || a.resource_type.eq_ignore_ascii_case(resource_type)
        })
    }

    /// Every row of this alias name: this one, then those of other types.
    pub fn rows(&self) -> impl Iterator<Item = &Alias> {
        std::iter::once(self).chain(self.others.iter())
    }

    /// An array alias: its name ends in `[*]` (what `count.field` needs).
    #[must_use]
    pub fn is_array_alias(&self) -> bool {
        self.name.ends_with("[*]")
    }
}

/// The parsed table, with a case-insensitive index.
#[derive(Debug)]
pub struct AliasTable {
    aliases: Vec<Alias>,
    by_name: HashMap<String, usize>,
    /// The "normal" alias of each array alias the table lists only with
    /// `[*]` (see [`AliasTable::get`]), by lower-cased name.
    arrays: HashMap<String, Alias>,
}

impl AliasTable {
    /// Parses the TSV text (first line is the header).
    pub fn parse(text: &str) -> Result<AliasTable, String> {
        let mut aliases: Vec<Alias> = Vec::new();
        let mut by_name: HashMap<String, usize> = HashMap::new();
        for (n, line) in text.lines().enumerate().skip(1) {
            if line.trim().is_empty() {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() < 5 {
                return Err(format!(
                    "aliases.tsv line {}: expected at least 5 tab-separated columns",
                    n + 1
                ));
            }
            let status = if cols[4].starts_with("CONFIRMED") {
                AliasStatus::Confirmed
            } else if cols[4].starts_with("EXISTS-RP-MODE") {
                AliasStatus::DataPlane
            } else if cols[4].starts_with("NOT-FOUND") {
                AliasStatus::NotFound
            } else {
                return Err(format!(
                    "aliases.tsv line {}: unknown status `{}`",
                    n + 1,
                    cols[4]
                ));
            };
            let at = |e: String| format!("aliases.tsv line {}: {e}", n + 1);
            let path = match status {
                AliasStatus::Confirmed => Some(parse_path(cols[2]).map_err(at)?),
                AliasStatus::DataPlane | AliasStatus::NotFound => None,
            };
            let versions = match cols.get(7) {
                Some(text) if status == AliasStatus::Confirmed => {
                    parse_versions(text).map_err(at)?
                }
                _ => Vec::new(),
            };
            let key = cols[0].to_lowercase();
            let first = by_name.get(&key).copied();
            let modifiable = match cols.get(6).map(|c| c.trim()) {
                None | Some("") => None,
                Some(a) if a.eq_ignore_ascii_case("Modifiable") => Some(true),
                Some(a) if a.eq_ignore_ascii_case("None") => Some(false),
                Some(a) => {
                    return Err(format!(
                        "aliases.tsv line {}: unknown attributes `{a}` (Modifiable or None)",
                        n + 1
                    ));
                }
            };
            let row = Alias {
                name: cols[0].to_string(),
                resource_type: cols[1].to_string(),
                arm_path: cols[2].to_string(),
                status,
                modifiable,
                path,
                versions,
                others: Vec::new(),
            };
            // A name already read is another resource type's row of the
            // same alias; twice for one type is an error.
            match first {
                Some(i) if aliases[i].of_type(&row.resource_type).is_some() => {
                    return Err(format!(
                        "aliases.tsv line {}: duplicate alias `{}` for `{}`",
                        n + 1,
                        cols[0],
                        cols[1]
                    ));
                }
                Some(i) => aliases[i].others.push(row),
                None => {
                    by_name.insert(key, aliases.len());
                    aliases.push(row);
                }
            }
        }
        let arrays = array_aliases(&aliases, &by_name);
        Ok(AliasTable {
            aliases,
            by_name,
            arrays,
        })
    }

    /// Looks an alias up by name, ignoring case (Azure's alias names are
    /// case-insensitive). An array property has two aliases: the "normal"
    /// one names the array as a single value, the one ending in `[*]` its
    /// members ("Azure Policy definition structure aliases", Understanding
    /// the array alias). Where the table lists only the `[*]` alias of an
    /// array, the normal one is found too: the same path without its last
    /// `[*]`.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Alias> {
        let key = name.to_lowercase();
        self.by_name
            .get(&key)
            .map(|&i| &self.aliases[i])
            .or_else(|| self.arrays.get(&key))
    }

    /// Every row, in table order.
    pub fn iter(&self) -> impl Iterator<Item = &Alias> {
        self.aliases.iter()
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.aliases.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.aliases.is_empty()
    }
}

/// The normal aliases of the confirmed array aliases (`x[*]`, whose path
/// ends in `[*]`) that the table does not list itself.
fn array_aliases(aliases: &[Alias], by_name: &HashMap<String, usize>) -> HashMap<String, Alias> {
    let mut out = HashMap::new();
    for a in aliases {
        let Some(normal) = normal_alias(a) else {
            continue;
        };
        let key = normal.name.to_lowercase();
        if a.status != AliasStatus::Confirmed || by_name.contains_key(&key) {
            continue;
        }
        let others = a.others.iter().filter_map(normal_alias).collect();
        out.entry(key).or_insert(Alias { others, ..normal });
    }
    out
}

/// The normal alias of one row of an array alias (`x[*]`, path ending in
/// `[*]`): the same name and path without the last `[*]`.
fn normal_alias(a: &Alias) -> Option<Alias> {
    let name = a.name.strip_suffix("[*]")?;
    let path = a.path()?.strip_suffix(&[Segment::Wildcard])?;
    let arm_path = a.arm_path.strip_suffix("[*]")?;
    let versions = a
        .versions
        .iter()
        .filter_map(|(vs, p)| Some((vs.clone(), p.strip_suffix(&[Segment::Wildcard])?.to_vec())))
        .collect();
    Some(Alias {
        name: name.to_string(),
        resource_type: a.resource_type.clone(),
        arm_path: arm_path.to_string(),
        status: AliasStatus::Confirmed,
        path: Some(path.to_vec()),
        versions,
        // The array alias's attribute says nothing of the array as one value.
        modifiable: None,
        others: Vec::new(),
    })
}

static EMBEDDED: LazyLock<Result<AliasTable, String>> = LazyLock::new(|| AliasTable::parse(TABLE));

/// The embedded table (`policies/aliases.tsv`).
pub fn table() -> Result<&'static AliasTable, String> {
    EMBEDDED.as_ref().map_err(Clone::clone)
}

/// The resource type of a raw-path alias: it applies to every resource.
pub const ANY_TYPE: &str = "*";

static RAW: LazyLock<std::sync::Mutex<HashMap<String, &'static Alias>>> =
    LazyLock::new(|| std::sync::Mutex::new(HashMap::new()));

/// A raw ARM path read as if it were an alias of every resource type
/// (`properties.x[*].y`): what `ReadOptions::raw_paths` reads a field
/// that is no built-in field and no alias as. Each distinct path is made
/// once per process and kept (a test aid: suites written against raw
/// paths name a handful).
pub fn raw_alias(text: &str) -> Result<&'static Alias, String> {
    let path = parse_path(text)?;
    let mut raw = RAW
        .lock()
        .map_err(|_| "the raw-path table is poisoned".to_string())?;
    if let Some(a) = raw.get(text) {
        return Ok(a);
    }
    let alias: &'static Alias = Box::leak(Box::new(Alias {
        name: text.to_string(),
        resource_type: ANY_TYPE.to_string(),
        arm_path: text.to_string(),
        status: AliasStatus::Confirmed,
        modifiable: None,
        path: Some(path),
        versions: Vec::new(),
        others: Vec::new(),
    }));
    raw.insert(text.to_string(), alias);
    Ok(alias)
}

/// Parses the optional eighth column, the paths of particular API
/// versions: `path@version,version;path@version` (empty: none).
fn parse_versions(text: &str) -> Result<Vec<VersionedPath>, String> {
    let mut out = Vec::new();
    for entry in text.split(';').filter(|e| !e.trim().is_empty()) {
        let Some((path, versions)) = entry.split_once('@') else {
            return Err(format!("`{entry}`: expected `path@version,version`"));
        };
        let versions: Vec<String> = versions
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .collect();
        if versions.is_empty() {
            return Err(format!("`{entry}` names no API version"));
        }
        out.push((versions, parse_path(path.trim())?));
    }
    Ok(out)
}

/// Parses an ARM path: dot-separated property names, each optionally
/// followed by `[*]`.
pub fn parse_path(text: &str) -> Result<Vec<Segment>, String> {
    let mut out = Vec::new();
    for part in text.split('.') {
        let mut name = part;
        let mut stars = 0;
        while let Some(rest) = name.strip_suffix("[*]") {
            name = rest;
            stars += 1;
        }
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$')
        {
            return Err(format!("`{text}` is not an ARM path"));
        }
        out.push(Segment::Property(name.to_string()));
        out.extend(std::iter::repeat_n(Segment::Wildcard, stars));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_table_parses_with_its_146_rows() {
        let t = table().unwrap();
        assert_eq!(t.len(), 146);
        let confirmed = t
            .iter()
            .filter(|a| a.status == AliasStatus::Confirmed)
            .count();
        let data_plane = t
            .iter()
            .filter(|a| a.status == AliasStatus::DataPlane)
            .count();
        let not_found = t
            .iter()
            .filter(|a| a.status == AliasStatus::NotFound)
            .count();
        assert_eq!((confirmed, data_plane, not_found), (133, 7, 6));
    }

    #[test]
    fn lookup_ignores_case() {
        let t = table().unwrap();
        let a = t
            .get("microsoft.machinelearningservices/workspaces/PUBLICNETWORKACCESS")
            .unwrap();
        assert_eq!(
            a.resource_type,
            "Microsoft.MachineLearningServices/workspaces"
        );
        assert_eq!(
            a.path().unwrap(),
            &[
                Segment::Property("properties".into()),
                Segment::Property("publicNetworkAccess".into())
            ]
        );
    }

    #[test]
    fn compute_aliases_are_flattened_as_the_table_says() {
        let t = table().unwrap();
        let path = |n: &str| {
            t.get(n)
                .and_then(Alias::path)
                .map(|p| {
                    p.iter()
                        .map(|s| match s {
                            Segment::Property(p) => p.clone(),
                            Segment::Wildcard => "[*]".into(),
                        })
                        .collect::<Vec<_>>()
                        .join(".")
                })
                .unwrap()
        };
        assert_eq!(
            path("Microsoft.MachineLearningServices/workspaces/computes/subnet.id"),
            "properties.properties.subnet.id"
        );
        assert_eq!(
            path("Microsoft.MachineLearningServices/workspaces/computes/disableLocalAuth"),
            "properties.disableLocalAuth"
        );
        assert_eq!(
            path("Microsoft.MachineLearningServices/workspaces/computes/computeType"),
            "properties.computeType"
        );
        assert_eq!(
            path("Microsoft.Network/privateEndpoints/privateLinkServiceConnections[*].groupIds[*]"),
            "properties.privateLinkServiceConnections.[*].properties.groupIds.[*]"
        );
    }

    #[test]
    fn non_arm_rows_have_no_path() {
        let t = table().unwrap();
        let dp = t
            .get("Microsoft.MachineLearningServices.Data/workspaces/computeName")
            .unwrap();
        assert_eq!(dp.status, AliasStatus::DataPlane);
        assert!(dp.path().is_none());
        let nf = t
            .get("Microsoft.MachineLearningServices/workspaces/managedNetwork.outboundRules[*]")
            .unwrap();
        assert_eq!(nf.status, AliasStatus::NotFound);
        assert!(nf.path().is_none());
    }

    #[test]
    fn an_array_alias_listed_with_star_only_has_its_normal_alias() {
        let head = "alias\tresource_type\tarm_path\tused_in_files\tstatus\n";
        let t = AliasTable::parse(&format!(
            "{head}R/t/list[*]\tR/t\tproperties.list[*]\t\tCONFIRMED\n\
             R/t/both[*]\tR/t\tproperties.both[*]\t\tCONFIRMED\n\
             R/t/both\tR/t\tproperties.bothOther\t\tCONFIRMED\n\
             R/t/gone[*]\tR/t\t-\t\tNOT-FOUND\n"
        ))
        .unwrap();
        let list = t.get("r/t/LIST").unwrap();
        assert_eq!(list.name, "R/t/list");
        assert_eq!(list.arm_path, "properties.list");
        assert_eq!(
            list.path().unwrap(),
            &[
                Segment::Property("properties".into()),
                Segment::Property("list".into())
            ]
        );
        assert!(!list.is_array_alias());
        // A listed normal alias wins; unconfirmed rows give nothing.
        assert_eq!(t.get("R/t/both").unwrap().arm_path, "properties.bothOther");
        assert!(t.get("R/t/gone").is_none());
        assert!(t.get("R/t/other").is_none());
        // The derived aliases are no rows of the table.
        assert_eq!(t.len(), 4);
    }

    #[test]
    fn an_alias_reads_the_path_of_the_request_api_version() {
        let t = AliasTable::parse(
            "h\n\
             R/t/tier\tR/t\tsku.tier\t\tCONFIRMED\t\t\tproperties.pricingTier@2015-01-01,2015-06-15;sku.tier@2020-01-01\n\
             R/t/list[*]\tR/t\tproperties.list[*]\t\tCONFIRMED\t\t\tproperties.old[*]@2015-01-01\n",
        )
        .unwrap();
        let show = |p: Option<&[Segment]>| {
            p.unwrap()
                .iter()
                .map(|s| match s {
                    Segment::Property(p) => p.clone(),
                    Segment::Wildcard => "[*]".into(),
                })
                .collect::<Vec<_>>()
                .join(".")
        };
        let tier = t.get("R/t/tier").unwrap();
        assert_eq!(
            show(tier.path_for(Some("2015-06-15"))),
            "properties.pricingTier"
        );
        assert_eq!(show(tier.path_for(Some("2020-01-01"))), "sku.tier");
        assert_eq!(show(tier.path_for(Some("2018-01-01"))), "sku.tier");
        assert_eq!(show(tier.path_for(None)), "sku.tier");
        // The normal alias of an array alias keeps its versions.
        let list = t.get("R/t/list").unwrap();
        assert_eq!(show(list.path_for(Some("2015-01-01"))), "properties.old");
        assert!(AliasTable::parse("h\nR/t/x\tR/t\tp\t\tCONFIRMED\t\t\tq").is_err());
        assert!(AliasTable::parse("h\nR/t/x\tR/t\tp\t\tCONFIRMED\t\t\tq@").is_err());
    }

    #[test]
    fn malformed_tables_are_errors() {
        assert!(AliasTable::parse("h\nonly\ttwo").is_err());
        assert!(AliasTable::parse("h\na\tb\tc\td\tWHATEVER").is_err());
        assert!(AliasTable::parse("h\na\tb\tnot a path\td\tCONFIRMED").is_err());
        assert!(AliasTable::parse("h\na\tb\tp\td\tCONFIRMED\na\tb\tp\td\tCONFIRMED").is_err());
        assert!(parse_path("properties..x").is_err());
    }
}
