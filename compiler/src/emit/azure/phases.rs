//! Why a workspace is deployed in two phases, and what its last phase
//! sets that its first may not.

/// Why a workspace is deployed in two phases. Azure's rules, each of
/// which the first deployment must respect and a redeploy must not undo:
///
/// - an IP allowlist can only be set on an existing workspace (the
///   selected-IP scenario of "Configure a managed virtual network"), so
///   the first phase creates the workspace private;
/// - a managed network's private endpoint rule to the workspace itself
///   cannot be added at creation ("the workspace doesn't exist yet");
/// - since 30 April 2025 the workspace identity must hold the approver
///   role on a private endpoint rule's target before the managed network
///   is provisioned, or the endpoint stays pending; the identity only
///   exists once the workspace does, so the first phase does not provision
///   (`provisionNetworkNow` false, no compute yet), the grants follow, and
///   the second phase provisions.
///
/// The first phase runs only when the entry file's `firstDeployment`
/// parameter is true: on a redeploy (the default) the workspace gets one
/// PUT, its final settings, after the grants. A redeploy therefore never
/// narrows inbound access, never drops a rule, and grants the approver
/// role on a new target before the rule that needs it is added. A first
/// deployment run without the flag fails harmlessly (the workspace does
/// not exist for the role assignments) and the report says what to pass.
#[derive(Clone, Copy, Debug)]
pub struct Phases {
    pub selected_ips: bool,
    pub self_rules: bool,
    pub gated: bool,
}

impl Phases {
    #[must_use]
    pub fn two_phase(&self) -> bool {
        self.selected_ips || self.self_rules || self.gated
    }
}

/// What the last phase sets that the first may not, in words.
#[must_use]
pub fn first_phase_reasons(phases: Phases) -> String {
    let mut why = Vec::new();
    if phases.selected_ips {
        why.push("public access from the selected IPs (an allowlist can only be set on an existing workspace)");
    }
    if phases.self_rules {
        why.push("the managed network's private endpoint to the workspace itself (it cannot be added at creation)");
    }
    if phases.gated {
        why.push("the managed network provisioned only after the workspace identity may approve its private endpoints");
    }
    why.join("; ")
}
