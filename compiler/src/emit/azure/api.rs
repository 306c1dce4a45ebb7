//! API versions: the newest stable that has every property used, from
//! the vendored Microsoft schemas (`tests/data/arm-schemas/SOURCES.md`).

pub const ML: &str = "2026-05-01";
/// The selected-IP allowlist (`networkAcls`) is only in preview APIs;
/// this is the newest that has it (see the report).
pub const ML_PREVIEW: &str = "2026-03-15-preview";
pub const NETWORK: &str = "2025-07-01";
pub const PRIVATE_DNS: &str = "2024-06-01";
pub const STORAGE: &str = "2026-04-01";
pub const KEY_VAULT: &str = "2026-02-01";
pub const CONTAINER_REGISTRY: &str = "2025-11-01";
pub const APP_INSIGHTS: &str = "2020-02-02";
pub const LOG_ANALYTICS: &str = "2025-07-01";
/// User-assigned identities, read for their principal id.
pub const MANAGED_IDENTITY: &str = "2024-11-30";
pub const DEPLOYMENTS: &str = "2025-04-01";
/// Role definitions and role assignments (Microsoft.Authorization).
pub const ROLES: &str = "2022-04-01";
/// Policy definitions, initiatives and assignments, from the vendored
/// Microsoft.Authorization schemas.
pub const POLICY: &str = "2026-06-01";
/// Policy exemptions: no stable API version has them in Microsoft's ARM
/// schemas (azure-resource-manager-schemas lists only 2020-07-01-preview,
/// 2022-07-01-preview, 2024-12-01-preview, 2025-12-01-preview and
/// 2026-01-01-preview; the stable 2026-06-01 Microsoft.Authorization file
/// has no `policyExemptions`). The newest, vendored in
/// `tests/data/arm-schemas/2026-01-01-preview/`.
pub const POLICY_EXEMPTION: &str = "2026-01-01-preview";
