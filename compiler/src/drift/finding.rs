//! One difference between the workspace a posture builds and the one
//! deployed ([`Finding`]), and what the next deployment does about it
//! ([`Class`]): the vocabulary the comparison files share and the
//! diagnostics are made from.

use crate::diag::Code;
use crate::span::Span;

/// What the next deployment of the posture does about a difference.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// Azure updates the deployed resource to what the posture says.
    InPlace,
    /// Azure accepts the change, and it cannot be undone afterwards
    /// (isolation mode up, managed network on, purge protection on).
    OneWay,
    /// Azure refuses the change and the deployment fails (isolation mode
    /// down, managed network off, a region or kind changed): only a new
    /// resource gets there.
    Refused,
    /// Azure accepts the change only if computes are deleted and created
    /// again (the isolation mode with computes deployed; a compute whose
    /// subnet, public IP, size or identity changes).
    Disruptive,
    /// Deployed beside the workspace, absent from the posture: an ARM
    /// deployment in incremental mode leaves it as it is.
    Unmanaged,
}

impl Class {
    /// The diagnostic code of the class.
    #[must_use]
    pub fn code(self) -> Code {
        match self {
            Class::InPlace => Code::DriftInPlace,
            Class::OneWay => Code::DriftOneWay,
            Class::Refused => Code::DriftRefused,
            Class::Disruptive => Code::DriftDisruptive,
            Class::Unmanaged => Code::DriftUnmanaged,
        }
    }

    /// The class in a few words, for the primary label.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Class::InPlace => "changed in place by the next deployment",
            Class::OneWay => "the next deployment makes a change that cannot be undone",
            Class::Refused => "Azure refuses this change",
            Class::Disruptive => "the change needs computes deleted and recreated",
            Class::Unmanaged => "not in the posture: the next deployment leaves it",
        }
    }
}

/// What a finding is about in the posture, to place the diagnostic on
/// the setting when the posture wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    /// The workspace as a whole (region, kind, a setting the posture
    /// has no keyword for).
    Workspace,
    /// `outbound { mode }`.
    IsolationMode,
    /// `outbound { firewall_sku }`.
    FirewallSku,
    /// `inbound { public_network_access }` and `allowed_ips`.
    Inbound,
    /// The workspace's `identity`.
    Identity,
    /// A tag, by name.
    Tag(String),
    /// An outbound rule, by name.
    Rule(String),
    /// `inbound { private_endpoint }` and the associated resources'
    /// client endpoints.
    ClientEndpoint,
    /// A named compute.
    Compute(String),
    /// An online endpoint.
    OnlineEndpoint(String),
    Storage,
    KeyVault,
    ContainerRegistry,
    AppInsights,
    /// A grant of the `access` block, by principal id.
    Grant(String),
}

/// One difference, in Azure's words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub class: Class,
    /// What differs, in Azure's words, e.g.
    /// `properties.managedNetwork.isolationMode` or `outbound rule "pypi"`.
    pub what: String,
    /// The posture's keyword for it, when it has one (`outbound.mode`).
    pub keyword: Option<&'static str>,
    pub subject: Subject,
    /// The value the posture builds, `None` when the posture does not
    /// have the item.
    pub wanted: Option<String>,
    /// The value deployed, `None` when nothing is deployed.
    pub deployed: Option<String>,
    /// Where the deployed side was read (the item, or the workspace when
    /// the item is missing).
    pub origin: Span,
    /// What the next deployment does, and for a refused change the
    /// documented way out.
    pub consequence: String,
}

impl Finding {
    /// The diagnostic message: "X: wanted W, deployed D".
    #[must_use]
    pub fn message(&self) -> String {
        let keyword = self
            .keyword
            .map(|k| format!(" (`{k}`)"))
            .unwrap_or_default();
        format!(
            "{}{keyword}: wanted {}, deployed {}",
            self.what,
            shown(self.wanted.as_deref()),
            shown(self.deployed.as_deref()),
        )
    }
}

fn shown(v: Option<&str>) -> String {
    match v {
        Some(v) => format!("`{v}`"),
        None => "none".to_string(),
    }
}

/// A builder's first step: a difference of class `class`.
pub(crate) fn finding(
    class: Class,
    what: impl Into<String>,
    subject: Subject,
    origin: Span,
) -> Finding {
    Finding {
        class,
        what: what.into(),
        keyword: None,
        subject,
        wanted: None,
        deployed: None,
        origin,
        consequence: String::new(),
    }
}

impl Finding {
    #[must_use]
    pub(crate) fn keyword(mut self, k: &'static str) -> Self {
        self.keyword = Some(k);
        self
    }

    #[must_use]
    pub(crate) fn values(mut self, wanted: Option<String>, deployed: Option<String>) -> Self {
        self.wanted = wanted;
        self.deployed = deployed;
        self
    }

    #[must_use]
    pub(crate) fn then(mut self, consequence: impl Into<String>) -> Self {
        self.consequence = consequence.into();
        self
    }
}
