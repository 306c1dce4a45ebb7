//! The host names of Azure Storage accounts, per cloud, and which FQDN
//! patterns can reach them.
//!
//! "Workspace Managed Virtual Network Isolation" (limitations): with
//! `allow_only_approved_outbound`, "you can't use an FQDN rule to access
//! Azure Storage Accounts", a private endpoint rule is needed. A rule can
//! reach a storage account through a wildcard too, so a pattern is judged
//! by whether it *can* match the host of some storage account of some
//! cloud, under Azure Firewall's wildcard semantics (the managed network's
//! FQDN rules are Azure Firewall application rules): "Azure Firewall FAQ",
//! "How do wildcards work in target URLs and target FQDNs in application
//! rules?": an asterisk only works as the left-most part, and then matches
//! anything to its left, any number of labels (`*.contoso.com` matches
//! `www.contoso.com` and `a.b.contoso.com`, not `contoso.com`); `*` alone
//! matches every host.
//!
//! Sources of the host forms:
//! - "Storage account overview", standard endpoints:
//!   `<account>.{blob,web,dfs,file,queue,table}.core.windows.net`, and
//!   Azure DNS zone endpoints (preview, retiring): `<account>.z[00-99].
//!   <service>.storage.azure.net`.
//! - "Static website hosting in Azure Storage": the primary endpoint
//!   `<account>.z<N>.web.core.windows.net` (the docs show one or two
//!   digits; both are taken).
//! - "Azure Storage redundancy": the secondary endpoint of read-access
//!   geo-redundant accounts, `<account>-secondary.<service>.core...`.
//! - "Azure Government storage" (`core.usgovcloudapi.net`) and "Azure
//!   China developer guide" (`core.chinacloudapi.cn`): the same services
//!   under each cloud's suffix.
//! - "Azure Private Endpoint private DNS zone values": the storage zones
//!   `privatelink.<service>.core.<cloud suffix>` and
//!   `privatelink.<service>.storage.azure.net`, in which an account's
//!   private name is `<account>.privatelink.<service>...`.
//!
//! Where the docs are silent (static website zones and Azure DNS zone
//! endpoints in the sovereign clouds) the table errs on the side that
//! cannot harm: web zones are listed for every cloud (a pattern refused
//! for a host that does not exist costs a private endpoint rule, one
//! accepted for a host that does exist leaks data); DNS zone endpoints
//! only for the public cloud, whose suffix is the only one documented.

/// One label of a storage host form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Label {
    /// The storage account: 3 to 24 lowercase letters and digits
    /// ("Storage account overview", naming), optionally `-secondary`.
    Account,
    /// A DNS zone or web zone label: `z` and one or two digits.
    Zone,
    /// A fixed label.
    Fixed(&'static str),
}

/// One form of storage host: its cloud, its service and its labels, left
/// to right.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostForm {
    pub cloud: &'static str,
    pub labels: Vec<Label>,
}

impl HostForm {
    /// The storage service (`blob`, `dfs`, ...), which is also the private
    /// endpoint sub-resource.
    #[must_use]
    pub fn service(&self) -> &'static str {
        self.labels
            .iter()
            .find_map(|l| match l {
                Label::Fixed(f) if SERVICES.contains(f) => Some(*f),
                _ => None,
            })
            .unwrap_or("blob")
    }

    /// The form as text: `<account>.blob.core.windows.net`.
    #[must_use]
    pub fn display(&self) -> String {
        let parts: Vec<&str> = self
            .labels
            .iter()
            .map(|l| match l {
                Label::Account => "<account>",
                Label::Zone => "z<NN>",
                Label::Fixed(f) => f,
            })
            .collect();
        parts.join(".")
    }
}

/// Each cloud and its storage ___domain suffix (below the service label).
const CLOUDS: &[(&str, &[&str])] = &[
    ("public", &["core", "windows", "net"]),
    ("US Government", &["core", "usgovcloudapi", "net"]),
    ("China", &["core", "chinacloudapi", "cn"]),
];

/// The storage services, each with its own endpoint label.
const SERVICES: &[&str] = &["blob", "dfs", "file", "queue", "table", "web"];

/// Every storage host form of every cloud, in a stable order (made once:
/// the checker asks for every FQDN rule of every workspace).
#[must_use]
pub fn forms() -> &'static [HostForm] {
    static FORMS: std::sync::OnceLock<Vec<HostForm>> = std::sync::OnceLock::new();
    FORMS.get_or_init(make_forms)
}

fn make_forms() -> Vec<HostForm> {
    let mut out = Vec::new();
    let with = |head: &[Label], service: &'static str, tail: &[&'static str]| {
        let mut labels = head.to_vec();
        labels.push(Label::Fixed(service));
        labels.extend(tail.iter().map(|t| Label::Fixed(t)));
        labels
    };
    let private = &[Label::Account, Label::Fixed("privatelink")][..];
    let zone = &[Label::Account, Label::Zone][..];
    // The public cloud's Azure DNS zone endpoints.
    let dns_zone = ("public", &["storage", "azure", "net"][..]);
    // Standard endpoints, web zones, DNS zone endpoints, then the private
    // link names of each.
    for (cloud, suffix) in CLOUDS {
        for service in SERVICES {
            let labels = with(&[Label::Account], service, suffix);
            out.push(HostForm { cloud, labels });
        }
        let labels = with(zone, "web", suffix);
        out.push(HostForm { cloud, labels });
    }
    for (head, clouds) in [
        (zone, &[dns_zone][..]),
        (private, CLOUDS),
        (private, &[dns_zone]),
    ] {
        for (cloud, suffix) in clouds {
            for service in SERVICES {
                let labels = with(head, service, suffix);
                out.push(HostForm { cloud, labels });
            }
        }
    }
    out
}

/// Whether `label` (lowercase) can stand in the place of `form`.
fn fits(form: Label, label: &str) -> bool {
    match form {
        Label::Fixed(f) => f == label,
        Label::Account => {
            let name = label.strip_suffix("-secondary").unwrap_or(label);
            (3..=24).contains(&name.len())
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        }
        Label::Zone => label
            .strip_prefix('z')
            .is_some_and(|d| (1..=2).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit())),
    }
}

/// The storage host forms a lowercase ASCII FQDN pattern can match: `*`
/// matches all; `*.<labels>` a host ending in `.<labels>` with at least
/// one label more; a host without a wildcard, itself.
#[must_use]
pub fn reached_by(pattern: &str) -> Vec<HostForm> {
    let (wildcard, rest) = match pattern {
        "*" => return forms().to_vec(),
        p => match p.strip_prefix("*.") {
            Some(rest) => (true, rest),
            None => (false, p),
        },
    };
    let labels: Vec<&str> = rest.split('.').collect();
    forms()
        .iter()
        .filter(|f| {
            let n = f.labels.len();
            let fits_len = if wildcard {
                n > labels.len()
            } else {
                n == labels.len()
            };
            fits_len
                && f.labels[n - labels.len()..]
                    .iter()
                    .zip(&labels)
                    .all(|(form, label)| fits(*form, label))
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_and_hosts() {
        assert_eq!(reached_by("*").len(), forms().len());
        assert!(!reached_by("*.net").is_empty());
        assert!(!reached_by("*.windows.net").is_empty());
        assert!(!reached_by("*.core.chinacloudapi.cn").is_empty());
        assert!(!reached_by("st1.z12.web.core.windows.net").is_empty());
        assert!(!reached_by("st1-secondary.blob.core.usgovcloudapi.net").is_empty());
        assert!(!reached_by("*.z07.dfs.storage.azure.net").is_empty());
        assert!(reached_by("blob.core.windows.net").is_empty());
        assert!(reached_by("*.database.windows.net").is_empty());
        assert!(reached_by("*.com").is_empty());
        assert!(reached_by("ab.blob.core.windows.net").is_empty());
        assert!(reached_by("st.blob.core.windows.net.evil.com").is_empty());
    }
}
