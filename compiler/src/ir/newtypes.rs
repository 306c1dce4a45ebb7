//! Values with checked constructors: once built, they are valid.
//!
//! Each `parse` returns the value or a message saying what is wrong with
//! the text (the caller turns it into a diagnostic with the right code).

use std::fmt;
use std::hash::{Hash, Hasher};

/// A GUID, stored lowercase.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Guid(String);

impl Guid {
    pub fn parse(text: &str) -> Result<Guid, String> {
        let groups: Vec<&str> = text.split('-').collect();
        let lens = [8, 4, 4, 4, 12];
        let ok = groups.len() == 5
            && groups
                .iter()
                .zip(lens)
                .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()));
        if ok {
            Ok(Guid(text.to_ascii_lowercase()))
        } else {
            Err(format!(
                "`{text}` is not a GUID: expected 8-4-4-4-12 hexadecimal digits, e.g. `00000000-0000-0000-0000-000000000000`"
            ))
        }
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An ARM resource id of a resource in a resource group, e.g.
/// `/subscriptions/<guid>/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st`.
/// Compares and hashes case-insensitively, as Azure does.
#[derive(Clone, Debug)]
pub struct ResourceId {
    text: String,
    subscription: Guid,
    resource_group: String,
    namespace: String,
    /// Type segments and names, alternating: `[storageAccounts, st, blobServices, default]`.
    segments: Vec<String>,
}

impl ResourceId {
    pub fn parse(text: &str) -> Result<ResourceId, String> {
        let shape = "expected `/subscriptions/<guid>/resourceGroups/<group>/providers/<Namespace>/<type>/<name>`";
        let Some(rest) = text.strip_prefix('/') else {
            return Err(format!(
                "a resource id starts with `/subscriptions/`; {shape}"
            ));
        };
        let parts: Vec<&str> = rest.split('/').collect();
        if parts.iter().any(|p| p.is_empty()) {
            return Err(format!(
                "the resource id has an empty segment (`//` or a trailing `/`); {shape}"
            ));
        }
        if parts.len() < 7
            || !parts[0].eq_ignore_ascii_case("subscriptions")
            || !parts[2].eq_ignore_ascii_case("resourceGroups")
            || !parts[4].eq_ignore_ascii_case("providers")
        {
            return Err(format!(
                "`{text}` is not a resource id in a resource group; {shape}"
            ));
        }
        let subscription = Guid::parse(parts[1]).map_err(|_| {
            format!(
                "the subscription `{}` in the resource id is not a GUID",
                parts[1]
            )
        })?;
        let namespace = parts[5];
        if !namespace.contains('.') {
            return Err(format!(
                "`{namespace}` is not a resource provider namespace (like `Microsoft.Storage`); {shape}"
            ));
        }
        let segments: Vec<String> = parts[6..].iter().map(|s| (*s).to_string()).collect();
        if !segments.len().is_multiple_of(2) {
            return Err(format!(
                "the resource id ends with the type `{}` but no name; {shape}",
                segments.last().map_or("", String::as_str)
            ));
        }
        let ok_char = |c: char| !c.is_control() && !matches!(c, '?' | '#' | '"' | '\\' | '<' | '>');
        if let Some(bad) = text.chars().find(|c| !ok_char(*c)) {
            return Err(format!(
                "the resource id contains `{}`, which Azure does not allow",
                bad.escape_debug()
            ));
        }
        Ok(ResourceId {
            text: text.to_string(),
            subscription,
            resource_group: parts[3].to_string(),
            namespace: namespace.to_string(),
            segments,
        })
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    #[must_use]
    pub fn subscription(&self) -> &Guid {
        &self.subscription
    }

    #[must_use]
    pub fn resource_group(&self) -> &str {
        &self.resource_group
    }

    /// The full type, e.g. `Microsoft.Network/virtualNetworks/subnets`.
    #[must_use]
    pub fn arm_type(&self) -> String {
        let mut t = self.namespace.clone();
        for ty in self.segments.iter().step_by(2) {
            t.push('/');
            t.push_str(ty);
        }
        t
    }

    /// The last name, e.g. the subnet name of a subnet id.
    #[must_use]
    pub fn name(&self) -> &str {
        self.segments.last().map_or("", String::as_str)
    }

    /// The id of the parent resource, for a child resource.
    #[must_use]
    pub fn parent(&self) -> Option<ResourceId> {
        if self.segments.len() <= 2 {
            return None;
        }
        let cut = self.text.rfind('/')?;
        let cut = self.text[..cut].rfind('/')?;
        ResourceId::parse(&self.text[..cut]).ok()
    }

    /// Whether the resource has the given type (case-insensitive).
    #[must_use]
    pub fn is_type(&self, arm_type: &str) -> bool {
        self.arm_type().eq_ignore_ascii_case(arm_type)
    }
}

impl PartialEq for ResourceId {
    fn eq(&self, other: &Self) -> bool {
        self.text.eq_ignore_ascii_case(&other.text)
    }
}

impl Eq for ResourceId {}

impl Hash for ResourceId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.text.to_ascii_lowercase().hash(state);
    }
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// An IPv4 address or CIDR block (`203.0.113.7`, `203.0.113.0/24`), with no
/// host bits set below the prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ipv4Net {
    pub addr: [u8; 4],
    pub prefix: u8,
}

impl Ipv4Net {
    pub fn parse(text: &str) -> Result<Ipv4Net, String> {
        if text.contains(':') {
            return Err(format!(
                "`{text}` is an IPv6 address; only IPv4 addresses and ranges are supported"
            ));
        }
        let (addr_text, prefix) = match text.split_once('/') {
            Some((a, p)) => {
                let prefix: u8 = p
                    .parse()
                    .ok()
                    .filter(|n| *n <= 32)
                    .ok_or_else(|| format!("`/{p}` is not a prefix length from 0 to 32"))?;
                (a, prefix)
            }
            None => (text, 32),
        };
        let octets: Vec<&str> = addr_text.split('.').collect();
        let parsed: Option<Vec<u8>> = (octets.len() == 4)
            .then(|| {
                octets
                    .iter()
                    .map(|o| {
                        (!o.is_empty() && o.len() <= 3 && o.bytes().all(|b| b.is_ascii_digit()))
                            .then(|| o.parse::<u8>().ok())
                            .flatten()
                    })
                    .collect()
            })
            .flatten();
        let Some(parsed) = parsed else {
            return Err(format!(
                "`{addr_text}` is not an IPv4 address (four numbers 0-255, e.g. `203.0.113.7`)"
            ));
        };
        let addr = [parsed[0], parsed[1], parsed[2], parsed[3]];
        let net = Ipv4Net { addr, prefix };
        let canonical = net.network();
        if canonical.addr != addr {
            return Err(format!(
                "`{text}` has host bits set below the /{prefix} prefix; did you mean `{canonical}`?"
            ));
        }
        Ok(net)
    }

    /// The number of addresses in the range.
    #[must_use]
    pub fn size(self) -> u64 {
        1u64 << (32 - u32::from(self.prefix))
    }

    /// The first and last address, as numbers.
    #[must_use]
    pub fn bounds(self) -> (u32, u32) {
        let first = u32::from_be_bytes(self.network().addr);
        let last = u64::from(first) + self.size() - 1;
        (first, u32::try_from(last).unwrap_or(u32::MAX))
    }

    /// Whether every address of `other` is in this range.
    #[must_use]
    pub fn contains(self, other: Ipv4Net) -> bool {
        let (a, b) = self.bounds();
        let (c, d) = other.bounds();
        a <= c && d <= b
    }

    /// Whether the two ranges share an address.
    #[must_use]
    pub fn overlaps(self, other: Ipv4Net) -> bool {
        let (a, b) = self.bounds();
        let (c, d) = other.bounds();
        a <= d && c <= b
    }

    /// The address with host bits cleared.
    #[must_use]
    pub fn network(self) -> Ipv4Net {
        let bits = u32::from_be_bytes(self.addr);
        let mask = if self.prefix == 0 {
            0
        } else {
            u32::MAX << (32 - u32::from(self.prefix))
        };
        Ipv4Net {
            addr: (bits & mask).to_be_bytes(),
            prefix: self.prefix,
        }
    }
}

impl fmt::Display for Ipv4Net {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d] = self.addr;
        if self.prefix == 32 {
            write!(f, "{a}.{b}.{c}.{d}")
        } else {
            write!(f, "{a}.{b}.{c}.{d}/{}", self.prefix)
        }
    }
}

/// Port ranges as the managed network takes them: `80`, `8080-8089`,
/// comma-separated, each 1 to 65535 with low <= high.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PortRanges(Vec<(u16, u16)>);

impl PortRanges {
    pub fn parse(text: &str) -> Result<PortRanges, String> {
        let mut out = Vec::new();
        if text.trim().is_empty() {
            return Err("the port list is empty; write ports like `443` or `80,8080-8089`".into());
        }
        for part in text.split(',') {
            let part = part.trim();
            let port = |s: &str| -> Result<u16, String> {
                let s = s.trim();
                match s.parse::<u32>() {
                    Ok(n) if (1..=65535).contains(&n) => Ok(n as u16),
                    Ok(n) => Err(format!("port {n} is outside 1-65535")),
                    Err(_) => Err(format!(
                        "`{s}` is not a port number; write ports like `443` or `80,8080-8089`"
                    )),
                }
            };
            let range = match part.split_once('-') {
                Some((lo, hi)) => {
                    let (lo, hi) = (port(lo)?, port(hi)?);
                    if lo > hi {
                        return Err(format!(
                            "the range `{part}` is backwards; did you mean `{hi}-{lo}`?"
                        ));
                    }
                    (lo, hi)
                }
                None => {
                    let p = port(part)?;
                    (p, p)
                }
            };
            out.push(range);
        }
        Ok(PortRanges(out))
    }

    #[must_use]
    pub fn ranges(&self) -> &[(u16, u16)] {
        &self.0
    }

    /// Every port in the ranges is in `allowed`.
    #[must_use]
    pub fn within(&self, allowed: &[u16]) -> bool {
        self.0
            .iter()
            .all(|&(lo, hi)| (lo..=hi).all(|p| allowed.contains(&p)))
    }
}

impl fmt::Display for PortRanges {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|&(lo, hi)| {
                if lo == hi {
                    lo.to_string()
                } else {
                    format!("{lo}-{hi}")
                }
            })
            .collect();
        f.write_str(&parts.join(","))
    }
}

/// A host name or a `*.` wildcard pattern (or `*` alone), in lowercase
/// ASCII, internationalised labels in their `xn--` form: `pypi.org`,
/// `*.anaconda.com`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FqdnPattern(String);

impl FqdnPattern {
    /// Parses a pattern; a trailing dot is an error (see [`Self::normalise`]).
    pub fn parse(text: &str) -> Result<FqdnPattern, String> {
        let (p, trailing_dot) = Self::normalise(text)?;
        if trailing_dot {
            return Err(format!("`{text}` ends with a dot; write `{p}`"));
        }
        Ok(p)
    }

    /// Parses a pattern into its canonical form, and says whether it was
    /// written with a trailing dot (the DNS root), which is dropped.
    /// Canonical means what a resolver or Azure Firewall compares: ASCII
    /// letters in lowercase, and labels through IDNA (UTS #46) mapping, so a
    /// Unicode label becomes its `xn--` form (full-width `ｂｌｏｂ` is
    /// `blob`) and an `xn--` label must decode to a valid one; a label that
    /// decodes to plain ASCII (`xn--blob-`) is refused, so no look-alike
    /// spelling of a host compares as another host.
    pub fn normalise(text: &str) -> Result<(FqdnPattern, bool), String> {
        if text.contains("://") {
            return Err(format!(
                "`{text}` is a URL; write only the host name, e.g. `pypi.org`"
            ));
        }
        if text.contains(':') {
            return Err(format!(
                "`{text}` has a port; FQDN rules take the host name alone"
            ));
        }
        let (wild, host) = match text.strip_prefix("*.") {
            _ if text == "*" || text == "*." => {
                return Ok((FqdnPattern("*".to_string()), text.len() == 2));
            }
            Some(h) => (true, h),
            None => (false, text),
        };
        let mut ascii = if host.is_ascii() && !host.to_ascii_lowercase().contains("xn--") {
            host.to_ascii_lowercase()
        } else {
            idna_ascii(text, host)?
        };
        let trailing_dot = ascii.len() > 1 && ascii.ends_with('.');
        if trailing_dot {
            ascii.pop();
        }
        if ascii.len() > 253 {
            return Err(format!("`{text}` is longer than 253 characters"));
        }
        let labels: Vec<&str> = ascii.split('.').collect();
        if labels.len() < 2 && !wild {
            return Err(format!(
                "`{text}` is not a fully qualified ___domain name (it needs a dot, e.g. `repo.contoso.com`)"
            ));
        }
        for l in &labels {
            let ok = !l.is_empty()
                && l.len() <= 63
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-');
            if !ok {
                return Err(if l.contains('*') {
                    format!(
                        "`{text}`: a wildcard is only allowed as a whole first label, `*.example.com`"
                    )
                } else {
                    format!(
                        "`{text}`: `{l}` is not a valid DNS label (letters, digits and `-`, 1 to 63 characters)"
                    )
                });
            }
        }
        let canonical = if wild { format!("*.{ascii}") } else { ascii };
        Ok((FqdnPattern(canonical), trailing_dot))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the pattern covers more than one registrable ___domain: `*`,
    /// or a wildcard over a top-level ___domain (`*.com`).
    #[must_use]
    pub fn is_tld_wide(&self) -> bool {
        self.0 == "*" || self.0.strip_prefix("*.").is_some_and(|t| !t.contains('.'))
    }
}

/// A host's labels through IDNA (UTS #46, nontransitional) to ASCII; every
/// `xn--` label must decode to a label that is not plain ASCII.
fn idna_ascii(text: &str, host: &str) -> Result<String, String> {
    let ascii = idna::domain_to_ascii(host)
        .map_err(|_| format!("`{text}` is not a valid internationalised ___domain name (IDNA)"))?;
    for label in ascii.split('.') {
        if let Some(code) = label.strip_prefix("xn--") {
            let decoded = idna::punycode::decode_to_string(code).unwrap_or_default();
            if decoded.is_empty() || decoded.is_ascii() {
                return Err(format!(
                    "`{text}`: `{label}` is not a valid internationalised label{}",
                    if decoded.is_empty() {
                        String::new()
                    } else {
                        format!(" (it decodes to plain `{decoded}`; write that)")
                    }
                ));
            }
        }
    }
    Ok(ascii)
}

impl fmt::Display for FqdnPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A name for a workspace or an outbound rule: `^[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}$`
/// (the pattern of Microsoft's ARM schema for both).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ArmName(String);

impl ArmName {
    pub fn parse(text: &str, what: &str) -> Result<ArmName, String> {
        let mut chars = text.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
        let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        let len = text.chars().count();
        if first_ok && rest_ok && (3..=33).contains(&len) {
            Ok(ArmName(text.to_string()))
        } else {
            Err(format!(
                "`{}` is not a valid {what} name: 3 to 33 characters, letters, digits, `_` and `-`, starting with a letter or digit",
                text.escape_debug()
            ))
        }
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ArmName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A resource group name: 1 to 90 characters, letters, digits, `_`, `-`,
/// `.`, `(`, `)`, not ending in `.`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceGroupName(String);

impl ResourceGroupName {
    pub fn parse(text: &str) -> Result<ResourceGroupName, String> {
        let len = text.chars().count();
        let ok = (1..=90).contains(&len)
            && text
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '(' | ')'))
            && !text.ends_with('.');
        if ok {
            Ok(ResourceGroupName(text.to_string()))
        } else {
            Err(format!(
                "`{}` is not a valid resource group name: 1 to 90 letters, digits, `_`, `-`, `.`, `(`, `)`, not ending in `.`",
                text.escape_debug()
            ))
        }
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A service tag, e.g. `DataFactory`, `Storage.westeurope`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServiceTag(String);

impl ServiceTag {
    pub fn parse(text: &str) -> Result<ServiceTag, String> {
        let ok = !text.is_empty()
            && text.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '.');
        if ok {
            Ok(ServiceTag(text.to_string()))
        } else {
            Err(format!(
                "`{}` is not a service tag: letters and digits with an optional `.region`, e.g. `DataFactory` or `Storage.westeurope`",
                text.escape_debug()
            ))
        }
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SA: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/stdata";

    #[test]
    fn resource_ids_parse_and_compare_case_insensitively() {
        let a = ResourceId::parse(SA).unwrap();
        let b = ResourceId::parse(&SA.to_uppercase().replace("SUBSCRIPTIONS", "subscriptions"))
            .unwrap();
        assert_eq!(a, b);
        assert_eq!(a.arm_type(), "Microsoft.Storage/storageAccounts");
        assert_eq!(a.name(), "stdata");
        assert_eq!(a.resource_group(), "rg-data");
        let subnet = ResourceId::parse(
            "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s",
        )
        .unwrap();
        assert_eq!(
            subnet.arm_type(),
            "Microsoft.Network/virtualNetworks/subnets"
        );
        assert_eq!(subnet.parent().unwrap().name(), "v");
        for bad in [
            "",
            "subscriptions/x",
            "/subscriptions/nope/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/s",
            "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts",
            "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/s/",
        ] {
            assert!(ResourceId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ip_ranges() {
        assert_eq!(
            Ipv4Net::parse("203.0.113.0/24").unwrap().to_string(),
            "203.0.113.0/24"
        );
        assert_eq!(Ipv4Net::parse("203.0.113.7").unwrap().prefix, 32);
        assert!(
            Ipv4Net::parse("203.0.113.7/24")
                .unwrap_err()
                .contains("203.0.113.0/24")
        );
        assert!(
            Ipv4Net::parse("2001:db8::/32")
                .unwrap_err()
                .contains("IPv6")
        );
        assert!(Ipv4Net::parse("256.0.0.1").is_err());
        assert!(Ipv4Net::parse("1.2.3").is_err());
        assert!(Ipv4Net::parse("1.2.3.4/33").is_err());
    }

    #[test]
    fn port_ranges() {
        assert_eq!(
            PortRanges::parse("80, 8080-8089").unwrap().to_string(),
            "80,8080-8089"
        );
        assert!(PortRanges::parse("0").is_err());
        assert!(PortRanges::parse("65536").is_err());
        assert!(PortRanges::parse("90-80").unwrap_err().contains("80-90"));
        assert!(PortRanges::parse("http").is_err());
        assert!(PortRanges::parse("").is_err());
        assert!(PortRanges::parse("80,443").unwrap().within(&[80, 443]));
        assert!(!PortRanges::parse("80-81").unwrap().within(&[80, 443]));
    }

    #[test]
    fn fqdns_and_names() {
        assert_eq!(
            FqdnPattern::parse("*.PyPI.org").unwrap().as_str(),
            "*.pypi.org"
        );
        for bad in [
            "https://pypi.org",
            "pypi",
            "a..b",
            "*pypi.org",
            "a.*.org",
            "pypi.org:443",
            "-a.org",
        ] {
            assert!(FqdnPattern::parse(bad).is_err(), "{bad}");
        }
        // Normalisation: case, a trailing dot, IDNA both ways.
        let n = |t: &str| FqdnPattern::normalise(t).map(|(p, d)| (p.0, d));
        assert_eq!(n("PyPI.org."), Ok(("pypi.org".to_string(), true)));
        assert!(
            FqdnPattern::parse("pypi.org.")
                .unwrap_err()
                .contains("write `pypi.org`")
        );
        assert_eq!(
            n("*.ｂｌｏｂ.core.windows.net").unwrap().0,
            "*.blob.core.windows.net"
        );
        assert_eq!(n("*.Bücher.de").unwrap().0, "*.xn--bcher-kva.de");
        assert_eq!(n("*.xn--bcher-kva.de").unwrap().0, "*.xn--bcher-kva.de");
        let e = n("st.xn--blob-.core.windows.net").unwrap_err();
        assert!(e.contains("not a valid"), "{e}");
        assert!(n("*.xn--zz.net").is_err());
        assert_eq!(n("*").unwrap().0, "*");
        assert!(FqdnPattern::parse("*.net").unwrap().is_tld_wide());
        assert!(!FqdnPattern::parse("*.contoso.net").unwrap().is_tld_wide());
        assert_eq!(n("*."), Ok(("*".to_string(), true)));
        assert!(FqdnPattern::parse(".").is_err());
        assert_eq!(n("pypi。org。"), Ok(("pypi.org".to_string(), true)));
        assert!(ArmName::parse("ab", "rule").is_err());
        assert!(ArmName::parse("a-rule_1", "rule").is_ok());
        assert!(ArmName::parse(&"a".repeat(34), "rule").is_err());
        assert!(Guid::parse("6f1c0000-0000-0000-0000-00000000000G").is_err());
        assert!(ResourceGroupName::parse("rg.").is_err());
        assert!(ServiceTag::parse("Storage.westeurope").is_ok());
        assert!(ServiceTag::parse("Data Factory").is_err());
    }
}
