//! `assigned_user` of a named compute: the person a compute instance is
//! created for ("Create an Azure Machine Learning compute instance",
//! "Create on behalf of"; ARM `personalComputeInstanceSettings.assignedUser`
//! with `objectId` and `tenantId`).

use super::cx::{Cx, list_words};
use crate::diag::{Code, Diagnostic};
use crate::ir::{AssignedUser, ComputeKind, Guid};
use crate::syntax::ast::{Expr, ExprKind, Ident};

/// The keys of the `assigned_user` map.
const KEYS: &[&str] = &["object_id", "tenant_id"];

impl Cx<'_> {
    /// Lowers `assigned_user = { object_id = "<guid>" [, tenant_id = "<guid>"] }`
    /// of compute `name`. Only a compute instance belongs to one user; on
    /// another kind the setting is refused (`AML2001`). `kind` is `None`
    /// when the compute's kind was missing or wrong (already reported).
    pub(super) fn assigned_user(
        &mut self,
        key: &Ident,
        e: &Expr,
        name: &str,
        kind: Option<ComputeKind>,
    ) -> Option<AssignedUser> {
        if let Some(k) = kind.filter(|k| *k != ComputeKind::Instance) {
            self.push(
                Diagnostic::new(
                    Code::UnknownSetting,
                    key.span,
                    "`assigned_user` is only for compute instances",
                )
                .label(format!("compute `{name}` is a `{}`", k.keyword()))
                .note("a compute instance is personal: it belongs to one user; other computes are shared by the workspace's users")
                .help("remove `assigned_user`, or declare the compute with `kind = instance`"),
            );
            return None;
        }
        let value = self.deref(e).clone();
        let ExprKind::Map(items) = &value.kind else {
            self.type_error(e, "a map `{ object_id = \"<user's Entra object id>\" }`");
            return None;
        };
        let mut object_id = None;
        let mut tenant_id = None;
        let mut seen: Vec<(&str, crate::span::Span)> = Vec::new();
        for (k, v) in items {
            let Some(known) = KEYS.iter().copied().find(|n| *n == k.text) else {
                self.push(
                    Diagnostic::new(
                        Code::UnknownSetting,
                        k.span,
                        format!("unknown setting `{}` in `assigned_user`", k.text),
                    )
                    .label("not known here")
                    .suggest(&k.text, KEYS.iter().copied())
                    .help(format!("`assigned_user` takes {}", list_words(KEYS))),
                );
                continue;
            };
            if let Some((_, first)) = seen.iter().find(|(n, _)| *n == known) {
                self.push(
                    Diagnostic::new(
                        Code::DuplicateSetting,
                        k.span,
                        format!("`{known}` is set twice in `assigned_user`"),
                    )
                    .label("set again here")
                    .with_label(*first, "first set here")
                    .help("remove one of them"),
                );
                continue;
            }
            seen.push((known, k.span));
            let guid = self.user_guid(v, known);
            if known == "object_id" {
                object_id = guid;
            } else {
                tenant_id = guid;
            }
        }
        if !seen.iter().any(|(n, _)| *n == "object_id") {
            self.push(
                Diagnostic::new(
                    Code::MissingSetting,
                    e.span,
                    format!("the user of compute `{name}` has no `object_id`"),
                )
                .label("which user?")
                .help("add `object_id = \"<user's Entra object id>\"` (`az ad user show --id <upn> --query id`)"),
            );
        }
        Some(AssignedUser {
            object_id: object_id?,
            tenant_id,
            span: e.span,
        })
    }

    /// A GUID of `assigned_user` (`AML2010`), with where to look it up.
    fn user_guid(&mut self, e: &Expr, key: &str) -> Option<Guid> {
        let (text, span) = self.string(e)?;
        let lookup = if key == "object_id" {
            "the user's object id, not their sign-in name: `az ad user show --id alice@contoso.com --query id`"
        } else {
            "the tenant id, not its domain: `az account show --query tenantId`, or leave `tenant_id` out for the workspace's tenant"
        };
        Guid::parse(&text)
            .map_err(|msg| {
                self.push(
                    Diagnostic::new(Code::InvalidGuid, span, "malformed GUID")
                        .label(msg)
                        .help(format!("`{key}` is {lookup}")),
                );
            })
            .ok()
    }
}
