//! Bicep: the deployment printed as the handlebars templates in
//! `templates/` lay it out. The embedded templates are the specification;
//! `direct` prints each of them in plain Rust (what every build runs), and a
//! template `--templates DIR` overrides is rendered with Handlebars instead
//! (`hbs`). Every value is printed by `value` from the same ARM JSON the ARM
//! emitter writes, so both outputs say the same thing.

mod direct;
mod hbs;
mod value;

use std::collections::BTreeMap;
use std::path::Path;

use crate::emit::azure::{Deployment, Module, Resource};

pub use hbs::{Scoped, Templates};

/// The templates of a build: the overrides of `<dir>/<name>.hbs`, when a
/// directory is given and has such files; every other template is printed
/// directly.
pub fn registry(dir: Option<&Path>) -> Result<Templates, String> {
    Templates::load(dir)
}

/// `modules/<file>.bicep` of each module.
fn module_files(
    t: &Templates,
    modules: &[Module],
    header: &str,
    files: &mut BTreeMap<String, String>,
) -> Result<(), String> {
    let hb = t.overridden("module.bicep");
    for m in modules {
        let text = match hb {
            Some(hb) => hbs::module(hb, m, header)?,
            None => direct::module(m, header)?,
        };
        files.insert(format!("modules/{}.bicep", m.file), text);
    }
    Ok(())
}

/// A Bicep file of one template at a subscription or management group
/// (a policy block, the deploying identity's role), from `policy.bicep.hbs`.
pub fn render_scoped(
    t: &Templates,
    target_scope: &str,
    management_group: Option<&str>,
    resources: &[Resource],
    header: &str,
    title: &str,
) -> Result<String, String> {
    let s = Scoped {
        target_scope,
        management_group,
        header,
        title,
    };
    scoped_main(t, &s, resources, &[])
}

/// `main.bicep` of a scoped file.
fn scoped_main(
    t: &Templates,
    s: &Scoped,
    resources: &[Resource],
    modules: &[Module],
) -> Result<String, String> {
    match t.overridden("policy.bicep") {
        Some(hb) => hbs::scoped(hb, s, resources, modules),
        None => direct::scoped(s, resources, modules),
    }
}

/// The same, with modules deployed into other resource groups (after the
/// template's resources): `main.bicep` and `modules/<file>.bicep`.
pub fn render_scoped_with_modules(
    t: &Templates,
    target_scope: &str,
    management_group: Option<&str>,
    resources: &[Resource],
    modules: &[Module],
    header: &str,
    title: &str,
) -> Result<BTreeMap<String, String>, String> {
    let s = Scoped {
        target_scope,
        management_group,
        header,
        title,
    };
    let mut files = BTreeMap::new();
    files.insert(
        "main.bicep".to_string(),
        scoped_main(t, &s, resources, modules)?,
    );
    module_files(t, modules, header, &mut files)?;
    Ok(files)
}

/// The hub firewall's rule collection group (`hub-firewall.bicep.hbs`).
pub fn render_hub_firewall(
    t: &Templates,
    header: &str,
    title: &str,
    group: &Resource,
    priority: u32,
) -> Result<String, String> {
    match t.overridden("hub-firewall.bicep") {
        Some(hb) => hbs::hub_firewall(hb, (header, title), group, priority),
        None => direct::hub_firewall((header, title), group, priority),
    }
}

/// The Bicep files of one deployment: `main.bicep`, `main.bicepparam`
/// and `modules/<file>.bicep`, keyed by path relative to its folder.
pub fn render_deployment(
    t: &Templates,
    d: &Deployment,
    header: &str,
) -> Result<BTreeMap<String, String>, String> {
    let mut files = BTreeMap::new();
    let main_hb = t.overridden("main.bicep");
    let param_hb = t.overridden("main.bicepparam");
    // The templates' data, only when one of them renders it.
    let data = (main_hb.is_some() || param_hb.is_some()).then(|| hbs::main_data(d, header));
    let main = match (main_hb, &data) {
        (Some(hb), Some(data)) => hbs::main(hb, "main.bicep", data)?,
        _ => direct::main_bicep(d, header),
    };
    files.insert("main.bicep".to_string(), main);
    let params = match (param_hb, &data) {
        (Some(hb), Some(data)) => hbs::main(hb, "main.bicepparam", data)?,
        _ => direct::main_bicepparam(d, header),
    };
    files.insert("main.bicepparam".to_string(), params);
    module_files(t, &d.modules, header, &mut files)?;
    Ok(files)
}
