//! The build manifest (`amlgen.lock.json`): what the last build made.
//!
//! `amlgen build` writes it into the output directory; the next check reads
//! it to refuse isolation-mode downgrades (rule R01) and to warn about the
//! compute migration (R02). Format, version 1:
//!
//! ```json
//! {
//!   "format": 1,
//!   "amlgen_version": "0.1.0",
//!   "workspaces": {
//!     "mlw-fraud-prod": {
//!       "resource_group": "rg-fraud-ml",
//!       "isolation_mode": "allow_only_approved_outbound",
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
//! Workspaces are keyed by name (unique in a build); `isolation_mode` uses
//! the posture language's keywords. Unknown fields are ignored, so later
//! versions may add some.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ir::IsolationMode;

/// The manifest format this amlgen reads and writes.
pub const FORMAT: u32 = 1;

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
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestWorkspace {
    pub resource_group: String,
    pub isolation_mode: String,
    #[serde(default)]
    pub artifacts: BTreeMap<String, String>,
}

impl Manifest {
    /// Parses a manifest; the error says what is wrong and where.
    pub fn parse(text: &str) -> Result<Manifest, String> {
        let m: Manifest = serde_json::from_str(text)
            .map_err(|e| format!("{e} (line {}, column {})", e.line(), e.column()))?;
        if m.format != FORMAT {
            return Err(format!(
                "manifest format {} is not supported by this amlgen (it reads format {FORMAT})",
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
        Ok(m)
    }

    /// The isolation mode the last build gave a workspace, if it built it.
    #[must_use]
    pub fn previous_mode(&self, workspace: &str) -> Option<IsolationMode> {
        self.workspaces
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(workspace))
            .and_then(|(_, w)| IsolationMode::from_keyword(&w.isolation_mode))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        let ok = r#"{"format":1,"amlgen_version":"0.1.0","workspaces":{"w":{"resource_group":"rg","isolation_mode":"disabled"}}}"#;
        let m = Manifest::parse(ok).unwrap();
        assert_eq!(m.previous_mode("W"), Some(IsolationMode::Disabled));
        assert!(Manifest::parse("{").is_err());
        assert!(Manifest::parse(&ok.replace("\"format\":1", "\"format\":9")).is_err());
        assert!(Manifest::parse(&ok.replace("disabled", "open")).is_err());
    }
}
