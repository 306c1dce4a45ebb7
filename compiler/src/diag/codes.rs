//! The one registry of diagnostic codes.
//!
//! `AML0xxx` lexing, `AML1xxx` parsing, `AML2xxx` names and types,
//! `AML3xxx` platform rules (`AML30NN` is rule RNN of the posture rules
//! up to R28; custom VNet mode's R30-R35 are `AML3130`-`AML3135`, since
//! `AML3029`-`AML3032` were taken first; `AML3140`-`AML3149` are Azure's
//! runtime rules of `catalog::limits`, `AML3150`-`AML3159` what makes a
//! spoke's deployment harm or fail, `AML3170`-`AML3179` accepted risks,
//! `AML3190`-`AML3199` what a policy block of the build does to its
//! workspaces beyond denying them),
//! `AML40xx` reading deployed files, `AML41xx` import, `AML42xx` drift,
//! `AML9xxx` input and internal. A code is never reused or renumbered; its
//! long explanation is `docs/codes/<CODE>.md`.

use super::Severity;

macro_rules! codes {
    ($($variant:ident = $id:literal, $name:literal, $sev:ident, $title:literal;)*) => {
        /// Every diagnostic amlgen can report.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $($variant,)*
        }

        impl Code {
            /// All codes, in registry order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The stable identifier, e.g. `AML3003`.
            #[must_use]
            pub fn id(self) -> &'static str {
                match self { $(Code::$variant => $id,)* }
            }

            /// The kebab-case name used by `--allow` / `--deny`.
            #[must_use]
            pub fn name(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// The severity unless the command line changes it.
            #[must_use]
            pub fn default_severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$sev,)* }
            }

            /// A one-line summary (SARIF rule description, `explain` heading).
            #[must_use]
            pub fn title(self) -> &'static str {
                match self { $(Code::$variant => $title,)* }
            }
        }
    };
}

codes! {
    UnexpectedCharacter = "AML0001", "unexpected-character", Error, "a character that starts no token";
    UnterminatedString = "AML0002", "unterminated-string", Error, "a string is not closed before the end of its line";
    InvalidEscape = "AML0003", "invalid-escape", Error, "an unknown escape sequence in a string";
    InvalidNumber = "AML0004", "invalid-number", Error, "a number that does not fit or is malformed";
    InvalidInterpolation = "AML0005", "invalid-interpolation", Error, "a `${...}` interpolation that is not a plain name";
    InvalidUtf8 = "AML0006", "invalid-encoding", Error, "a file that is not UTF-8 text";
    TooManyTokens = "AML0007", "too-many-tokens", Error, "a build with more tokens than amlgen reads";
    LineTooLong = "AML0008", "line-too-long", Error, "a line longer than amlgen reads";
    UnexpectedToken = "AML1001", "unexpected-token", Error, "the parser found a token it did not expect";
    UnclosedDelimiter = "AML1002", "unclosed-delimiter", Error, "a `{` or `[` is never closed";
    UnknownSetting = "AML2001", "unknown-setting", Error, "a setting or block that does not exist here";
    DuplicateSetting = "AML2002", "duplicate-setting", Error, "a setting is given twice";
    TypeMismatch = "AML2003", "type-mismatch", Error, "a value of the wrong kind";
    InvalidEnumValue = "AML2004", "invalid-value", Error, "a value outside the allowed set";
    UndefinedName = "AML2005", "undefined-name", Error, "a name that no `let` defines";
    DuplicateName = "AML2006", "duplicate-name", Error, "two lets, workspaces or policies with the same name";
    MissingSetting = "AML2007", "missing-setting", Error, "a required setting is missing";
    InvalidResourceId = "AML2008", "invalid-resource-id", Error, "a malformed ARM resource id";
    InvalidIpRange = "AML2009", "invalid-ip-range", Error, "a malformed IPv4 address or CIDR";
    InvalidGuid = "AML2010", "invalid-guid", Error, "a malformed GUID";
    InvalidName = "AML2011", "invalid-name", Error, "a name Azure does not accept";
    InvalidRegion = "AML2012", "invalid-region", Error, "an unknown Azure region";
    InvalidFqdn = "AML2013", "invalid-fqdn", Error, "a malformed FQDN or FQDN pattern";
    UnknownRole = "AML2014", "unknown-role", Error, "a role that is not a known built-in role";
    InvalidNumberRange = "AML2015", "number-out-of-range", Error, "a number outside its allowed range";
    WrongResourceType = "AML2016", "wrong-resource-type", Error, "a resource id of the wrong type for this setting";
    ExpansionLimit = "AML2017", "expansion-limit", Error, "a `let` or the uses of lets expand past amlgen's size or nesting limit";
    IsolationDowngrade = "AML3001", "isolation-downgrade", Error, "the isolation mode is lower than the last build's";
    ComputeRecreate = "AML3002", "compute-recreate", Warning, "enabling a managed network means recreating every managed compute";
    RuleKindNotAllowed = "AML3003", "rule-kind-not-allowed", Error, "an outbound rule kind the isolation mode does not accept";
    FqdnFirewallCost = "AML3004", "fqdn-firewall-cost", Warning, "FQDN rules deploy a billed managed Azure Firewall";
    UnsupportedFirewall = "AML3005", "unsupported-firewall", Error, "a firewall SKU or URL filtering the managed network does not support";
    FqdnPort = "AML3006", "fqdn-port", Error, "FQDN rules only support ports 80 and 443";
    FqdnToStorage = "AML3007", "fqdn-to-storage", Error, "an FQDN rule to Azure Storage in approved-outbound mode";
    UnsupportedPrivateEndpointTarget = "AML3008", "unsupported-pe-target", Error, "a private endpoint rule to a resource type the managed network does not support";
    UnknownSubresource = "AML3009", "unknown-subresource", Error, "a private endpoint sub-resource the target type does not have";
    SparkNotStorage = "AML3010", "spark-not-storage", Error, "`spark` on a private endpoint rule whose target is not Azure Storage";
    DuplicateRuleName = "AML3011", "duplicate-rule-name", Error, "two outbound rules with the same name";
    InvalidPortRange = "AML3012", "invalid-port-range", Error, "a malformed port range or protocol";
    CrossSubscriptionTarget = "AML3013", "cross-subscription-target", Note, "a private endpoint target in another subscription must be in the same tenant";
    DuplicatePlatformRule = "AML3014", "duplicate-platform-rule", Warning, "a rule the platform already creates for the workspace's own resources";
    ProvisionLater = "AML3015", "provision-later", Warning, "the managed network is provisioned on first compute creation";
    ComputeUnderManagedNetwork = "AML3016", "managed-network-compute", Error, "a compute that a managed network does not support";
    EndpointAndServiceEndpoint = "AML3017", "pe-and-service-endpoint", Error, "a resource with both a private endpoint and a service endpoint";
    ServiceTagSurface = "AML3018", "service-tag-surface", Note, "a service tag rule opens all of Azure behind the tag";
    ResourceGroupLock = "AML3019", "resource-group-lock", Warning, "a scope lock on the workspace's resource group";
    PublicAccessSettings = "AML3020", "public-network-access", Error, "inconsistent public network access or IP allowlist";
    PrivateWorkspaceWithoutEndpoint = "AML3021", "private-without-endpoint", Error, "a private workspace with no private endpoint or DNS";
    StudioStorageEndpoints = "AML3022", "studio-storage-endpoints", Warning, "studio cannot reach a private default storage from the client network";
    DataProfilingAccess = "AML3023", "data-profiling-access", Error, "data profiling cannot reach a private default storage";
    TrustedServices = "AML3024", "trusted-services", Error, "a private associated resource that does not allow trusted Microsoft services";
    PrivateRegistryImageBuild = "AML3025", "private-registry-image-build", Error, "a private container registry without an image-build compute";
    OnlineEndpointEgressFlag = "AML3026", "online-endpoint-egress-flag", Warning, "the legacy egress flag has no effect under a managed network";
    ImageBuildPackageAccess = "AML3027", "image-build-package-access", Warning, "image builds in approved-outbound mode without package access";
    SparkPublicAccess = "AML3028", "spark-public-access", Warning, "Spark provisioning with public network access enabled";
    PolicyContradiction = "AML3029", "policy-contradiction", Error, "a policy block denies what a workspace of the build declares";
    PolicyEffect = "AML3030", "policy-effect", Error, "an effect the policy control does not support";
    UserGrantOnSensitive = "AML3031", "user-grant-on-sensitive", Warning, "a role granted to an individual user on a sensitive workspace";
    PresetNotAllowed = "AML3032", "preset-not-allowed", Error, "a scenario preset whose rule kinds the isolation mode does not accept";
    PolicyFlagsWorkspace = "AML3190", "policy-flags-workspace", Warning, "a policy block of the build flags (audits) what a workspace declares";
    PolicyBlocksManagedEndpoints = "AML3191", "policy-blocks-managed-endpoints", Warning, "a policy block denies the private endpoint rules a workspace's managed network creates itself";
    ExemptionWidens = "AML3192", "exemption-widens", Warning, "a policy exemption made for one workspace also exempts another workspace of its resource group";
    UnplaceableExemption = "AML3193", "unplaceable-exemption", Error, "a workspace accepts a policy finding that no exemption can be placed for";
    PolicyIdentityLocation = "AML3180", "policy-identity-location", Error, "a policy whose assignment needs a managed identity has no region to place it in";
    SpokeLayout = "AML3130", "spoke-layout", Error, "a spoke network whose region, subnets or placement Azure or the recommended layout refuses";
    NsgBlocksRequired = "AML3131", "nsg-blocks-required", Error, "an added NSG rule that blocks or displaces a rule Azure Machine Learning requires";
    PublicIpComputeInSpoke = "AML3132", "public-ip-compute", Warning, "compute with a public IP in custom VNet mode needs inbound rules and routes around the firewall";
    FirewallInSpoke = "AML3133", "firewall-in-spoke", Error, "the hub firewall's IP is inside the spoke it routes";
    NoExfiltrationGuard = "AML3134", "no-exfiltration-guard", Warning, "the training subnet has no service endpoint policy";
    SubnetTooSmall = "AML3135", "subnet-too-small", Error, "a spoke subnet too small for what the posture puts in it";
    SharedSpoke = "AML3136", "shared-spoke", Warning, "two workspaces share one spoke VNet";
    TagRefused = "AML3140", "tag-refused", Error, "a tag Azure refuses: its name or value too long or with a forbidden character, or more than 50 tags";
    TagNameCase = "AML3141", "tag-name-case", Error, "two tags whose names differ only in case, which Azure takes as one";
    NameRefused = "AML3142", "name-refused", Error, "a workspace or compute name Azure refuses for its type";
    UnassignedComputeInstance = "AML3160", "unassigned-compute-instance", Warning, "a compute instance with no assigned user belongs to whoever deploys it";
    ExpiredAcceptance = "AML3170", "expired-acceptance", Error, "an accepted risk past its `expires` date: the finding it accepted is an error again";
    UnusedAcceptance = "AML3171", "unused-acceptance", Warning, "an accepted risk that covers no finding of the build";
    ExistingSubnetRewrite = "AML3150", "existing-subnet-rewrite", Error, "an existing spoke subnet rewritten without the posture saying what it keeps";
    SpokeDnsUnresolved = "AML3151", "spoke-dns-unresolved", Error, "a spoke the deployment creates cannot resolve its private endpoints' DNS zones";
    // deployed files (deployed::read)
    DeployedNotUtf8 = "AML4001", "deployed-encoding", Error, "a deployed file that is not UTF-8 text";
    DeployedSyntax = "AML4002", "deployed-syntax", Error, "a deployed file that is neither valid JSON nor valid YAML";
    DeployedTooLarge = "AML4003", "deployed-too-large", Error, "a deployed file larger than amlgen reads (32 MiB)";
    DeployedTooDeep = "AML4004", "deployed-too-deep", Error, "a deployed file nested deeper than amlgen reads";
    NotAResource = "AML4005", "not-a-resource", Error, "JSON that is no resource, list of resources or template";
    TemplateExpression = "AML4006", "template-expression", Warning, "a template expression amlgen cannot evaluate";
    ResourceTypeIgnored = "AML4007", "resource-type-ignored", Note, "a deployed resource of a type no posture describes";
    AzmlUnknownKey = "AML4008", "azml-unknown-key", Warning, "an `az ml` workspace key amlgen does not read";
    // import (import)
    NotRepresentable = "AML4101", "not-representable", Warning, "something deployed that a posture cannot say: listed in the imported posture, not written";
    NoWorkspace = "AML4102", "no-workspace", Error, "the deployed files describe no Azure Machine Learning workspace";
    UnclaimedResource = "AML4103", "unclaimed-resource", Note, "a deployed resource that belongs to none of the input's workspaces";
    // drift (drift)
    DriftInPlace = "AML4201", "drift-in-place", Error, "the deployed state differs from the posture; the next deployment changes it in place";
    DriftOneWay = "AML4202", "drift-one-way", Error, "the next deployment makes a change to the deployed state that cannot be undone";
    DriftRefused = "AML4203", "drift-refused", Error, "the posture asks for a change of the deployed state that Azure refuses";
    DriftDisruptive = "AML4204", "drift-disruptive", Error, "the next deployment's change needs deployed computes deleted and recreated";
    DriftUnmanaged = "AML4205", "drift-unmanaged", Error, "deployed beside the workspace but not in the posture: the next deployment leaves it";
    WorkspaceNotDeployed = "AML4206", "workspace-not-deployed", Note, "a workspace of the posture that the deployed files do not hold: the next deployment creates it";
    WorkspaceNotInPosture = "AML4207", "workspace-not-in-posture", Note, "a deployed workspace that no workspace of the posture describes";
    InvalidManifest = "AML9001", "invalid-manifest", Error, "the previous build's manifest cannot be read";
    ForgottenWorkspace = "AML9002", "forgotten-workspace", Error, "a build that would drop workspaces the previous build's manifest knows";
    TooManyDiagnostics = "AML9005", "too-many-diagnostics", Error, "more diagnostics than one run reports";
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

impl Code {
    /// Looks a code up by its id (`AML3003`) or name (`rule-kind-not-allowed`),
    /// ignoring case.
    #[must_use]
    pub fn parse(text: &str) -> Option<Code> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.id().eq_ignore_ascii_case(text) || c.name().eq_ignore_ascii_case(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_and_names_are_unique_and_well_formed() {
        let mut ids = HashSet::new();
        let mut names = HashSet::new();
        for c in Code::ALL {
            assert!(ids.insert(c.id()), "duplicate id {}", c.id());
            assert!(names.insert(c.name()), "duplicate name {}", c.name());
            assert!(c.id().len() == 7 && c.id().starts_with("AML"));
            assert!(c.id()[3..].bytes().all(|b| b.is_ascii_digit()));
            assert!(
                c.name()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-')
            );
        }
    }
}
