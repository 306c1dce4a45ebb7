//! The printers: the Azure model as files (ARM JSON, Bicep in the layout
//! of the handlebars templates, the EPAC layout, the hub firewall's files, the
//! reports, `DEPLOY.md`). They read the model only; a new target is one more printer
//! here.

pub mod arm;
pub mod bicep;
pub mod deploy;
pub mod epac;
pub mod files;
pub mod firewall;
pub mod policy;
pub mod report;
pub mod terraform;
