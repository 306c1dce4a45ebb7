//! The resource blocks of `main.tf`: one `azapi_resource` per resource of
//! the model (all modules flattened, in the Bicep order), an
//! `azapi_update_resource` where a later module sets a resource an earlier
//! one created (the second phase of a two-phase workspace), then the data
//! sources and locals the blocks' expressions need.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::Value;

use super::values::{Hcl, Scope, Translator, aligned_items, label, pad};
use crate::emit::azure::{IdScope, Module, Resource};
use crate::escape::hcl_string;
use crate::escape::one_line;

/// Body keys that are arguments of the block, not part of `body`.
const NOT_BODY: &[&str] = &["location", "tags", "identity"];

/// One printed block, its exported values added once every block is known.
struct Block {
    address: String,
    head: String,
    tail: String,
}

/// Where each resource of the modules is declared.
struct Labels {
    /// (module symbol, resource symbol) → address.
    by_symbol: BTreeMap<(String, String), String>,
    /// Per module, the addresses of its resources.
    by_module: BTreeMap<String, Vec<String>>,
    /// Address → the address of the resource it updates.
    updates: BTreeMap<String, String>,
}

fn labels(modules: &[Module], tr: &mut Translator, scopes: &[Scope]) -> Labels {
    let mut used = BTreeSet::new();
    let mut out = Labels {
        by_symbol: BTreeMap::new(),
        by_module: BTreeMap::new(),
        updates: BTreeMap::new(),
    };
    for (m, scope) in modules.iter().zip(scopes) {
        for r in m.resources.iter().filter(|r| !r.existing) {
            let base = label(&m.symbol, &r.symbol);
            let mut label = base.clone();
            let mut n = 1;
            while !used.insert(label.clone()) {
                n += 1;
                label = format!("{base}_{n}");
            }
            let key = (scope.key(), r.arm_type.to_ascii_lowercase(), r.full_name());
            let address = match tr.index.get(&key) {
                Some(earlier) if r.name_expr.is_none() => {
                    let a = format!("azapi_update_resource.{label}");
                    out.updates.insert(a.clone(), earlier.clone());
                    a
                }
                _ => {
                    let a = format!("azapi_resource.{label}");
                    if r.name_expr.is_none() {
                        tr.index.insert(key, a.clone());
                    }
                    a
                }
            };
            out.by_symbol
                .insert((m.symbol.clone(), r.symbol.clone()), address.clone());
            out.by_module
                .entry(m.symbol.clone())
                .or_default()
                .push(address);
        }
    }
    out
}

/// The literal id of an existing resource of a module.
fn existing_id(tr: &mut Translator, r: &Resource, scope: &Scope) -> Result<Hcl, String> {
    let mut args = vec![crate::emit::azure::Expr::str(r.arm_type)];
    args.extend(r.names.iter().map(|n| crate::emit::azure::Expr::str(n)));
    tr.expr(
        &crate::emit::azure::Expr::call(scope.kind.id_function(), args),
        scope,
    )
}

/// The `parent_id` of a resource: its parent's id, the id of the resource
/// an extension resource applies to, or its scope's.
fn parent_id(tr: &mut Translator, r: &Resource, m: &Module, scope: &Scope) -> Result<Hcl, String> {
    let on = r.parent.as_ref().or(r.scope_ref.as_ref());
    let Some(target) = on.and_then(|s| m.resources.iter().find(|o| &o.symbol == s)) else {
        return Ok(tr.scope_id(scope));
    };
    if target.existing {
        return existing_id(tr, target, scope);
    }
    tr.expr(&target.id(), scope)
}

fn identity_block(tr: &mut Translator, v: &Value, scope: &Scope) -> Result<String, String> {
    let kind = v
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("SystemAssigned");
    let mut lines = vec![("type".to_string(), hcl_string(kind))];
    if let Some(Value::Object(ids)) = v.get("userAssignedIdentities") {
        let mut list = Vec::new();
        for id in ids.keys() {
            list.push(tr.value(&Value::from(id.as_str()), 2, scope)?);
        }
        lines.push(("identity_ids".to_string(), format!("[{}]", list.join(", "))));
    }
    let mut out = String::from("  identity {\n");
    out.push_str(&aligned_items(&lines, 2));
    out.push_str("  }\n");
    Ok(out)
}

/// Aligned `key = value` lines of a block, as `terraform fmt` writes them.
pub(super) fn aligned(lines: &[(&str, String)]) -> String {
    let items: Vec<(String, String)> = lines
        .iter()
        .map(|(k, v)| ((*k).to_string(), v.clone()))
        .collect();
    aligned_items(&items, 1)
}

fn block(
    tr: &mut Translator,
    r: &Resource,
    m: &Module,
    scope: &Scope,
    address: &str,
    labels: &Labels,
    first_phase: bool,
) -> Result<Block, String> {
    tr.refs.clear();
    let type_at = hcl_string(&format!("{}@{}", r.arm_type, r.api_version));
    let mut head = String::new();
    let _ = writeln!(head, "# {}", one_line(&r.comment));
    let body: serde_json::Map<String, Value> = r
        .body
        .iter()
        .filter(|(k, _)| !NOT_BODY.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let body = tr.value(&Value::Object(body), 1, scope)?;
    let (kind, label) = address.split_once('.').unwrap_or_default();
    let _ = writeln!(head, "resource \"{kind}\" \"{label}\" {{");
    if let Some(of) = labels.updates.get(address) {
        tr.refs.insert(of.clone());
        head.push_str(&aligned(&[
            ("type", type_at),
            ("resource_id", format!("{of}.id")),
            ("body", body),
        ]));
    } else {
        let name = match &r.name_expr {
            Some(e) => tr.expr(e, scope)?.render(),
            None => hcl_string(r.short_name()),
        };
        let mut lines = vec![
            ("type", type_at),
            ("name", name),
            ("parent_id", parent_id(tr, r, m, scope)?.render()),
        ];
        if let Some(v) = r.body.get("location") {
            lines.push(("location", tr.value(v, 1, scope)?));
        }
        if let Some(v) = r.body.get("tags") {
            lines.push(("tags", tr.value(v, 1, scope)?));
        }
        if let Some(v) = r.body.get("identity") {
            head.push_str(&aligned(&lines));
            head.push_str(&identity_block(tr, v, scope)?);
            head.push_str(&aligned(&[("body", body)]));
        } else {
            lines.push(("body", body));
            head.push_str(&aligned(&lines));
        }
    }
    let wanted: Vec<&String> = r
        .depends_on
        .iter()
        .filter_map(|s| labels.by_symbol.get(&(m.symbol.clone(), s.clone())))
        .chain(
            m.depends_on
                .iter()
                .filter_map(|s| labels.by_module.get(s))
                .flatten(),
        )
        .filter(|a| a.as_str() != address && tr.declared.contains(*a))
        .collect();
    let deps = needed(tr, &wanted);
    let mut tail = String::new();
    if !deps.is_empty() {
        tail.push_str("  depends_on = [\n");
        for d in deps {
            let _ = writeln!(tail, "    {d},");
        }
        tail.push_str("  ]\n");
    }
    if first_phase {
        tail.push_str("  lifecycle {\n    ignore_changes = [body]\n  }\n");
    }
    tail.push_str("}\n");
    Ok(Block {
        address: address.to_string(),
        head,
        tail,
    })
}

/// Of the addresses a block must wait for, those neither it refers to
/// nor another of them already waits for (Terraform orders the rest);
/// records what the block waits for, for the blocks after it.
fn needed(tr: &mut Translator, wanted: &[&String]) -> Vec<String> {
    let mut all: BTreeSet<String> = tr.refs.clone();
    all.extend(wanted.iter().map(|a| (*a).clone()));
    let implied: BTreeSet<&String> = all
        .iter()
        .filter_map(|a| tr.waits_for.get(a))
        .flatten()
        .collect();
    let mut out: Vec<String> = Vec::new();
    for a in wanted {
        if !tr.refs.contains(*a) && !implied.contains(a) && !out.contains(a) {
            out.push((*a).clone());
        }
    }
    let mut closure = all.clone();
    for a in &all {
        if let Some(w) = tr.waits_for.get(a) {
            closure.extend(w.iter().cloned());
        }
    }
    tr.pending = closure;
    out
}

/// What `main.tf` is made of, and what the other files need to know.
pub(super) struct Main {
    pub(super) text: String,
    /// Every block, in order: the ARM type and the address.
    pub(super) blocks: Vec<(&'static str, String)>,
    /// The input variables it reads.
    pub(super) vars: BTreeSet<String>,
}

/// `main.tf` of modules whose scopes are given; `extra_exports` are read by
/// `outputs.tf`.
pub(super) fn main_tf(
    header: &[String],
    modules: &[Module],
    scopes: &[Scope],
    extra_exports: &[(String, String)],
    locals_first: &[(String, String)],
) -> Result<Main, String> {
    let mut tr = Translator::default();
    let labels = labels(modules, &mut tr, scopes);
    let mut blocks = Vec::new();
    let mut listed = Vec::new();
    for (m, scope) in modules.iter().zip(scopes) {
        for r in m.resources.iter().filter(|r| !r.existing) {
            let address = labels
                .by_symbol
                .get(&(m.symbol.clone(), r.symbol.clone()))
                .cloned()
                .unwrap_or_default();
            blocks.push(block(
                &mut tr,
                r,
                m,
                scope,
                &address,
                &labels,
                m.condition.is_some(),
            )?);
            let waits = std::mem::take(&mut tr.pending);
            tr.waits_for.insert(address.clone(), waits);
            listed.push((r.arm_type, address.clone()));
            tr.declared.insert(address);
        }
    }
    tr.exports.extend(extra_exports.iter().cloned());
    let mut text = String::new();
    for line in header {
        let _ = writeln!(text, "# {}", one_line(line));
    }
    text.push_str("\ndata \"azapi_client_config\" \"current\" {}\n");
    for id in &tr.identities {
        let _ = write!(
            text,
            "\n# Reads the principal id of an existing user-assigned identity\ndata \"azapi_resource\" \"{}\" {{\n{}}}\n",
            id.label,
            aligned(&[
                ("type", hcl_string(&id.type_at_api)),
                ("resource_id", hcl_string(&id.id)),
                (
                    "response_export_values",
                    format!("[{}]", hcl_string(&id.path))
                ),
            ])
        );
    }
    let mut locals: Vec<(String, String)> = locals_first.to_vec();
    for ((sub, rg), name) in &tr.locals {
        locals.push((
            name.clone(),
            hcl_string(&format!("/subscriptions/{sub}/resourceGroups/{rg}")),
        ));
    }
    if !locals.is_empty() {
        text.push_str("\nlocals {\n");
        let lines: Vec<(&str, String)> = locals
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        text.push_str(&aligned(&lines));
        text.push_str("}\n");
    }
    for b in blocks {
        text.push('\n');
        text.push_str(&b.head);
        let paths: Vec<String> = tr
            .exports
            .iter()
            .filter(|(l, _)| *l == b.address)
            .map(|(_, p)| hcl_string(p))
            .collect();
        if !paths.is_empty() {
            let _ = writeln!(
                text,
                "{}response_export_values = [{}]",
                pad(1),
                paths.join(", ")
            );
        }
        text.push_str(&b.tail);
    }
    Ok(Main {
        text,
        blocks: listed,
        vars: std::mem::take(&mut tr.vars),
    })
}

/// The scope of a module of a workspace deployment (or a policy block).
pub(super) fn module_scope<'a>(
    m: &'a Module,
    kind: IdScope,
    fixed_id: Option<&'a str>,
    parent: &'a Scope<'a>,
) -> Scope<'a> {
    Scope {
        kind: if m.target.is_some() {
            IdScope::ResourceGroup
        } else {
            kind
        },
        group: m.target.as_ref(),
        fixed_id,
        params: &m.params,
        parent: Some(parent),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::emit::azure::Expr;

    fn module(symbol: &str, resources: Vec<Resource>, after: &[&str]) -> Module {
        Module {
            symbol: symbol.into(),
            file: symbol.into(),
            deployment_name: symbol.into(),
            description: String::new(),
            resources,
            depends_on: after.iter().map(|s| (*s).to_string()).collect(),
            target: None,
            params: Vec::new(),
            condition: None,
        }
    }

    #[test]
    fn phases_references_and_exports() {
        let ws_id = Expr::resource_id("Microsoft.MachineLearningServices/workspaces", &["w"]);
        let st = Resource::new(
            "storage",
            "Microsoft.Storage/storageAccounts",
            "2026-04-01",
            &["st"],
            "storage\n# not a comment".into(),
            json!({ "location": "[parameters('location')]", "properties": { "rule": ws_id } }),
        );
        let body = |access: &str| {
            json!({
                "location": "[parameters('location')]",
                "identity": { "type": "SystemAssigned" },
                "properties": {
                    "storageAccount": Expr::resource_id("Microsoft.Storage/storageAccounts", &["st"]),
                    "publicNetworkAccess": access,
                    "text": "${var.x} %{ if }",
                }
            })
        };
        let ws = |access| {
            Resource::new(
                "workspace",
                "Microsoft.MachineLearningServices/workspaces",
                "2026-05-01",
                &["w"],
                "ws".into(),
                body(access),
            )
        };
        let principal = Expr::call(
            "reference",
            vec![ws_id.clone(), Expr::str("2026-05-01"), Expr::str("full")],
        )
        .prop("identity")
        .prop("principalId");
        let grant = Resource::new(
            "grant",
            "Microsoft.Authorization/roleAssignments",
            "2022-04-01",
            &["g"],
            "grant".into(),
            json!({ "properties": { "principalId": principal } }),
        )
        .named(Expr::call("guid", vec![ws_id.clone(), Expr::str("r")]))
        .on("workspace");
        let mut first = module("workspace", vec![ws("Enabled")], &["storage"]);
        first.condition = Some(Expr::param("firstDeployment"));
        let target = Resource::existing(
            "workspace",
            "Microsoft.MachineLearningServices/workspaces",
            "2026-05-01",
            "w",
        );
        let modules = [
            module("storage", vec![st], &[]),
            first,
            module("rbac", vec![target, grant], &["workspace"]),
            module("workspaceFinal", vec![ws("Disabled")], &["rbac"]),
        ];
        let entry = Scope::top(IdScope::ResourceGroup, None);
        let scopes: Vec<Scope> = modules
            .iter()
            .map(|m| module_scope(m, IdScope::ResourceGroup, None, &entry))
            .collect();
        let main = main_tf(&["h".into()], &modules, &scopes, &[], &[]).unwrap();
        let t = &main.text;
        // A reference to a later resource is its literal id: no cycle.
        assert!(t.contains("\"rule\" = \"${local.resource_group_id}/providers/Microsoft.MachineLearningServices/workspaces/w\""), "{t}");
        assert!(
            t.contains("\"storageAccount\"      = azapi_resource.storage.id"),
            "{t}"
        );
        assert!(t.contains("# storage # not a comment\n"), "{t}");
        assert!(t.contains("\"$${var.x} %%{ if }\""), "{t}");
        assert!(
            t.contains("lifecycle {\n    ignore_changes = [body]\n  }"),
            "{t}"
        );
        assert!(t.contains("resource \"azapi_update_resource\" \"workspace_final_workspace\" {\n  type        = \"Microsoft.MachineLearningServices/workspaces@2026-05-01\"\n  resource_id = azapi_resource.workspace.id\n"), "{t}");
        assert!(
            t.contains("response_export_values = [\"identity.principalId\"]"),
            "{t}"
        );
        assert!(t.contains("parent_id = azapi_resource.workspace.id"), "{t}");
        assert!(
            t.contains("\"principalId\" = azapi_resource.workspace.output.identity.principalId"),
            "{t}"
        );
        assert!(t.contains("uuidv5(\"11fb06fb-712d-4ddd-98c7-e71bbd588830\", join(\"-\", [azapi_resource.workspace.id, \"r\"]))"), "{t}");
        // The final phase waits for the grants; the grant needs no
        // `depends_on`: its references order it.
        assert!(
            t.contains("depends_on = [\n    azapi_resource.rbac_grant,\n  ]"),
            "{t}"
        );
        assert_eq!(t.matches("depends_on").count(), 1, "{t}");
        let addresses: Vec<&str> = main.blocks.iter().map(|(_, a)| a.as_str()).collect();
        assert_eq!(
            addresses,
            [
                "azapi_resource.storage",
                "azapi_resource.workspace",
                "azapi_resource.rbac_grant",
                "azapi_update_resource.workspace_final_workspace"
            ]
        );
    }
}
