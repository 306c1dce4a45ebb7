//! Lowering of where network resources go: the client private endpoints'
//! resource group and region.

use super::{Block, Cx};
use crate::diag::{Code, Diagnostic};
use crate::ir::newtypes::ResourceGroupName;
use crate::ir::{Cloud, PeSubnet, Region, Setting, Source};
use crate::span::Span;

/// The client private endpoint's placement settings, as lowered.
pub(super) struct Placement {
    pub resource_group: Option<(ResourceGroupName, Span)>,
    pub region: Option<Setting<Region>>,
}

impl Cx<'_> {
    /// `resource_group` and `region` of `private_endpoint`. The spoke's pe
    /// subnet is placed by the `vnet` block, so both are refused there.
    pub(super) fn client_placement(
        &mut self,
        b: &Block,
        subnet: Option<&PeSubnet>,
        cloud: Cloud,
    ) -> Placement {
        let spoke = matches!(subnet, Some(PeSubnet::Spoke));
        let refuse = |cx: &mut Self, key: &str, why: &str, help: &str| {
            if let Some((k, _)) = b.attrs.get(key) {
                cx.push(
                    Diagnostic::new(
                        Code::UnknownSetting,
                        k.span,
                        format!("`{key}` does not apply to these private endpoints"),
                    )
                    .label(why.to_string())
                    .help(help.to_string()),
                );
                true
            } else {
                false
            }
        };
        let resource_group = if spoke {
            refuse(
                self,
                "resource_group",
                "in custom VNet mode the endpoints go in the spoke's resource group",
                "remove `resource_group`",
            );
            None
        } else {
            b.attrs
                .get("resource_group")
                .and_then(|(_, e)| self.resource_group(e))
        };
        let region = if spoke {
            refuse(
                self,
                "region",
                "in custom VNet mode the endpoints are in the spoke's region",
                "remove `region`; the `vnet` block's `region` is the spoke's",
            );
            None
        } else {
            b.attrs.get("region").and_then(|(_, e)| {
                self.region(e, cloud)
                    .map(|(r, sp)| Setting::new(r, Source::Explicit(sp)))
            })
        };
        Placement {
            resource_group,
            region,
        }
    }
}
