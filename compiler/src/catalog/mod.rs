//! Domain tables: regions, private-link targets, roles, presets, DNS zones,
//! and the policy control catalogue.
//! Each file names its sources; nothing here is computed.

pub mod controls;
pub mod dns;
pub mod presets;
pub mod private_link;
pub mod regions;
pub mod roles;
