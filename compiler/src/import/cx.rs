//! What the writers of one workspace share: the workspace, the names amlgen
//! would give what it creates, and the losses found so far.

use crate::deployed::model::{Loss, ObservedWorkspace};
use crate::emit::plan::CreatedNames;

/// What the writers of one workspace share.
pub(crate) struct Cx<'a> {
    pub ws: &'a ObservedWorkspace,
    /// The names amlgen would give what it creates, with the subscription
    /// stated or not as the deployed names show.
    pub created: CreatedNames,
    /// Whether the posture states `subscription_id`.
    pub subscription_stated: bool,
    pub losses: Vec<Loss>,
}

impl Cx<'_> {
    /// Something deployed the posture cannot say.
    pub fn lose(
        &mut self,
        origin: crate::span::Span,
        what: impl Into<String>,
        why: impl Into<String>,
    ) {
        self.losses.push(Loss {
            origin,
            what: what.into(),
            why: why.into(),
        });
    }

    /// Whether `id` is the resource of type `ty` amlgen creates under `name`
    /// in the workspace's group.
    pub fn is_created(&self, id: &str, ty: &str, name: &str) -> bool {
        is_created(self.ws, id, ty, name)
    }
}

fn is_created(ws: &ObservedWorkspace, id: &str, ty: &str, name: &str) -> bool {
    let Some(group) = crate::deployed::ids::group_id(&ws.id) else {
        return false;
    };
    crate::deployed::model::same_id(id, &format!("{group}/providers/{ty}/{name}"))
}

/// Regions compare ignoring case and spaces (`West Europe` is `westeurope`).
pub fn same_region(a: &str, b: &str) -> bool {
    crate::catalog::regions::key(a) == crate::catalog::regions::key(b)
}
