//! What reading one deployed file shares between the shapes it may hold
//! (`shapes.rs`, `template.rs`, `azml.rs`): the template scope and the
//! size bound ([`Scope`]), the file and its diagnostics ([`Reader`]), and
//! the resource types amlgen reads ([`READ_TYPES`]).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::DeployedResource;
use super::locate::{self, Loc};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::source::FileId;
use crate::span::Span;

/// Where a template's resources are deployed, for the ids its
/// expressions make (`resourceId()`, `subscription()`, `resourceGroup()`),
/// and the largest file read.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    pub subscription_id: Option<String>,
    pub resource_group: Option<String>,
    /// A lower bound than [`MAX_FILE_BYTES`] (a pipeline that wants its
    /// inputs small); never a higher one.
    pub max_file_bytes: Option<u64>,
}

impl Scope {
    /// The largest file read.
    #[must_use]
    pub fn max_bytes(&self) -> u64 {
        self.max_file_bytes
            .map_or(MAX_FILE_BYTES, |m| m.min(MAX_FILE_BYTES))
    }
}

/// The subscription of a template's ids when neither the command line nor
/// the template names one: the zero GUID, which no real subscription has.
pub const NO_SUBSCRIPTION: &str = "00000000-0000-0000-0000-000000000000";
/// The resource group of a template's ids when nothing names one.
pub const NO_RESOURCE_GROUP: &str = "resourceGroup";

/// The largest deployed file read: 32 MiB. An `az group export` of a
/// resource group with hundreds of resources is a few MiB; a bigger file
/// is not one workspace's state, and the reader keeps the parsed value and
/// a location tree of it in memory (several times the file's size). The
/// size is checked before the file is read.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// What one file's reading shares: where it is, the template scope, the
/// diagnostics and the resources read so far.
pub struct Reader<'a> {
    pub file: FileId,
    /// The file's text (as the source map holds it).
    pub text: String,
    pub scope: &'a Scope,
    pub diags: &'a mut Diagnostics,
    pub out: Vec<DeployedResource>,
}

impl Reader<'_> {
    /// The span of a location (the whole file's start when unknown).
    #[must_use]
    pub fn span(&self, loc: Option<&Loc>) -> Span {
        loc.map_or(Span::new(self.file, 0, 0), |l| {
            Span::new(self.file, l.start, l.end)
        })
    }

    /// The span of the first `key:` (YAML) or `"key"` (JSON) at or after
    /// `from`, for a diagnostic about a key of a file without a location
    /// tree (YAML); `None` if it is not found.
    #[must_use]
    pub fn key_span(&self, key: &str, from: usize) -> Option<Span> {
        let rest = self.text.get(from..)?;
        [format!("\"{key}\""), format!("{key}:")]
            .iter()
            .filter_map(|pat| rest.find(pat.as_str()).map(|i| (i, pat.len())))
            .min()
            .map(|(i, len)| Span::new(self.file, from + i, from + i + len))
    }

    /// The span of a resource's `type` string, else of its object: where a
    /// diagnostic about the resource points.
    #[must_use]
    pub fn type_span(&self, loc: Option<&Loc>) -> Span {
        self.span(locate::key(loc, "type").or(loc))
    }

    /// Keeps a resource in ARM shape if its type is one the posture
    /// language knows; a note names any other (deployments are not
    /// resources of the result: their inner resources are). `loc` is the
    /// resource's object in the file.
    pub fn push(&mut self, id: String, name: String, body: Map<String, Value>, loc: Option<&Loc>) {
        let origin = self.span(loc);
        let arm_type = str_of(&body, "type");
        if arm_type.eq_ignore_ascii_case("Microsoft.Resources/deployments") {
            return;
        }
        if !is_read_type(&arm_type) {
            self.diags.push(
                Diagnostic::new(
                    Code::ResourceTypeIgnored,
                    self.type_span(loc),
                    format!("`{name}` is a `{arm_type}`, which no posture describes: ignored"),
                )
                .label("ignored")
                .note("`amlgen explain AML4007` lists the types amlgen reads"),
            );
            return;
        }
        let location = body
            .get("location")
            .and_then(Value::as_str)
            .map(str::to_string);
        let tags = body
            .get("tags")
            .and_then(Value::as_object)
            .map(|t| {
                t.iter()
                    .map(|(k, v)| {
                        let v = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                        (k.clone(), v)
                    })
                    .collect::<BTreeMap<_, _>>()
            })
            .unwrap_or_default();
        self.out.push(DeployedResource {
            id,
            arm_type,
            name,
            location,
            tags,
            body,
            origin,
        });
    }
}

/// A string member, or empty.
pub fn str_of(o: &Map<String, Value>, key: &str) -> String {
    o.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// The resource types amlgen reads: what a posture describes or what its
/// build deploys.
pub const READ_TYPES: &[&str] = &[
    "Microsoft.MachineLearningServices/workspaces",
    "Microsoft.MachineLearningServices/workspaces/computes",
    "Microsoft.MachineLearningServices/workspaces/outboundRules",
    "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
    "Microsoft.Storage/storageAccounts",
    "Microsoft.KeyVault/vaults",
    "Microsoft.ContainerRegistry/registries",
    "Microsoft.Insights/components",
    "Microsoft.OperationalInsights/workspaces",
    "Microsoft.Network/privateEndpoints",
    "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
    "Microsoft.Network/privateDnsZones",
    "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
    "Microsoft.Network/privateDnsZones/A",
    "Microsoft.Network/virtualNetworks",
    "Microsoft.Network/virtualNetworks/subnets",
    "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
    "Microsoft.Network/networkSecurityGroups",
    "Microsoft.Network/routeTables",
    "Microsoft.Network/serviceEndpointPolicies",
    "Microsoft.Authorization/roleAssignments",
    "Microsoft.Authorization/roleDefinitions",
    "Microsoft.ManagedIdentity/userAssignedIdentities",
];

/// Whether amlgen reads resources of this type (case-insensitive, as ARM).
#[must_use]
pub fn is_read_type(ty: &str) -> bool {
    READ_TYPES.iter().any(|t| t.eq_ignore_ascii_case(ty))
}
