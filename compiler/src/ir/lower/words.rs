//! The words each block of the language takes: its settings and its
//! nested blocks or statements. The lowering checks entries against these
//! lists, and the language server offers them, so the two cannot differ.

/// A block's settings (`key = value`) and nested blocks or statements.
#[derive(Clone, Copy, Debug)]
pub struct Words {
    pub settings: &'static [&'static str],
    pub blocks: &'static [&'static str],
}

/// The top level of a file.
pub const TOP: Words = Words {
    settings: &[],
    blocks: &["let", "defaults", "workspace", "policy", "accept"],
};

/// `defaults`.
pub const DEFAULTS: Words = Words {
    settings: &[
        "cloud",
        "region",
        "profile",
        "resource_group",
        "subscription_id",
        "tags",
    ],
    blocks: &["accept"],
};

/// `accept` (at the top of a file, in `defaults` or in a workspace).
pub const ACCEPT: Words = Words {
    settings: &["by", "category", "expires", "reason"],
    blocks: &[],
};

/// `workspace`.
pub const WORKSPACE: Words = Words {
    settings: &[
        "cloud",
        "identity",
        "region",
        "profile",
        "resource_group",
        "resource_group_lock",
        "sensitive",
        "subscription_id",
        "tags",
    ],
    blocks: &[
        "accept",
        "access",
        "app_insights",
        "compute",
        "container_registry",
        "inbound",
        "key_vault",
        "online_endpoint",
        "outbound",
        "storage",
    ],
};

/// `inbound`.
pub const INBOUND: Words = Words {
    settings: &["allowed_ips", "public_network_access"],
    blocks: &["private_endpoint"],
};

/// `private_endpoint`.
pub const PRIVATE_ENDPOINT: Words = Words {
    settings: &[
        "custom_dns",
        "dns",
        "link_zones",
        "region",
        "resource_group",
        "resources",
        "subnet",
    ],
    blocks: &[],
};

/// `outbound`.
pub const OUTBOUND: Words = Words {
    settings: &["firewall_sku", "mode", "provision_now"],
    blocks: &["allow", "rule", "vnet"],
};

/// `vnet`.
pub const VNET: Words = Words {
    settings: &[
        "address_space",
        "dns_servers",
        "existing",
        "firewall_ip",
        "hub_vnet",
        "name",
        "pe",
        "region",
        "scoring",
        "service_endpoint_policy",
        "subnet_names",
        "training",
    ],
    blocks: &["keep", "nsg_extra"],
};

/// `keep`.
pub const KEEP: Words = Words {
    settings: &[
        "default_outbound_access",
        "delegations",
        "nat_gateway",
        "private_endpoint_network_policies",
        "service_endpoints",
    ],
    blocks: &[],
};

/// `nsg_extra`.
pub const NSG_EXTRA: Words = Words {
    settings: &[
        "access",
        "destination",
        "direction",
        "ports",
        "priority",
        "protocol",
        "source",
        "subnet",
    ],
    blocks: &[],
};

/// `storage`.
pub const STORAGE: Words = Words {
    settings: &[
        "data_profiling",
        "existing",
        "public_network_access",
        "resource_instance_rule",
        "service_endpoint",
        "trusted_services",
    ],
    blocks: &[],
};

/// `key_vault`.
pub const KEY_VAULT: Words = Words {
    settings: &[
        "existing",
        "public_network_access",
        "purge_protection",
        "trusted_services",
    ],
    blocks: &[],
};

/// `container_registry`.
pub const CONTAINER_REGISTRY: Words = Words {
    settings: &[
        "existing",
        "image_build_compute",
        "public_network_access",
        "sku",
        "trusted_services",
    ],
    blocks: &[],
};

/// `app_insights`.
pub const APP_INSIGHTS: Words = Words {
    settings: &["existing", "log_analytics"],
    blocks: &[],
};

/// `online_endpoint`.
pub const ONLINE_ENDPOINT: Words = Words {
    settings: &["egress_public_network_access", "public_network_access"],
    blocks: &[],
};

/// `access`.
pub const ACCESS: Words = Words {
    settings: &[],
    blocks: &["grant"],
};

/// The unnamed `compute` block (what every compute gets).
pub const COMPUTE_DEFAULTS: Words = Words {
    settings: &["local_auth", "public_ip", "setup_script", "ssh"],
    blocks: &[],
};

/// A named `compute "name"` block.
pub const COMPUTE: Words = Words {
    settings: &[
        "assigned_user",
        "identity",
        "kind",
        "max_nodes",
        "public_ip",
        "reads",
        "region",
        "subnet",
        "vm_size",
    ],
    blocks: &[],
};

/// Every block by its name (`""`: the top level of a file).
pub const BY_NAME: &[(&str, Words)] = &[
    ("", TOP),
    ("accept", ACCEPT),
    ("defaults", DEFAULTS),
    ("workspace", WORKSPACE),
    ("inbound", INBOUND),
    ("private_endpoint", PRIVATE_ENDPOINT),
    ("outbound", OUTBOUND),
    ("vnet", VNET),
    ("keep", KEEP),
    ("nsg_extra", NSG_EXTRA),
    ("storage", STORAGE),
    ("key_vault", KEY_VAULT),
    ("container_registry", CONTAINER_REGISTRY),
    ("app_insights", APP_INSIGHTS),
    ("online_endpoint", ONLINE_ENDPOINT),
    ("access", ACCESS),
];
