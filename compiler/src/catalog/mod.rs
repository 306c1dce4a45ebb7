//! Domain tables: regions, private-link targets, roles, presets, DNS zones,
//! list prices (`prices`, for the cost estimate),
//! and the policy control catalogue.
//! Each file names its sources; the only code reads the tables
//! (`custom_vnet` resolves its rules for one spoke).

pub mod approval;
pub mod controls;
pub mod custom_vnet;
pub mod dns;
pub mod limits;
pub mod presets;
pub mod prices;
pub mod private_link;
pub mod regions;
pub mod roles;
pub mod storage_hosts;
