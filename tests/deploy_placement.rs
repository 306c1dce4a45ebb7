//! Where network resources are deployed and what they keep, so that a
//! deployment works the first time:
//! - client private endpoints in their VNet's subscription and region
//!   ("What is a private endpoint?": "The private endpoint must be deployed
//!   in the same region and subscription as the virtual network"), with
//!   the zones they create, their zone groups and the R22 Reader grants
//!   following them;
//! - an existing spoke's subnets written back with what they keep (a
//!   subnet write replaces every property it does not carry);
//! - a created spoke resolving the hub's DNS zones: links on the zones, in
//!   their own group, or the hub's resolver as the spoke's DNS servers.

#[path = "common/posture.rs"]
mod one_posture;

use one_posture::build;
use serde_json::Value;

const SUB: &str = "00000000-0000-0000-0000-000000000001";
const CLIENT_SUB: &str = "00000000-0000-0000-0000-0000000000bb";
const HUB_SUB: &str = "00000000-0000-0000-0000-0000000000aa";

/// `(subscription/group of the nested deployment or "", resource)` for
/// every resource of the workspace's ARM template.
fn resources(files: &amlgen::emit::Artifacts) -> Vec<(String, Value)> {
    let t: Value = serde_json::from_str(&files["workspaces/mlw-demo/azuredeploy.json"]).unwrap();
    one_posture::located_resources(&t)
        .into_iter()
        .map(|(at, r)| (at.map_or_else(String::new, |(s, g)| format!("{s}/{g}")), r))
        .collect()
}
/// The entry template's nested deployment of this name.
fn nested_deployment(files: &amlgen::emit::Artifacts, name: &str) -> Value {
    let t: Value = serde_json::from_str(&files["workspaces/mlw-demo/azuredeploy.json"]).unwrap();
    t["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap()
        .clone()
}

fn of_type<'a>(rs: &'a [(String, Value)], ty: &str) -> Vec<&'a (String, Value)> {
    rs.iter().filter(|(_, r)| r["type"] == ty).collect()
}

fn client_posture(extra: &str) -> String {
    format!(
        r#"workspace "mlw-demo" {{
  region          = "westeurope"
  resource_group  = "rg-ml"
  subscription_id = "{SUB}"
  inbound {{
    public_network_access = disabled
    private_endpoint {{
      subnet = "/subscriptions/{CLIENT_SUB}/resourceGroups/rg-client-net/providers/Microsoft.Network/virtualNetworks/vnet-client/subnets/snet-pe"
      {extra}
    }}
  }}
  container_registry {{ image_build_compute = "cpu-build" }}
}}
"#
    )
}

#[test]
fn client_endpoints_go_to_the_vnets_subscription_and_group() {
    let files = build(&client_posture(""));
    let rs = resources(&files);
    let pes = of_type(&rs, "Microsoft.Network/privateEndpoints");
    assert_eq!(pes.len(), 5, "workspace, blob, file, vault, registry");
    for (at, pe) in &pes {
        assert_eq!(
            at,
            &format!("{CLIENT_SUB}/rg-client-net"),
            "{} is not in the subnet's subscription and group",
            pe["name"]
        );
        // The workspace's region: the posture does not state another.
        assert_eq!(pe["location"], "[parameters('location')]");
        // Targets created in the workspace's group are passed in by id,
        // not computed in the endpoints' group.
        let target = pe["properties"]["privateLinkServiceConnections"][0]["properties"]
            ["privateLinkServiceId"]
            .as_str()
            .unwrap();
        assert!(target.starts_with("[parameters('"), "{target}");
    }
    // The zones amlgen creates are beside the endpoints, linked to the
    // client VNet, and so are the zone groups.
    for ty in [
        "Microsoft.Network/privateDnsZones",
        "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
        "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
    ] {
        let found = of_type(&rs, ty);
        assert!(!found.is_empty(), "no {ty}");
        assert!(
            found
                .iter()
                .all(|(at, _)| at == &format!("{CLIENT_SUB}/rg-client-net"))
        );
    }
    // The entry file fills the ids in from the workspace's group.
    let pe_module = nested_deployment(&files, "mlw-demo-private-endpoints");
    assert_eq!(
        pe_module["properties"]["parameters"]["workspaceId"]["value"],
        "[resourceId('Microsoft.MachineLearningServices/workspaces', 'mlw-demo')]"
    );
}

#[test]
fn the_posture_names_the_endpoints_group_and_the_vnets_region() {
    let files = build(&client_posture(
        "resource_group = \"rg-client-endpoints\"\n      region = \"northeurope\"",
    ));
    let rs = resources(&files);
    for (at, pe) in of_type(&rs, "Microsoft.Network/privateEndpoints") {
        assert_eq!(at, &format!("{CLIENT_SUB}/rg-client-endpoints"));
        assert_eq!(pe["location"], "northeurope");
    }
    let report = &files["workspaces/mlw-demo/REPORT.md"];
    assert!(
        report.contains("`rg-client-endpoints` of subscription"),
        "{report}"
    );
    assert!(report.contains("region `northeurope` (as the posture states)"));
    // The deployer role may be assigned where the endpoints go.
    let deployer = &files["workspaces/mlw-demo/deployer/azuredeploy.json"];
    assert!(deployer.contains(&format!("/subscriptions/{CLIENT_SUB}")));
    assert!(report.contains(&format!(
        "/subscriptions/{CLIENT_SUB}/resourceGroups/rg-client-endpoints"
    )));
}

#[test]
fn the_r22_reader_grants_are_made_where_the_storage_endpoints_are() {
    let files = build(&client_posture(""));
    let rs = resources(&files);
    let readers: Vec<_> = of_type(&rs, "Microsoft.Authorization/roleAssignments")
        .into_iter()
        .filter(|(_, r)| {
            r["properties"]["description"]
                .as_str()
                .is_some_and(|d| d.contains("amlgen explain AML3022"))
        })
        .collect();
    assert_eq!(readers.len(), 2, "blob and file");
    for (at, r) in readers {
        assert_eq!(at, &format!("{CLIENT_SUB}/rg-client-net"));
        let scope = r["scope"].as_str().unwrap();
        assert!(
            scope.starts_with("Microsoft.Network/privateEndpoints/pe-"),
            "{scope}"
        );
    }
}

fn existing_spoke(keep: &str) -> String {
    format!(
        r#"workspace "mlw-demo" {{
  region          = "westeurope"
  resource_group  = "rg-ml"
  subscription_id = "{SUB}"
  inbound            {{ public_network_access = disabled }}
  container_registry {{ public_network_access = enabled }}
  outbound {{
    mode = custom_vnet
    vnet {{
      existing    = "/subscriptions/{SUB}/resourceGroups/rg-spoke/providers/Microsoft.Network/virtualNetworks/vnet-spoke"
      training    = "10.60.0.0/24"
      pe          = "10.60.2.0/27"
      firewall_ip = "10.0.1.4"
      {keep}
    }}
  }}
}}
"#
    )
}

#[test]
fn an_existing_subnet_is_written_back_with_what_it_keeps() {
    let nat = format!(
        "/subscriptions/{SUB}/resourceGroups/rg-spoke/providers/Microsoft.Network/natGateways/ng-spoke"
    );
    let files = build(&existing_spoke(&format!(
        r#"keep training {{
        delegations             = {{ aci = "Microsoft.ContainerInstance/containerGroups" }}
        nat_gateway             = "{nat}"
        service_endpoints       = ["Microsoft.Sql", "Microsoft.Storage"]
        default_outbound_access = false
      }}
      keep pe {{ private_endpoint_network_policies = network_security_group_enabled }}"#
    )));
    let rs = resources(&files);
    let subnets = of_type(&rs, "Microsoft.Network/virtualNetworks/subnets");
    let props = |name: &str| {
        subnets
            .iter()
            .find(|(_, s)| s["name"] == format!("vnet-spoke/{name}"))
            .map(|(_, s)| s["properties"].clone())
            .unwrap()
    };
    let training = props("snet-training");
    assert_eq!(
        training["delegations"],
        serde_json::json!([{ "name": "aci", "properties": { "serviceName": "Microsoft.ContainerInstance/containerGroups" } }])
    );
    assert_eq!(training["natGateway"]["id"], nat.as_str());
    assert_eq!(training["defaultOutboundAccess"], false);
    // The storage endpoint amlgen sets is not written twice.
    assert_eq!(
        training["serviceEndpoints"],
        serde_json::json!([{ "service": "Microsoft.Sql" }, { "service": "Microsoft.Storage" }])
    );
    let pe = props("snet-pe");
    assert_eq!(
        pe["privateEndpointNetworkPolicies"],
        "NetworkSecurityGroupEnabled"
    );
    assert!(pe.get("delegations").is_none() && pe.get("natGateway").is_none());
}

#[test]
fn an_existing_subnet_without_keep_is_refused() {
    let outcome = amlgen::compile(
        vec![amlgen::Input {
            name: "case.aml".into(),
            text: existing_spoke("keep training {}"),
        }],
        &amlgen::Options::default(),
    );
    assert!(outcome.checked.is_none());
    let codes: Vec<&str> = outcome.diagnostics.iter().map(|d| d.code.id()).collect();
    assert_eq!(codes, ["AML3150"], "only the pe subnet says nothing");
}

fn created_spoke(pe_extra: &str, vnet_extra: &str) -> String {
    let z = format!(
        "/subscriptions/{HUB_SUB}/resourceGroups/rg-hub-dns/providers/Microsoft.Network/privateDnsZones"
    );
    format!(
        r#"workspace "mlw-demo" {{
  region          = "westeurope"
  resource_group  = "rg-ml"
  subscription_id = "{SUB}"
  inbound {{
    public_network_access = disabled
    private_endpoint {{
      resources = [workspace, storage]
      dns = ["{z}/privatelink.api.azureml.ms", "{z}/privatelink.notebooks.azure.net",
             "{z}/privatelink.blob.core.windows.net", "{z}/privatelink.file.core.windows.net"]
      {pe_extra}
    }}
  }}
  container_registry {{ public_network_access = enabled }}
  key_vault          {{ public_network_access = enabled }}
  outbound {{
    mode = custom_vnet
    vnet {{
      address_space = "10.60.0.0/22"
      training      = "10.60.0.0/24"
      pe            = "10.60.2.0/27"
      firewall_ip   = "10.0.1.4"
      {vnet_extra}
    }}
  }}
}}
"#
    )
}

#[test]
fn hub_zones_are_linked_to_a_created_spoke_in_their_own_group() {
    let files = build(&created_spoke("link_zones = true", ""));
    let rs = resources(&files);
    let links = of_type(&rs, "Microsoft.Network/privateDnsZones/virtualNetworkLinks");
    assert_eq!(links.len(), 4, "one per hub zone");
    let mut names = Vec::new();
    for (at, l) in &links {
        assert_eq!(at, &format!("{HUB_SUB}/rg-hub-dns"));
        assert_eq!(l["properties"]["registrationEnabled"], false);
        assert_eq!(
            l["properties"]["virtualNetwork"]["id"],
            "[parameters('spokeVnetId')]"
        );
        names.push(
            l["name"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_string(),
        );
    }
    names.dedup();
    assert_eq!(names.len(), 1, "one stable link name: {names:?}");
    assert!(names[0].starts_with("link-vnet-mlw-demo-"));
    // The spoke's id comes from the workspace's group, and the links wait
    // for the spoke.
    let m = nested_deployment(&files, "mlw-demo-zone-links-1");
    assert_eq!(
        m["properties"]["parameters"]["spokeVnetId"]["value"],
        "[resourceId('Microsoft.Network/virtualNetworks', 'vnet-mlw-demo')]"
    );
    assert!(m["dependsOn"].to_string().contains("mlw-demo-network"));
    // Rebuilding gives the same names.
    assert_eq!(files, build(&created_spoke("link_zones = true", "")));
}

#[test]
fn a_created_spoke_can_ask_the_hubs_resolver() {
    let files = build(&created_spoke("", "dns_servers = [\"10.0.2.4\"]"));
    let rs = resources(&files);
    let vnet = of_type(&rs, "Microsoft.Network/virtualNetworks");
    assert_eq!(
        vnet[0].1["properties"]["dhcpOptions"]["dnsServers"],
        serde_json::json!(["10.0.2.4"])
    );
    assert!(of_type(&rs, "Microsoft.Network/privateDnsZones/virtualNetworkLinks").is_empty());
}

#[test]
fn the_hub_team_gets_the_links_to_make() {
    let files = build(&created_spoke("link_zones = false", ""));
    let rs = resources(&files);
    assert!(of_type(&rs, "Microsoft.Network/privateDnsZones/virtualNetworkLinks").is_empty());
    let allow: Value = serde_json::from_str(&files["hub-firewall/allowlist.json"]).unwrap();
    let links = allow["workspaces"][0]["dns_zone_links"].as_array().unwrap();
    assert_eq!(links.len(), 4);
    assert_eq!(links[0]["virtual_network"], "vnet-mlw-demo");
    assert_eq!(links[0]["virtual_network_resource_group"], "rg-ml");
    assert_eq!(links[0]["virtual_network_subscription"], SUB);
    let report = &files["workspaces/mlw-demo/REPORT.md"];
    assert_eq!(
        report
            .matches("The hub team links their private DNS zone")
            .count(),
        4
    );
}

/// Every example's client private endpoints are deployed in the
/// subscription of the subnet they use, whatever the workspace's.
#[test]
fn example_endpoints_are_in_their_subnets_subscription() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut seen = 0;
    for e in std::fs::read_dir(root.join("out/workspaces")).unwrap() {
        let dir = e.unwrap().path();
        let text = std::fs::read_to_string(dir.join("azuredeploy.json")).unwrap();
        let mut files = amlgen::emit::Artifacts::new();
        files.insert("workspaces/mlw-demo/azuredeploy.json".into(), text);
        for (at, pe) in of_type(&resources(&files), "Microsoft.Network/privateEndpoints") {
            let subnet = pe["properties"]["subnet"]["id"].as_str().unwrap();
            let Some(rest) = subnet.strip_prefix("/subscriptions/") else {
                // A spoke the deployment creates, in the workspace's group.
                assert!(at.is_empty(), "{}: {at}", dir.display());
                continue;
            };
            let sub = rest.split('/').next().unwrap();
            assert!(
                at.starts_with(&format!("{sub}/")),
                "{}: endpoint {} in {at:?}, its subnet in subscription {sub}",
                dir.display(),
                pe["name"]
            );
            seen += 1;
        }
    }
    assert!(seen > 0);
}
