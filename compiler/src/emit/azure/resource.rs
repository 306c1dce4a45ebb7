//! Resources, modules and deployments: what every lowering makes and
//! every printer reads. A [`Resource`] carries its ARM body as JSON (built
//! from the typed models of [`super::properties`]), its name, scope and
//! order; a [`Module`] is a Bicep module (an ARM nested deployment); a
//! [`Deployment`] is one workspace's entry file and its modules.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::expr::Expr;
use super::firewall::ZoneLink;
use super::grants::RoleGrant;
use super::phases::Phases;
use crate::escape::Text;

/// A resource id: computed by an expression (a resource this deployment
/// creates) or written out (an existing one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Ref {
    Expr(Expr),
    Id(Text),
}

/// One resource of a module.
#[derive(Clone, Debug)]
pub struct Resource {
    /// The Bicep symbolic name, unique in its module.
    pub symbol: String,
    pub arm_type: &'static str,
    pub api_version: &'static str,
    /// Name segments: one for a top-level resource, the parent's then the
    /// child's for a child resource.
    pub names: Vec<String>,
    /// The parent's symbol, for a child resource.
    pub parent: Option<String>,
    /// Symbols of resources of the same module this one waits for.
    pub depends_on: Vec<String>,
    /// Everything but `type`, `apiVersion`, `name` and `dependsOn`, as ARM
    /// JSON (sorted keys).
    pub body: Map<String, Value>,
    /// One line saying what it is for.
    pub comment: String,
    /// The scope its id is relative to: the deployment's.
    pub scope: IdScope,
    /// Declared only to be referred to (Bicep `existing`): ARM JSON has no
    /// such resource.
    pub existing: bool,
    /// For an extension resource (a role assignment): the symbol of the
    /// resource of this module it applies to.
    pub scope_ref: Option<String>,
    /// A name Azure computes at deployment (a role assignment's or custom
    /// role's `guid(...)`), in place of the literal last name segment.
    pub name_expr: Option<Expr>,
}

/// The scope of a deployment, for the function that makes ids in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdScope {
    ResourceGroup,
    Subscription,
    ManagementGroup,
}

impl IdScope {
    /// The ARM (and Bicep) function that makes a resource id at this scope.
    #[must_use]
    pub fn id_function(self) -> &'static str {
        match self {
            IdScope::ResourceGroup => "resourceId",
            IdScope::Subscription => "subscriptionResourceId",
            IdScope::ManagementGroup => "managementGroupResourceId",
        }
    }
}

impl Resource {
    pub(crate) fn new(
        symbol: &str,
        arm_type: &'static str,
        api_version: &'static str,
        names: &[&str],
        comment: String,
        body: impl Serialize,
    ) -> Resource {
        let body = serde_json::to_value(body).unwrap_or(Value::Null);
        Resource::from_json(symbol, arm_type, api_version, names, comment, body)
    }

    /// [`Resource::new`] of a body already made JSON (`json!`): moved in,
    /// not serialized again.
    pub(crate) fn from_json(
        symbol: &str,
        arm_type: &'static str,
        api_version: &'static str,
        names: &[&str],
        comment: String,
        body: Value,
    ) -> Resource {
        let body = match body {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        Resource {
            symbol: symbol.to_string(),
            arm_type,
            api_version,
            names: names.iter().map(|s| (*s).to_string()).collect(),
            parent: None,
            depends_on: Vec::new(),
            body,
            comment,
            scope: IdScope::ResourceGroup,
            existing: false,
            scope_ref: None,
            name_expr: None,
        }
    }

    /// An existing resource, declared to be referred to by name.
    pub(crate) fn existing(
        symbol: &str,
        arm_type: &'static str,
        api_version: &'static str,
        name: &str,
    ) -> Resource {
        let mut r = Resource::new(
            symbol,
            arm_type,
            api_version,
            &[name],
            String::new(),
            Map::new(),
        );
        r.existing = true;
        r
    }

    /// The same extension resource, applied to another resource of the module.
    #[must_use]
    pub(crate) fn on(mut self, symbol: &str) -> Resource {
        self.scope_ref = Some(symbol.to_string());
        self
    }

    /// The id relative to the deployment's resource group, as an extension
    /// resource's `scope` names it: `Microsoft.Storage/storageAccounts/st`.
    #[must_use]
    pub fn relative_id(&self) -> String {
        let mut parts = self.arm_type.split('/');
        let mut out = parts.next().unwrap_or_default().to_string();
        for (ty, name) in parts.zip(&self.names) {
            out.push('/');
            out.push_str(ty);
            out.push('/');
            out.push_str(name);
        }
        out
    }

    /// The same resource at another deployment scope.
    #[must_use]
    pub(crate) fn at(mut self, scope: IdScope) -> Resource {
        self.scope = scope;
        self
    }

    pub(crate) fn child_of(mut self, parent: &str) -> Resource {
        self.parent = Some(parent.to_string());
        self
    }

    pub(crate) fn after(mut self, symbol: &str) -> Resource {
        self.depends_on.push(symbol.to_string());
        self
    }

    /// A top-level resource whose name Azure computes at deployment.
    #[must_use]
    pub(crate) fn named(mut self, name: Expr) -> Resource {
        self.name_expr = Some(name);
        self
    }

    /// The name as ARM JSON: an expression, or the literal full name.
    #[must_use]
    pub fn arm_name(&self) -> serde_json::Value {
        match &self.name_expr {
            Some(e) => serde_json::json!(e),
            None => serde_json::json!(Text(self.full_name())),
        }
    }

    /// The last name segment as ARM JSON, as the Bicep declaration writes it.
    #[must_use]
    pub fn arm_short_name(&self) -> serde_json::Value {
        match &self.name_expr {
            Some(e) => serde_json::json!(e),
            None => serde_json::json!(Text(self.short_name().to_string())),
        }
    }

    /// The id of this resource at the deployment's scope (`resourceId()`
    /// in a resource group).
    #[must_use]
    pub fn id(&self) -> Expr {
        let mut args = vec![Expr::str(self.arm_type)];
        match &self.name_expr {
            Some(e) => args.push(e.clone()),
            None => args.extend(self.names.iter().map(|n| Expr::str(n))),
        }
        Expr::call(self.scope.id_function(), args)
    }

    /// The full ARM name (`parent/child` for a child).
    #[must_use]
    pub fn full_name(&self) -> String {
        self.names.join("/")
    }

    /// The name as the Bicep declaration writes it (the last segment).
    #[must_use]
    pub fn short_name(&self) -> &str {
        self.names.last().map_or("", String::as_str)
    }
}

/// A Bicep module (a nested deployment in ARM JSON).
#[derive(Clone, Debug)]
pub struct Module {
    /// Its Bicep symbolic name and file stem (`modules/<file>.bicep`).
    pub symbol: String,
    pub file: String,
    /// The nested deployment's name.
    pub deployment_name: String,
    pub description: String,
    pub resources: Vec<Resource>,
    /// Symbols of the modules it waits for.
    pub depends_on: Vec<String>,
    /// Another resource group it deploys into: (subscription, group).
    pub target: Option<(String, String)>,
    /// Parameters beyond `location` and `tags`: name and the entry file's
    /// value for it (a string).
    pub params: Vec<(String, Expr)>,
    /// Deployed only when this entry-file expression is true (Bicep
    /// `module ... = if (...)`, an ARM `condition`).
    pub condition: Option<Expr>,
}

/// The deployment of one workspace: entry file parameters and modules.
#[derive(Clone, Debug)]
pub struct Deployment {
    pub workspace: String,
    pub resource_group: String,
    pub location: String,
    pub tags: BTreeMap<String, String>,
    pub modules: Vec<Module>,
    /// The ML API version the workspace uses (a preview one only when needed).
    pub ml_api: &'static str,
    /// Every role assignment, declared and derived, with its reason.
    pub grants: Vec<RoleGrant>,
    /// Why the workspace is deployed in two phases, if it is: the first
    /// only on the first deployment (entry-file parameter
    /// [`FIRST_DEPLOYMENT`]).
    pub phases: Phases,
    /// The custom role of the identity that deploys the workspace
    /// (`deployer/`), a subscription-scope resource.
    pub deployer_role: Resource,
    /// The resource groups that identity works in besides the workspace's,
    /// as `(subscription, group)`.
    pub deployer_groups: Vec<(String, String)>,
    /// Where the client private endpoints go when that is not the
    /// deployment's own group: `(subscription, group)`.
    pub client_group: Option<(String, String)>,
    /// The client private endpoints' region, when there are any.
    pub client_region: Option<String>,
    /// The links the hub team makes on their zones for a created spoke.
    pub hub_zone_links: Vec<ZoneLink>,
}

/// The entry-file parameter that tells a first deployment from a redeploy.
pub const FIRST_DEPLOYMENT: &str = "firstDeployment";

/// What the first-deployment parameter means, in the templates.
pub const FIRST_DEPLOYMENT_HELP: &str = "true only for the deployment that creates the workspace: it then creates it first in a safe shape and sets the rest after its role assignments; every later deployment leaves it false, so access is never narrowed during a redeploy";

/// The description of a module parameter beyond location and tags.
#[must_use]
pub fn param_description(name: &str) -> String {
    match name.strip_prefix("computePrincipalId_") {
        _ if name == "principalId" => "object id of the workspace's managed identity".to_string(),
        _ if name == "assignmentPrincipalId" => {
            "object id of the policy assignment's managed identity".to_string()
        }
        Some(compute) => format!(
            "object id of the managed identity of compute `{}`",
            compute.replace('_', "-")
        ),
        None => name.to_string(),
    }
}

impl Deployment {
    /// The tags as an ARM object of literal strings.
    #[must_use]
    pub fn tags_value(&self) -> Value {
        Value::Object(
            self.tags
                .iter()
                .map(|(k, v)| (k.clone(), json!(Text(v.clone()))))
                .collect(),
        )
    }
}

/// The module's `location` parameter.
#[must_use]
pub fn loc() -> Expr {
    Expr::param("location")
}

/// The module's `tags` parameter.
#[must_use]
pub fn tags() -> Expr {
    Expr::param("tags")
}
