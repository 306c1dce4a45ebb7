//! The `access` block: role grants to principals at a scope, as
//! `docs/language.md` describes under "15. `access`".

use super::cx::Cx;
use super::words;
use crate::catalog::roles;
use crate::diag::{Code, Diagnostic};
use crate::ir::{Grant, GrantScope, PrincipalKind};
use crate::syntax::ast::{Expr, ExprKind, Stmt};

impl Cx<'_> {
    pub(super) fn access(&mut self, s: &Stmt) -> Vec<Grant> {
        let entries = self.plain_body(s);
        let b = self.block(
            entries,
            "`access`",
            words::ACCESS.settings,
            words::ACCESS.blocks,
        );
        let mut out = Vec::new();
        let usage = "write `grant \"AzureML Data Scientist\" to group \"<object id>\"`, optionally followed by `on storage` (or `resource_group`, `key_vault`, `container_registry`, `workspace`, or a resource id)";
        for g in &b.stmts {
            self.no_body(g, "`grant`");
            let args = &g.args;
            let to_ok = args
                .get(1)
                .is_some_and(|a| matches!(&a.kind, ExprKind::Ident(w) if w == "to"));
            if args.len() < 4 || !to_ok {
                self.push(
                    Diagnostic::new(Code::MissingSetting, g.span, "incomplete `grant`")
                        .label("a grant needs a role, `to`, a principal kind and an object id")
                        .help(usage),
                );
                continue;
            }
            let role = self
                .string(&args[0])
                .and_then(|(name, span)| match roles::lookup(&name) {
                    Some(r) => Some(r),
                    None => {
                        let names: Vec<&str> =
                            roles::BUILT_IN_ROLES.iter().map(|r| r.name).collect();
                        self.push(
                            Diagnostic::new(
                                Code::UnknownRole,
                                span,
                                format!("`{name}` is not a built-in role amlgen knows"),
                            )
                            .label("unknown role")
                            .suggest(&name, names.iter().copied())
                            .note("amlgen grants only built-in roles it has verified ids for"),
                        );
                        None
                    }
                });
            let kind = self.choice(&args[2], PrincipalKind::ALL, "principal kind");
            let id = self.guid(&args[3]);
            let scope = match args.get(4..) {
                None | Some([]) => Some(GrantScope::Workspace),
                Some([on, target]) if matches!(&on.kind, ExprKind::Ident(w) if w == "on") => {
                    self.grant_scope(target)
                }
                Some([extra, ..]) => {
                    self.push(
                        Diagnostic::new(
                            Code::UnexpectedToken,
                            extra.span,
                            "unexpected words after the grant's principal",
                        )
                        .label("expected `on <scope>` or the end of the line")
                        .help(usage),
                    );
                    None
                }
            };
            if let (Some(role), Some(principal_kind), Some((principal_id, _)), Some(scope)) =
                (role, kind, id, scope)
            {
                out.push(Grant {
                    role,
                    principal_kind,
                    principal_id,
                    scope,
                    span: g.span,
                });
            }
        }
        out
    }

    pub(super) fn grant_scope(&mut self, e: &Expr) -> Option<GrantScope> {
        if let ExprKind::Ident(w) = &e.kind
            && !self.lets.contains_key(w)
        {
            let table = [
                ("workspace", 0u8),
                ("resource_group", 1),
                ("storage", 2),
                ("key_vault", 3),
                ("container_registry", 4),
            ];
            return self.choice(e, &table, "grant scope").map(|v| match v {
                0 => GrantScope::Workspace,
                1 => GrantScope::ResourceGroup,
                2 => GrantScope::Storage,
                3 => GrantScope::KeyVault,
                _ => GrantScope::ContainerRegistry,
            });
        }
        self.resource_id(e, None)
            .map(|(id, _)| GrantScope::Resource(id))
    }
}
