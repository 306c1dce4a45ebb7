//! The files a build makes, as the printers hand them over.

use std::collections::BTreeMap;

/// The files of a build, keyed by path relative to the output directory
/// (forward slashes), in sorted order.
pub type Artifacts = BTreeMap<String, String>;

/// Where a build's files go, one at a time: a path relative to the output
/// directory (forward slashes) and its text. Files come workspace by
/// workspace, so a sink that writes them holds one workspace at a time.
pub type Sink<'a> = dyn FnMut(&str, String) -> Result<(), String> + 'a;

/// Workspaces a build need not render. Given a workspace's name and the
/// hash of its inputs, the artifacts (path → `sha256:` hash) an earlier
/// build made from the same inputs, when they are still in place as
/// hashed; `None` to render it. The build hands the sink nothing for a
/// workspace it reuses and records those artifacts in the manifest.
pub type Reuse<'a> = dyn Fn(&str, &str) -> Option<BTreeMap<String, String>> + Sync + 'a;
