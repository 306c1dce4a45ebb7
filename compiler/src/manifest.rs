//! The build manifest (`amlgen.lock.json`): what the last build made.
//!
//! `amlgen build` writes it into the output directory; the next check reads
//! it to refuse isolation-mode downgrades (rule R01), to warn about the
//! compute migration (R02), and the next build to refuse forgetting a
//! workspace it knows (AML9002). Format, version 2:
//!
//! ```json
//! {
//!   "format": 2,
//!   "amlgen_version": "0.1.0",
//!   "workspaces": {
//!     "mlw-fraud-prod": {
//!       "subscription_id": "00000000-0000-0000-0000-000000000001",
//!       "resource_group": "rg-fraud-ml",
//!       "isolation_mode": "allow_only_approved_outbound",
//!       "inputs": "sha256:...",
//!       "artifacts": { "workspaces/mlw-fraud-prod/main.bicep": "sha256:..." }
//!     }
//!   },
//!   "policies": {
//!     "ml-guardrails": { "policies/ml-guardrails/main.bicep": "sha256:..." }
//!   },
//!   "hub_firewall": { "hub-firewall/main.bicep": "sha256:..." },
//!   "epac": { "epac/Definitions/policyDefinitions/amlgen-outbound-rules.json": "sha256:..." }
//! }
//! ```
//!
//! Workspaces are keyed by name (unique in a build: it names their output
//! folder), but a workspace is an Azure resource identified by its
//! subscription, resource group and name, compared ignoring case as ARM
//! does: the same name in another resource group or subscription is another
//! workspace. `subscription_id` is there when the posture states it; a
//! manifest or posture without it is taken to mean the same subscription,
//! so the downgrade guard errs on the side of refusing.
//!
//! `targets` lists what the build made (`["bicep", "terraform"]`); absent,
//! as in every manifest before the Terraform target, it means Bicep only.
//! A build given no `--target` builds the targets the previous manifest
//! lists, so output never depends on who passes which flag.
//!
//! `inputs` is the hash of everything a workspace's files are made from
//! (`emit::build::inputs`, amlgen's own source included): `build` (and
//! `build --check --skip-unchanged`) does not render a workspace whose
//! inputs hash as recorded and whose recorded artifacts are on disk as
//! hashed (`build` carries them into the new output). Absent (manifests before it, builds with
//! `--templates`): the workspace is always rendered.
//!
//! Format 1 (no `subscription_id`) is read as format 2 with the
//! subscription unknown; a build always writes format 2. `isolation_mode`
//! uses the posture language's keywords. Unknown fields are ignored, so
//! the format evolves by optional fields (as `targets` and `inputs`),
//! which older amlgen versions read past and newer ones read as absent;
//! the format number changes only when a field changes meaning.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ir::IsolationMode;

/// The manifest format this amlgen writes.
pub const FORMAT: u32 = 2;

/// The formats this amlgen reads (1 is migrated to 2 as it is read).
pub const READS: &[u32] = &[1, 2];

/// The file name inside the output directory.
pub const FILE_NAME: &str = "amlgen.lock.json";

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub amlgen_version: String,
    pub workspaces: BTreeMap<String, ManifestWorkspace>,
    /// Per policy block, the hash of each artifact.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub policies: BTreeMap<String, BTreeMap<String, String>>,
    /// The hash of each `hub-firewall/` artifact (custom VNet mode).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub hub_firewall: BTreeMap<String, String>,
    /// The hash of each `epac/Definitions/` artifact (`--policy-layout
    /// epac`: one root for all policy blocks).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub epac: BTreeMap<String, String>,
    /// The targets built (`bicep`, `terraform`); absent: Bicep only, as
    /// every build before the Terraform target.
    #[serde(default = "bicep_only", skip_serializing_if = "is_bicep_only")]
    pub targets: Vec<Target>,
}

/// An output target of a build. ARM JSON is part of the Bicep target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    Bicep,
    Terraform,
}

/// The targets of a build that names none: Bicep (and its ARM JSON).
#[must_use]
pub fn bicep_only() -> Vec<Target> {
    vec![Target::Bicep]
}

fn is_bicep_only(t: &[Target]) -> bool {
    t == [Target::Bicep]
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestWorkspace {
    /// Absent in format 1, and when the posture does not state it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription_id: Option<String>,
    pub resource_group: String,
    pub isolation_mode: String,
    /// The hash of the workspace's inputs; absent in manifests before it
    /// and when the build cannot state it (`--templates`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<String>,
    #[serde(default)]
    pub artifacts: BTreeMap<String, String>,
}

/// What identifies a workspace as an Azure resource.
#[derive(Clone, Copy, Debug)]
pub struct WorkspaceId<'a> {
    /// `None` when the posture does not state it.
    pub subscription: Option<&'a str>,
    pub resource_group: &'a str,
    pub name: &'a str,
}

impl<'a> WorkspaceId<'a> {
    /// A posture's workspace.
    #[must_use]
    pub fn of(ws: &'a crate::ir::Workspace) -> Self {
        WorkspaceId {
            subscription: ws.subscription_id.as_ref().map(crate::ir::Guid::as_str),
            resource_group: ws.resource_group.value.as_str(),
            name: ws.name.as_str(),
        }
    }
}

impl ManifestWorkspace {
    /// Whether this entry, recorded under `name`, may be the workspace
    /// `id`: same name and resource group ignoring case, and the same
    /// subscription when both sides know it.
    #[must_use]
    pub fn is(&self, name: &str, id: &WorkspaceId) -> bool {
        name.eq_ignore_ascii_case(id.name)
            && self.resource_group.eq_ignore_ascii_case(id.resource_group)
            && match (&self.subscription_id, id.subscription) {
                (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                _ => true,
            }
    }

    /// Where the workspace lives, for messages: `resource group `rg``,
    /// with the subscription when known.
    #[must_use]
    pub fn place(&self) -> String {
        match &self.subscription_id {
            Some(s) => format!("resource group `{}`, subscription {s}", self.resource_group),
            None => format!("resource group `{}`", self.resource_group),
        }
    }
}

impl Manifest {
    /// Parses a manifest of any format this amlgen reads, migrated to the
    /// current one; the error says what is wrong and where.
    pub fn parse(text: &str) -> Result<Manifest, String> {
        let mut m: Manifest = serde_json::from_str(text)
            .map_err(|e| format!("{e} (line {}, column {})", e.line(), e.column()))?;
        if !READS.contains(&m.format) {
            return Err(format!(
                "manifest format {} is not supported by this amlgen (it reads formats 1 and {FORMAT})",
                m.format
            ));
        }
        for (name, ws) in &m.workspaces {
            if IsolationMode::from_keyword(&ws.isolation_mode).is_none() {
                return Err(format!(
                    "workspace `{name}` has an unknown isolation mode `{}`",
                    ws.isolation_mode
                ));
            }
        }
        // Format 1 differs only by lacking `subscription_id`, which serde
        // already reads as unknown.
        m.format = FORMAT;
        Ok(m)
    }

    /// The isolation mode the last build gave a workspace, if it built it.
    #[must_use]
    pub fn previous_mode(&self, id: &WorkspaceId) -> Option<IsolationMode> {
        self.workspaces
            .iter()
            .find(|(n, w)| w.is(n, id))
            .and_then(|(_, w)| IsolationMode::from_keyword(&w.isolation_mode))
    }

    /// The workspaces this manifest knows that none of `built` is.
    #[must_use]
    pub fn not_among<'a>(&'a self, built: &[WorkspaceId]) -> Vec<(&'a str, &'a ManifestWorkspace)> {
        self.workspaces
            .iter()
            .filter(|(n, w)| !built.iter().any(|id| w.is(n, id)))
            .map(|(n, w)| (n.as_str(), w))
            .collect()
    }
}

/// SHA-256 of bytes, as lowercase hex.
#[must_use]
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(bytes);
    digest.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = std::fmt::Write::write_fmt(&mut s, format_args!("{b:02x}"));
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        let ok = r#"{"format":1,"amlgen_version":"0.1.0","workspaces":{"w":{"resource_group":"rg","isolation_mode":"disabled"}}}"#;
        let m = Manifest::parse(ok).unwrap();
        let id = |sub, rg, name| WorkspaceId {
            subscription: sub,
            resource_group: rg,
            name,
        };
        assert_eq!(
            m.previous_mode(&id(None, "RG", "W")),
            Some(IsolationMode::Disabled)
        );
        assert!(Manifest::parse("{").is_err());
        assert!(Manifest::parse(&ok.replace("\"format\":1", "\"format\":9")).is_err());
        assert!(Manifest::parse(&ok.replace("disabled", "open")).is_err());
    }

    #[test]
    fn identity_is_subscription_group_and_name() {
        let sub = "00000000-0000-0000-0000-00000000000A";
        let text = format!(
            r#"{{"format":2,"amlgen_version":"0.1.0","workspaces":{{"w":{{"subscription_id":"{sub}","resource_group":"rg-a","isolation_mode":"allow_only_approved_outbound"}}}}}}"#
        );
        let m = Manifest::parse(&text).unwrap();
        let id = |sub, rg| WorkspaceId {
            subscription: sub,
            resource_group: rg,
            name: "W",
        };
        let approved = Some(IsolationMode::AllowOnlyApprovedOutbound);
        let lower = sub.to_lowercase();
        assert_eq!(m.previous_mode(&id(Some(&lower), "RG-A")), approved);
        // Unknown on one side: taken as the same subscription.
        assert_eq!(m.previous_mode(&id(None, "rg-a")), approved);
        assert_eq!(m.previous_mode(&id(None, "rg-b")), None);
        let other = "00000000-0000-0000-0000-00000000000b";
        assert_eq!(m.previous_mode(&id(Some(other), "rg-a")), None);
        assert_eq!(m.not_among(&[id(Some(other), "rg-a")]).len(), 1);
        assert!(m.not_among(&[id(None, "rg-a")]).is_empty());
    }

    #[test]
    fn format_1_migrates_to_2() {
        let old = r#"{"format":1,"amlgen_version":"0.1.0","workspaces":{"w":{"resource_group":"rg","isolation_mode":"disabled","artifacts":{}}}}"#;
        let m = Manifest::parse(old).unwrap();
        assert_eq!(m.format, FORMAT);
        assert_eq!(m.workspaces["w"].subscription_id, None);
        let written = serde_json::to_string(&m).unwrap();
        assert!(written.contains("\"format\":2"), "{written}");
        assert_eq!(Manifest::parse(&written).unwrap(), m);
    }

    #[test]
    fn targets_default_to_bicep_and_round_trip() {
        let old = r#"{"format": 2, "amlgen_version": "0.1.0", "workspaces": {}}"#;
        assert_eq!(Manifest::parse(old).unwrap().targets, [Target::Bicep]);
        let mut m = Manifest::parse(old).unwrap();
        let text = serde_json::to_string(&m).unwrap();
        assert!(!text.contains("targets"), "{text}");
        m.targets = vec![Target::Bicep, Target::Terraform];
        let text = serde_json::to_string(&m).unwrap();
        assert!(
            text.contains(r#""targets":["bicep","terraform"]"#),
            "{text}"
        );
        assert_eq!(Manifest::parse(&text).unwrap(), m);
    }
}
