//! What is deployed: the brownfield side of amlgen.
//!
//! `amlgen import` and `amlgen diff --deployed` read what Azure says about
//! existing resources, offline, from files a user produces with standard
//! commands (`az resource show`, `az ml workspace show -o json`,
//! `az network private-endpoint show`, `az role assignment list`,
//! `az group export`, an `az ml` workspace YAML). The phases:
//!
//! ```text
//! files ──read::read──▶ Vec<DeployedResource> ──observe::observe──▶ Observed (ObservedWorkspace per workspace)
//!   (read.rs: the files, JSON/YAML, limits; shapes.rs: the shapes az
//!    prints; template.rs + template_eval.rs: ARM templates evaluated;
//!    azml.rs: the az ml workspace shape turned into ARM; locate.rs: where
//!    each value is in its file; ids.rs: ARM resource ids)
//! ```
//!
//! `import` writes a posture from an [`model::ObservedWorkspace`];
//! `drift` compares the one a posture builds (its own ARM template, read
//! by the same reader) with the one deployed.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::span::Span;

pub mod azml;
pub mod ids;
pub mod locate;
pub mod model;
pub mod observe;
pub mod read;
pub mod reader;
pub mod shapes;
pub mod template;
pub mod template_eval;

/// One ARM resource as deployed, in ARM's own shape whatever form the file
/// had (the CLI's flattened forms and the `az ml` shape are turned into
/// it by the reader).
#[derive(Clone, Debug, PartialEq)]
pub struct DeployedResource {
    /// The full ARM resource id. Read from the file, or made from the
    /// template's scope (subscription, group) for a template's resources.
    pub id: String,
    /// The resource type as Azure writes it, e.g.
    /// `Microsoft.MachineLearningServices/workspaces/outboundRules`.
    pub arm_type: String,
    /// The full name (`parent/child` for a child resource).
    pub name: String,
    pub location: Option<String>,
    pub tags: BTreeMap<String, String>,
    /// The whole resource object in ARM shape: `properties`, `identity`,
    /// `sku`, `kind`, ... (also `id`, `name`, `type`, as given).
    pub body: Map<String, Value>,
    /// Where it was read: the file (in the run's `SourceMap`) and the
    /// bytes of the resource's object, or of its `type` or `name` when the
    /// object cannot be found exactly.
    pub origin: Span,
}

impl DeployedResource {
    /// `properties`, or an empty object.
    #[must_use]
    pub fn properties(&self) -> &Map<String, Value> {
        static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
        self.body
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or_else(|| EMPTY.get_or_init(Map::new))
    }

    /// Whether the type is `ty`, ignoring case as ARM does.
    #[must_use]
    pub fn is(&self, ty: &str) -> bool {
        self.arm_type.eq_ignore_ascii_case(ty)
    }
}
