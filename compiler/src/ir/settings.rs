//! Values and settings every block uses: where a value came from
//! (`Source`), a value with its source (`Setting`), the profiles, the
//! cloud and its regions, on/off public network access, and the network
//! protocols of service tag rules and NSG rules.

use crate::span::Span;

/// The keyword of `value` in a closed set's table of keywords (`""` if
/// the table does not hold it).
pub(crate) fn keyword_in<T: Copy + PartialEq>(
    table: &[(&'static str, T)],
    value: T,
) -> &'static str {
    table
        .iter()
        .find(|(_, v)| *v == value)
        .map_or("", |(k, _)| k)
}

/// Where a setting's value came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// Written in the workspace (or the block the setting belongs to).
    Explicit(Span),
    /// Written in the file's `defaults` block.
    Defaults(Span),
    /// Set by the workspace's profile.
    Profile(Profile),
    /// Not written: amlgen chose the safer legal value.
    SecureDefault,
}

/// A value and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting<T> {
    pub value: T,
    pub source: Source,
}

impl<T> Setting<T> {
    pub fn new(value: T, source: Source) -> Self {
        Self { value, source }
    }

    /// The span to point at: where it was written, if it was.
    #[must_use]
    pub fn span(&self) -> Option<Span> {
        match self.source {
            Source::Explicit(s) | Source::Defaults(s) => Some(s),
            Source::Profile(_) | Source::SecureDefault => None,
        }
    }

    #[must_use]
    pub fn is_explicit(&self) -> bool {
        matches!(self.source, Source::Explicit(_))
    }
}

/// Organisation profiles of the decision guide; each sets defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Profile {
    /// Established network processes, scale, sensitive data, high security:
    /// managed network disabled, compute in your own spoke VNet.
    HubSpoke,
    /// Limited network skills, sensitive data: internet outbound plus
    /// private endpoint rules to the private data.
    SensitiveData,
    /// Limited skills, public data, low security: internet outbound, no rules.
    PublicData,
    /// Minimal exfiltration risk: approved outbound only, fewest rules.
    ExfiltrationProtected,
}

impl Profile {
    pub const ALL: &'static [(&'static str, Profile)] = &[
        ("exfiltration_protected", Profile::ExfiltrationProtected),
        ("hub_spoke", Profile::HubSpoke),
        ("public_data", Profile::PublicData),
        ("sensitive_data", Profile::SensitiveData),
    ];

    #[must_use]
    pub fn keyword(self) -> &'static str {
        keyword_in(Self::ALL, self)
    }
}

/// Azure cloud, for DNS zone names and regions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cloud {
    Public,
    UsGov,
    China,
}

impl Cloud {
    pub const ALL: &'static [(&'static str, Cloud)] = &[
        ("public", Cloud::Public),
        ("usgov", Cloud::UsGov),
        ("china", Cloud::China),
    ];
}

/// A region name, checked against the cloud's region list.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Region(pub(crate) String);

impl Region {
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// On/off for a resource's public network access.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Access {
    Enabled,
    Disabled,
}

/// Protocol of a service tag rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Protocol {
    Tcp,
    Udp,
    Icmp,
    Any,
}

impl Protocol {
    pub const ALL: &'static [(&'static str, Protocol)] = &[
        ("tcp", Protocol::Tcp),
        ("udp", Protocol::Udp),
        ("icmp", Protocol::Icmp),
        ("any", Protocol::Any),
    ];

    /// The value the managed network takes.
    #[must_use]
    pub fn arm(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Icmp => "ICMP",
            Protocol::Any => "*",
        }
    }

    /// The Azure Firewall network rule `ipProtocols` value.
    #[must_use]
    pub fn firewall(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Icmp => "ICMP",
            Protocol::Any => "Any",
        }
    }

    /// The network security rule `protocol`.
    #[must_use]
    pub fn nsg(self) -> &'static str {
        match self {
            Protocol::Tcp => "Tcp",
            Protocol::Udp => "Udp",
            Protocol::Icmp => "Icmp",
            Protocol::Any => "*",
        }
    }
}
