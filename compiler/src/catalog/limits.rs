//! Azure's runtime rules: what Azure Resource Manager and the resource
//! providers refuse at deploy time although every schema accepts it (name
//! lengths and characters per type, description and display-name lengths,
//! tags), and the documented behaviours a redeploy depends on.
//!
//! Each row names its source: a Microsoft page title, or the schema
//! description it comes from. The checker (`check::limits`) reports a
//! posture value that would break a row before anything is emitted, and
//! `tests/runtime_rules.rs` applies every row to every emitted artifact.
//!
//! A row's `property` is a path into the resource as ARM JSON: dotted
//! property names, `[*]` for every element of an array, `{}` for every key
//! of a map and `*` for every value of a map (`tags{}` is each tag name,
//! `tags.*` each tag value, `tags` the map itself). For a child type
//! (`a/b`) the `name` row applies to the last segment of the name.

/// A character class of a naming rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chars {
    /// Letters `a`-`z`, `A`-`Z`.
    Letter,
    /// Letters and digits.
    Alnum,
    /// Lowercase letters and digits.
    LowerAlnum,
    /// Letters, digits and hyphens.
    AlnumHyphen,
    /// Letters, digits and underscores.
    AlnumUnderscore,
    /// Letters, digits, underscores, periods and hyphens (most network names).
    AlnumUnderscorePeriodHyphen,
    /// Letters, digits, underscores, parentheses, hyphens and periods (deployment names).
    AlnumUnderscoreParenHyphenPeriod,
}

impl Chars {
    /// Whether `c` is in the class ("alphanumeric" is ASCII in Microsoft's naming page).
    #[must_use]
    pub fn allows(self, c: char) -> bool {
        match self {
            Chars::Letter => c.is_ascii_alphabetic(),
            Chars::Alnum => c.is_ascii_alphanumeric(),
            Chars::LowerAlnum => c.is_ascii_lowercase() || c.is_ascii_digit(),
            Chars::AlnumHyphen => c.is_ascii_alphanumeric() || c == '-',
            Chars::AlnumUnderscore => c.is_ascii_alphanumeric() || c == '_',
            Chars::AlnumUnderscorePeriodHyphen => {
                c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
            }
            Chars::AlnumUnderscoreParenHyphenPeriod => {
                c.is_ascii_alphanumeric() || matches!(c, '_' | '(' | ')' | '-' | '.')
            }
        }
    }

    /// The class in words, for messages.
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            Chars::Letter => "a letter",
            Chars::Alnum => "letters and digits",
            Chars::LowerAlnum => "lowercase letters and digits",
            Chars::AlnumHyphen => "letters, digits and hyphens",
            Chars::AlnumUnderscore => "a letter, a digit or `_`",
            Chars::AlnumUnderscorePeriodHyphen => "letters, digits, `_`, `.` and `-`",
            Chars::AlnumUnderscoreParenHyphenPeriod => {
                "letters, digits, `_`, `(`, `)`, `-` and `.`"
            }
        }
    }
}

/// What a row requires of the value (or values) at its property.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// A length in characters, both ends included.
    Length { min: usize, max: usize },
    /// Only characters of the class.
    Only(Chars),
    /// None of these characters, and no control character.
    Forbidden(&'static str),
    /// The first character is in the class.
    Start(Chars),
    /// The last character is in the class.
    End(Chars),
    /// The value does not end with any of these characters.
    NotEndWith(&'static str),
    /// No two hyphens in a row.
    NoDoubleHyphen,
    /// A GUID (`8-4-4-4-12` hex digits).
    Guid,
    /// A map with at most this many entries.
    MaxEntries(usize),
    /// A map whose keys differ even ignoring ASCII case.
    KeysUniqueIgnoringCase,
    /// A documented behaviour that no single value shows (uniqueness
    /// across deployments, pairing of names); the tests that need it cite
    /// the row's id.
    Behaviour,
}

/// When a row applies, beyond its resource type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applies {
    Always,
    /// Only to a resource deployed at management-group scope.
    AtManagementGroup,
    /// Only to a compute of this `properties.computeType`.
    ComputeType(&'static str),
    /// Only to a compute of none of these types.
    OtherComputeTypes(&'static [&'static str]),
}

/// One runtime rule of Azure's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuntimeRule {
    /// A stable id, e.g. `nsg.rule.description.length`.
    pub id: &'static str,
    /// The full resource type (`Microsoft.Network/networkSecurityGroups`),
    /// or `*` for every resource.
    pub resource_type: &'static str,
    /// The property path (see the module comment).
    pub property: &'static str,
    pub applies: Applies,
    pub limit: Limit,
    /// Where Microsoft documents the rule.
    pub source: &'static str,
}

impl RuntimeRule {
    /// Checks one value (a name, a description, a tag name or value);
    /// the message says what is wrong. Map rows (`MaxEntries`,
    /// `KeysUniqueIgnoringCase`) and behaviours accept any single value.
    pub fn check(&self, value: &str) -> Result<(), String> {
        let bad = |what: String| Err(what);
        match self.limit {
            Limit::Length { min, max } => {
                let n = value.chars().count();
                if n < min || n > max {
                    return bad(format!("{n} characters, where {min} to {max} are allowed"));
                }
            }
            Limit::Only(class) => {
                if let Some(c) = value.chars().find(|c| !class.allows(*c)) {
                    return bad(format!(
                        "`{}` is not allowed: only {}",
                        c.escape_debug(),
                        class.describe()
                    ));
                }
            }
            Limit::Forbidden(set) => {
                if let Some(c) = value.chars().find(|c| set.contains(*c) || c.is_control()) {
                    return bad(format!(
                        "`{}` is not allowed (none of `{set}` or a control character)",
                        c.escape_debug()
                    ));
                }
            }
            Limit::Start(class) => {
                if !value.chars().next().is_some_and(|c| class.allows(c)) {
                    return bad(format!("must start with {}", class.describe()));
                }
            }
            Limit::End(class) => {
                if !value.chars().last().is_some_and(|c| class.allows(c)) {
                    return bad(format!("must end with {}", class.describe()));
                }
            }
            Limit::NotEndWith(set) => {
                if value.chars().last().is_some_and(|c| set.contains(c)) {
                    return bad(format!("must not end with any of `{set}`"));
                }
            }
            Limit::NoDoubleHyphen => {
                if value.contains("--") {
                    return bad("must not hold two hyphens in a row".to_string());
                }
            }
            Limit::Guid => {
                if crate::ir::newtypes::Guid::parse(value).is_err() {
                    return bad("must be a GUID".to_string());
                }
            }
            Limit::MaxEntries(_) | Limit::KeysUniqueIgnoringCase | Limit::Behaviour => {}
        }
        Ok(())
    }

    /// Checks the keys of a map (`tags`): the entry count and case-insensitive uniqueness.
    pub fn check_keys(&self, keys: &[&str]) -> Result<(), String> {
        match self.limit {
            Limit::MaxEntries(max) if keys.len() > max => Err(format!(
                "{} entries, where at most {max} are allowed",
                keys.len()
            )),
            Limit::KeysUniqueIgnoringCase => {
                let mut seen = std::collections::BTreeMap::new();
                for k in keys {
                    if let Some(first) = seen.insert(k.to_ascii_lowercase(), *k) {
                        return Err(format!("`{first}` and `{k}` are the same name"));
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Whether the row is about a map's keys as a whole.
    #[must_use]
    pub fn is_map_rule(&self) -> bool {
        matches!(
            self.limit,
            Limit::MaxEntries(_) | Limit::KeysUniqueIgnoringCase
        )
    }
}

/// Every runtime rule, grouped by provider.
#[must_use]
pub fn rules() -> &'static [RuntimeRule] {
    &RULES
}

/// The rows for one resource type (compared ignoring case, as ARM does),
/// including the `*` rows.
pub fn rules_for(resource_type: &str) -> impl Iterator<Item = &'static RuntimeRule> + '_ {
    RULES.iter().filter(move |r| {
        r.resource_type == "*" || r.resource_type.eq_ignore_ascii_case(resource_type)
    })
}

/// The row with this id.
///
/// # Panics
/// If no row has the id (a programming error: ids are constants).
#[must_use]
pub fn rule(id: &str) -> &'static RuntimeRule {
    RULES
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no runtime rule `{id}`"))
}

const NAMING: &str = "Naming rules and restrictions for Azure resources";
const NAMING_AUTH: &str = "Naming rules and restrictions for Azure resources (Microsoft.Authorization: display name 1-128; resource name 1-64, 1-24 for an assignment at management group scope; can't use `<>*%&:\\?.+/` or control characters, can't end with period or space)";
const NAMING_NETWORK: &str = "Naming rules and restrictions for Azure resources (Microsoft.Network: alphanumerics, underscores, periods and hyphens; start with alphanumeric, end alphanumeric or underscore)";
const TAGS: &str = "Azure subscription and service limits (Azure Resource Manager: 50 tag name-value pairs per resource) and Use tags to organize your Azure resources (Limitations)";
const POLICY_DESCRIPTION: &str = "Azure Policy definition structure basics (description: at most 512 characters); the Enterprise Policy as Code definition schema (`maxLength: 512`)";
const EXEMPTION_STRUCTURE: &str = "Azure Policy exemption structure (an exemption is created as a child object on the resource hierarchy or the individual resource it exempts, and is removed with it; past `expiresOn` it is no longer honoured but is not deleted) and Microsoft.Authorization policyExemptions (the template reference: display name 1-128, name 1-64)";
const CUSTOM_ROLES: &str = "Azure custom roles (Custom role properties: roleName at most 512 characters and unique in the Microsoft Entra tenant; description at most 2048 characters)";
const ML: &str = "Naming rules and restrictions for Azure resources (Microsoft.MachineLearningServices: workspaces 3-33, alphanumerics and hyphens; computes 3-24 for a compute instance, 3-32 for AML compute, 2-16 for other compute types, alphanumerics and hyphens)";

const NSG: &str = "Microsoft.Network/networkSecurityGroups";
const POLICY_DEF: &str = "Microsoft.Authorization/policyDefinitions";
const POLICY_SET: &str = "Microsoft.Authorization/policySetDefinitions";
const POLICY_ASSIGNMENT: &str = "Microsoft.Authorization/policyAssignments";
const POLICY_EXEMPTION: &str = "Microsoft.Authorization/policyExemptions";
const ROLE_DEF: &str = "Microsoft.Authorization/roleDefinitions";
const ROLE_ASSIGNMENT: &str = "Microsoft.Authorization/roleAssignments";
const COMPUTE: &str = "Microsoft.MachineLearningServices/workspaces/computes";
const POLICY_NAME_FORBIDDEN: &str = "<>*%&:\\?.+/";

/// A row that always applies.
fn row(
    id: &'static str,
    resource_type: &'static str,
    property: &'static str,
    limit: Limit,
    source: &'static str,
) -> RuntimeRule {
    RuntimeRule {
        id,
        resource_type,
        property,
        applies: Applies::Always,
        limit,
        source,
    }
}

/// The four rows of a name: length, characters, first and last character.
#[allow(clippy::too_many_arguments)]
fn name_rows(
    out: &mut Vec<RuntimeRule>,
    ids: [&'static str; 4],
    resource_type: &'static str,
    property: &'static str,
    (min, max): (usize, usize),
    (only, start, end): (Chars, Chars, Option<Chars>),
    source: &'static str,
) {
    out.push(row(
        ids[0],
        resource_type,
        property,
        Limit::Length { min, max },
        source,
    ));
    out.push(row(
        ids[1],
        resource_type,
        property,
        Limit::Only(only),
        source,
    ));
    out.push(row(
        ids[2],
        resource_type,
        property,
        Limit::Start(start),
        source,
    ));
    if let Some(end) = end {
        out.push(row(
            ids[3],
            resource_type,
            property,
            Limit::End(end),
            source,
        ));
    }
}

/// A Microsoft.Network name: 1-80 (or as given) alphanumerics, `_`, `.`,
/// `-`, starting with an alphanumeric, ending with one or `_`.
fn network(
    out: &mut Vec<RuntimeRule>,
    ids: [&'static str; 4],
    resource_type: &'static str,
    property: &'static str,
    len: (usize, usize),
) {
    name_rows(
        out,
        ids,
        resource_type,
        property,
        len,
        (
            Chars::AlnumUnderscorePeriodHyphen,
            Chars::Alnum,
            Some(Chars::AlnumUnderscore),
        ),
        NAMING_NETWORK,
    );
}

/// Tags, on every resource.
fn tag_rows() -> Vec<RuntimeRule> {
    vec![
        // Tags, on every resource.
        row("tags.count", "*", "tags", Limit::MaxEntries(50), TAGS),
        row(
            "tags.name.unique",
            "*",
            "tags",
            Limit::KeysUniqueIgnoringCase,
            "Use tags to organize your Azure resources (tag names are case-insensitive for operations)",
        ),
        row(
            "tags.name.length",
            "*",
            "tags{}",
            Limit::Length { min: 1, max: 512 },
            "Naming rules and restrictions for Azure resources (Microsoft.Resources tagNames: 1-512)",
        ),
        row(
            "tags.name.chars",
            "*",
            "tags{}",
            Limit::Forbidden("<>%&\\?/"),
            "Naming rules and restrictions for Azure resources (Microsoft.Resources tagNames: can't use `<>%&\\?/` or control characters)",
        ),
        // The naming page gives tag values 1-256; it is silent on whether
        // an empty value is taken. The documented lower bound cannot fail.
        row(
            "tags.value.length",
            "*",
            "tags.*",
            Limit::Length { min: 1, max: 256 },
            "Naming rules and restrictions for Azure resources (Microsoft.Resources tagNames / tagValues: 1-256, all characters)",
        ),
    ]
}

/// The display name and name rows every Microsoft.Authorization policy
/// resource shares (`NAMING_AUTH`), with their ids: `<prefix>.displayName.length`,
/// `.name.length`, `.name.chars` and `.name.end`.
fn authorization_rows(resource_type: &'static str, ids: [&'static str; 4]) -> [RuntimeRule; 4] {
    [
        row(
            ids[0],
            resource_type,
            "properties.displayName",
            Limit::Length { min: 1, max: 128 },
            NAMING_AUTH,
        ),
        row(
            ids[1],
            resource_type,
            "name",
            Limit::Length { min: 1, max: 64 },
            NAMING_AUTH,
        ),
        row(
            ids[2],
            resource_type,
            "name",
            Limit::Forbidden(POLICY_NAME_FORBIDDEN),
            NAMING_AUTH,
        ),
        row(
            ids[3],
            resource_type,
            "name",
            Limit::NotEndWith(". "),
            NAMING_AUTH,
        ),
    ]
}

/// Azure Policy definitions, initiatives, assignments and exemptions.
fn policy_rows() -> Vec<RuntimeRule> {
    let mut out = vec![
        row(
            "policy.definition.description.length",
            POLICY_DEF,
            "properties.description",
            Limit::Length { min: 0, max: 512 },
            POLICY_DESCRIPTION,
        ),
        row(
            "policy.initiative.description.length",
            POLICY_SET,
            "properties.description",
            Limit::Length { min: 0, max: 512 },
            POLICY_DESCRIPTION,
        ),
        row(
            "policy.assignment.description.length",
            POLICY_ASSIGNMENT,
            "properties.description",
            Limit::Length { min: 0, max: 512 },
            POLICY_DESCRIPTION,
        ),
        RuntimeRule {
            id: "policy.assignment.name.length.management-group",
            resource_type: POLICY_ASSIGNMENT,
            property: "name",
            applies: Applies::AtManagementGroup,
            limit: Limit::Length { min: 1, max: 24 },
            source: NAMING_AUTH,
        },
        // An exemption is a child of the scope it exempts and goes with
        // it, so one on a resource needs the resource first: a workspace a
        // `deny` refuses is exempted on its resource group (policy
        // exemptions, emit::lower::policy_exemptions).
        row(
            "policy.exemption.scope",
            POLICY_EXEMPTION,
            "name",
            Limit::Behaviour,
            EXEMPTION_STRUCTURE,
        ),
        // `expiresOn` passed: the exemption is no longer honoured, and stays.
        row(
            "policy.exemption.expiry",
            POLICY_EXEMPTION,
            "properties.expiresOn",
            Limit::Behaviour,
            EXEMPTION_STRUCTURE,
        ),
    ];
    for (ty, ids) in [
        (
            POLICY_DEF,
            [
                "policy.definition.displayName.length",
                "policy.definition.name.length",
                "policy.definition.name.chars",
                "policy.definition.name.end",
            ],
        ),
        (
            POLICY_SET,
            [
                "policy.initiative.displayName.length",
                "policy.initiative.name.length",
                "policy.initiative.name.chars",
                "policy.initiative.name.end",
            ],
        ),
        (
            POLICY_ASSIGNMENT,
            [
                "policy.assignment.displayName.length",
                "policy.assignment.name.length",
                "policy.assignment.name.chars",
                "policy.assignment.name.end",
            ],
        ),
        (
            POLICY_EXEMPTION,
            [
                "policy.exemption.displayName.length",
                "policy.exemption.name.length",
                "policy.exemption.name.chars",
                "policy.exemption.name.end",
            ],
        ),
    ] {
        out.extend(authorization_rows(ty, ids));
    }
    out
}

/// Azure RBAC: custom roles and role assignments.
fn rbac_rows() -> Vec<RuntimeRule> {
    vec![
        // Azure RBAC.
        row(
            "rbac.role.name",
            ROLE_DEF,
            "name",
            Limit::Guid,
            "Naming rules and restrictions for Azure resources (Microsoft.Authorization roleDefinitions: a GUID)",
        ),
        row(
            "rbac.role.roleName.length",
            ROLE_DEF,
            "properties.roleName",
            Limit::Length { min: 1, max: 512 },
            CUSTOM_ROLES,
        ),
        row(
            "rbac.role.description.length",
            ROLE_DEF,
            "properties.description",
            Limit::Length { min: 0, max: 2048 },
            CUSTOM_ROLES,
        ),
        row(
            "rbac.role.roleName.unique",
            ROLE_DEF,
            "properties.roleName",
            Limit::Behaviour,
            CUSTOM_ROLES,
        ),
        row(
            "rbac.role.name-guid-pairing",
            ROLE_DEF,
            "name",
            Limit::Behaviour,
            "Azure custom roles: the GUID `name` is a custom role's id and its roleName must be unique in the Microsoft Entra tenant, so one roleName under a second GUID is refused; keep a custom role's GUID stable across deployments",
        ),
        row(
            "rbac.assignment.name",
            ROLE_ASSIGNMENT,
            "name",
            Limit::Guid,
            "Naming rules and restrictions for Azure resources (Microsoft.Authorization roleAssignments: a GUID); an expression such as `guid(...)` is evaluated by Azure into one",
        ),
        // Microsoft's RBAC pages and the Microsoft.Authorization schema give
        // no limit for a role assignment's `description`, so it has no row.
        row(
            "rbac.assignment.name.unique",
            ROLE_ASSIGNMENT,
            "name",
            Limit::Behaviour,
            "Troubleshoot Azure RBAC: role assignment names must be unique; reusing a name for another assignment (another principal, role or scope) fails",
        ),
        row(
            "rbac.assignment.name.recipe",
            ROLE_ASSIGNMENT,
            "name",
            Limit::Behaviour,
            "Bicep best practices for role assignments: name a role assignment `guid(scope, principalId, roleDefinitionId)` so a redeploy finds the same assignment",
        ),
        row(
            "private-dns-zone.name.length",
            "Microsoft.Network/privateDnsZones",
            "name",
            Limit::Length { min: 1, max: 63 },
            "Naming rules and restrictions for Azure resources (Microsoft.Network privateDnsZones: 1-63 characters, 2 to 34 labels)",
        ),
    ]
}

/// NSG rule descriptions, private DNS zones, deployments and the workspace's associated resources.
fn resource_rows() -> Vec<RuntimeRule> {
    let mut v = vec![
        // Network: inline rule descriptions.
        row(
            "nsg.rule.description.length",
            NSG,
            "properties.securityRules[*].properties.description",
            Limit::Length { min: 0, max: 140 },
            "Microsoft.Network REST API specification, SecurityRulePropertiesFormat.description: \"A description for this rule. Restricted to 140 chars.\"",
        ),
        // Deployments (Bicep modules).
        row(
            "deployment.name.length",
            "Microsoft.Resources/deployments",
            "name",
            Limit::Length { min: 1, max: 64 },
            NAMING,
        ),
        row(
            "deployment.name.chars",
            "Microsoft.Resources/deployments",
            "name",
            Limit::Only(Chars::AlnumUnderscoreParenHyphenPeriod),
            NAMING,
        ),
        // The workspace's associated resources.
        row(
            "storage.name.length",
            "Microsoft.Storage/storageAccounts",
            "name",
            Limit::Length { min: 3, max: 24 },
            NAMING,
        ),
        row(
            "storage.name.chars",
            "Microsoft.Storage/storageAccounts",
            "name",
            Limit::Only(Chars::LowerAlnum),
            NAMING,
        ),
        row(
            "registry.name.length",
            "Microsoft.ContainerRegistry/registries",
            "name",
            Limit::Length { min: 5, max: 50 },
            NAMING,
        ),
        row(
            "registry.name.chars",
            "Microsoft.ContainerRegistry/registries",
            "name",
            Limit::Only(Chars::Alnum),
            NAMING,
        ),
        row(
            "key-vault.name.double-hyphen",
            "Microsoft.KeyVault/vaults",
            "name",
            Limit::NoDoubleHyphen,
            NAMING,
        ),
        row(
            "app-insights.name.length",
            "Microsoft.Insights/components",
            "name",
            Limit::Length { min: 1, max: 260 },
            NAMING,
        ),
        row(
            "app-insights.name.chars",
            "Microsoft.Insights/components",
            "name",
            Limit::Forbidden("%&\\?/"),
            NAMING,
        ),
        row(
            "app-insights.name.end",
            "Microsoft.Insights/components",
            "name",
            Limit::NotEndWith(". "),
            NAMING,
        ),
    ];
    name_rows(
        &mut v,
        [
            "key-vault.name.length",
            "key-vault.name.chars",
            "key-vault.name.start",
            "key-vault.name.end",
        ],
        "Microsoft.KeyVault/vaults",
        "name",
        (3, 24),
        (Chars::AlnumHyphen, Chars::Letter, Some(Chars::Alnum)),
        NAMING,
    );
    name_rows(
        &mut v,
        [
            "log-analytics.name.length",
            "log-analytics.name.chars",
            "log-analytics.name.start",
            "log-analytics.name.end",
        ],
        "Microsoft.OperationalInsights/workspaces",
        "name",
        (4, 63),
        (Chars::AlnumHyphen, Chars::Alnum, Some(Chars::Alnum)),
        NAMING,
    );
    v
}

/// The workspace and its computes.
fn ml_rows() -> Vec<RuntimeRule> {
    vec![
        // The workspace and its computes. Microsoft's ARM schema lets `_`
        // through in a workspace name; the naming page does not: the
        // stricter reading cannot fail.
        row(
            "workspace.name.length",
            "Microsoft.MachineLearningServices/workspaces",
            "name",
            Limit::Length { min: 3, max: 33 },
            ML,
        ),
        row(
            "workspace.name.chars",
            "Microsoft.MachineLearningServices/workspaces",
            "name",
            Limit::Only(Chars::AlnumHyphen),
            ML,
        ),
        row(
            "compute.name.chars",
            COMPUTE,
            "name",
            Limit::Only(Chars::AlnumHyphen),
            ML,
        ),
        RuntimeRule {
            id: "compute.name.length.instance",
            resource_type: COMPUTE,
            property: "name",
            applies: Applies::ComputeType("ComputeInstance"),
            limit: Limit::Length { min: 3, max: 24 },
            source: ML,
        },
        RuntimeRule {
            id: "compute.name.length.cluster",
            resource_type: COMPUTE,
            property: "name",
            applies: Applies::ComputeType("AmlCompute"),
            limit: Limit::Length { min: 3, max: 32 },
            source: ML,
        },
        RuntimeRule {
            id: "compute.name.length.other",
            resource_type: COMPUTE,
            property: "name",
            applies: Applies::OtherComputeTypes(&["ComputeInstance", "AmlCompute"]),
            limit: Limit::Length { min: 2, max: 16 },
            source: ML,
        },
    ]
}

/// Microsoft.Network names.
fn network_rows() -> Vec<RuntimeRule> {
    let mut v = Vec::new();
    for (prefix, ty, prop, len) in [
        (
            [
                "nsg.name.length",
                "nsg.name.chars",
                "nsg.name.start",
                "nsg.name.end",
            ],
            NSG,
            "name",
            (1, 80),
        ),
        (
            [
                "nsg.rule.name.length",
                "nsg.rule.name.chars",
                "nsg.rule.name.start",
                "nsg.rule.name.end",
            ],
            NSG,
            "properties.securityRules[*].name",
            (1, 80),
        ),
        (
            [
                "route-table.name.length",
                "route-table.name.chars",
                "route-table.name.start",
                "route-table.name.end",
            ],
            "Microsoft.Network/routeTables",
            "name",
            (1, 80),
        ),
        (
            [
                "route.name.length",
                "route.name.chars",
                "route.name.start",
                "route.name.end",
            ],
            "Microsoft.Network/routeTables",
            "properties.routes[*].name",
            (1, 80),
        ),
        (
            [
                "service-endpoint-policy.name.length",
                "service-endpoint-policy.name.chars",
                "service-endpoint-policy.name.start",
                "service-endpoint-policy.name.end",
            ],
            "Microsoft.Network/serviceEndpointPolicies",
            "name",
            (1, 80),
        ),
        (
            [
                "vnet.name.length",
                "vnet.name.chars",
                "vnet.name.start",
                "vnet.name.end",
            ],
            "Microsoft.Network/virtualNetworks",
            "name",
            (2, 64),
        ),
        (
            [
                "subnet.name.length",
                "subnet.name.chars",
                "subnet.name.start",
                "subnet.name.end",
            ],
            "Microsoft.Network/virtualNetworks",
            "properties.subnets[*].name",
            (1, 80),
        ),
        (
            [
                "subnet.child.name.length",
                "subnet.child.name.chars",
                "subnet.child.name.start",
                "subnet.child.name.end",
            ],
            "Microsoft.Network/virtualNetworks/subnets",
            "name",
            (1, 80),
        ),
        (
            [
                "peering.name.length",
                "peering.name.chars",
                "peering.name.start",
                "peering.name.end",
            ],
            "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
            "name",
            (1, 80),
        ),
        (
            [
                "private-endpoint.name.length",
                "private-endpoint.name.chars",
                "private-endpoint.name.start",
                "private-endpoint.name.end",
            ],
            "Microsoft.Network/privateEndpoints",
            "name",
            (2, 64),
        ),
        (
            [
                "vnet-link.name.length",
                "vnet-link.name.chars",
                "vnet-link.name.start",
                "vnet-link.name.end",
            ],
            "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
            "name",
            (1, 80),
        ),
    ] {
        network(&mut v, prefix, ty, prop, len);
    }
    v
}

fn table() -> Vec<RuntimeRule> {
    [
        tag_rows(),
        policy_rows(),
        rbac_rows(),
        resource_rows(),
        ml_rows(),
        network_rows(),
        order_rows(),
    ]
    .concat()
}

/// The order of a deployment and what a redeploy may do (behaviours,
/// applied by `tests/deploy_order.rs` to the emitted templates).
fn order_rows() -> Vec<RuntimeRule> {
    vec![
        row(
            "order.compute.after-private-endpoints",
            COMPUTE,
            "",
            Limit::Behaviour,
            "Secure an Azure Machine Learning training environment with virtual networks: compute without a public IP reaches the workspace through its private endpoint and private DNS; Microsoft's secure workspace quickstart makes computes depend on the private endpoint deployment",
        ),
        row(
            "order.approver.before-provisioning",
            "Microsoft.MachineLearningServices/workspaces",
            "properties.managedNetwork",
            Limit::Behaviour,
            "Configure a managed virtual network (private endpoint outbound rules): since 30 April 2025 the workspace identity needs the Azure AI Enterprise Network Connection Approver role (or the target's approval actions) on each target, granted before the managed network is provisioned (provision now or the first compute), else the endpoint is not approved",
        ),
        row(
            "redeploy.never-narrows",
            "*",
            "",
            Limit::Behaviour,
            "Azure Resource Manager deployments are PUTs of the whole resource in dependsOn order (incremental mode): a redeploy that first writes a narrower shape (public network access, IP allowlist, outbound rules) and later the final one cuts access in between; an IP allowlist can only be set on an existing workspace and a rule to the workspace itself not at creation (Configure a managed virtual network), so only a first deployment may take two steps",
        ),
    ]
}

static RULES: std::sync::LazyLock<Vec<RuntimeRule>> = std::sync::LazyLock::new(table);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_every_row_has_a_source() {
        let mut ids = std::collections::HashSet::new();
        for r in rules() {
            assert!(ids.insert(r.id), "duplicate id {}", r.id);
            assert!(!r.source.is_empty(), "{} has no source", r.id);
        }
    }

    #[test]
    fn rows_judge_values() {
        let len = rule("nsg.rule.description.length");
        assert!(len.check(&"x".repeat(140)).is_ok());
        assert!(len.check(&"x".repeat(141)).is_err());
        assert!(rule("private-endpoint.name.end").check("pe-x-").is_err());
        assert!(rule("private-endpoint.name.end").check("pe-x_").is_ok());
        assert!(
            rule("private-endpoint.name.chars")
                .check("pe-it's")
                .is_err()
        );
        assert!(rule("tags.name.chars").check("a/b").is_err());
        assert!(
            rule("tags.name.unique")
                .check_keys(&["env", "Env"])
                .is_err()
        );
        assert!(
            rule("tags.name.unique")
                .check_keys(&["env", "owner"])
                .is_ok()
        );
        let many: Vec<String> = (0..51).map(|i| format!("t{i}")).collect();
        let keys: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(rule("tags.count").check_keys(&keys).is_err());
        assert!(rule("tags.count").check_keys(&keys[..50]).is_ok());
        assert!(rule("key-vault.name.start").check("1kv").is_err());
        assert!(rule("rbac.assignment.name").check("not-a-guid").is_err());
        assert_eq!(
            rules_for("microsoft.network/NETWORKSECURITYGROUPS")
                .filter(|r| r.resource_type != "*")
                .count(),
            9
        );
    }
}
