//! `amlgen lsp`: a Language Server Protocol server over standard input and
//! output (`lsp-server` framing, `lsp-types` messages). One document is
//! re-checked, with the build it belongs to, on every change.

pub mod actions;
pub mod completion;
pub mod context;
pub mod definition;
pub mod diagnostics;
pub mod documents;
pub mod format;
pub mod hover;
pub mod schema;

use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{
    CodeActionRequest, Completion, Formatting, GotoDefinition, HoverRequest, References,
    Request as _,
};
use lsp_types::{
    CodeActionProviderCapability, CompletionOptions, GotoDefinitionResponse, Location, OneOf,
    PublishDiagnosticsParams, ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind,
    Uri,
};
use serde_json::Value;

use documents::Documents;

/// Runs the server on standard input and output until `exit`.
pub fn run() -> Result<(), String> {
    let (connection, io) = Connection::stdio();
    let caps = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(lsp_types::HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec!["=".into(), " ".into(), "\"".into()]),
            ..CompletionOptions::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    };
    let caps = serde_json::to_value(caps).map_err(|e| e.to_string())?;
    connection.initialize(caps).map_err(|e| e.to_string())?;
    serve(&connection)?;
    drop(connection);
    io.join().map_err(|e| e.to_string())
}

fn serve(connection: &Connection) -> Result<(), String> {
    let mut docs = Documents::default();
    for msg in &connection.receiver {
        match msg {
            Message::Request(req) => {
                if connection
                    .handle_shutdown(&req)
                    .map_err(|e| e.to_string())?
                {
                    return Ok(());
                }
                let id = req.id.clone();
                let reply =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| request(&docs, req)))
                        .unwrap_or_else(|_| Err("internal error".to_string()));
                let resp = match reply {
                    Ok(result) => Response::new_ok(id, result),
                    Err(msg) => error(id, &msg),
                };
                send(connection, Message::Response(resp))?;
            }
            Message::Notification(n) => {
                let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    notification(&mut docs, n)
                }))
                .unwrap_or_default();
                for m in out {
                    send(connection, m)?;
                }
            }
            Message::Response(_) => {}
        }
    }
    Ok(())
}

fn send(connection: &Connection, m: Message) -> Result<(), String> {
    connection.sender.send(m).map_err(|e| e.to_string())
}

fn error(id: RequestId, msg: &str) -> Response {
    Response::new_err(
        id,
        lsp_server::ErrorCode::InvalidParams as i32,
        msg.to_string(),
    )
}

fn params<P: serde::de::DeserializeOwned>(v: Value) -> Result<P, String> {
    serde_json::from_value(v).map_err(|e| e.to_string())
}

fn to_value(v: impl serde::Serialize) -> Result<Value, String> {
    serde_json::to_value(v).map_err(|e| e.to_string())
}

/// The open text of a document and the byte offset of a position in it.
fn at<'a>(
    docs: &'a Documents,
    uri: &Uri,
    pos: lsp_types::Position,
) -> Result<(&'a str, usize), String> {
    let text = docs
        .get(uri)
        .ok_or_else(|| format!("`{}` is not open", uri.as_str()))?;
    Ok((text, documents::offset(text, pos)))
}

fn request(docs: &Documents, req: Request) -> Result<Value, String> {
    match req.method.as_str() {
        HoverRequest::METHOD => {
            let p: lsp_types::HoverParams = params(req.params)?;
            let pp = p.text_document_position_params;
            let (text, off) = at(docs, &pp.text_document.uri, pp.position)?;
            to_value(hover::hover(text, off))
        }
        Completion::METHOD => {
            let p: lsp_types::CompletionParams = params(req.params)?;
            let pp = p.text_document_position;
            let (text, off) = at(docs, &pp.text_document.uri, pp.position)?;
            to_value(completion::complete(text, off))
        }
        GotoDefinition::METHOD => {
            let p: lsp_types::GotoDefinitionParams = params(req.params)?;
            let pp = p.text_document_position_params;
            let uri = pp.text_document.uri;
            let (text, off) = at(docs, &uri, pp.position)?;
            to_value(definition::let_at(text, off).map(|(def, _)| {
                GotoDefinitionResponse::Scalar(Location::new(
                    uri.clone(),
                    documents::range(text, def),
                ))
            }))
        }
        References::METHOD => {
            let p: lsp_types::ReferenceParams = params(req.params)?;
            let pp = p.text_document_position;
            let uri = pp.text_document.uri;
            let (text, off) = at(docs, &uri, pp.position)?;
            let locs: Option<Vec<Location>> = definition::let_at(text, off).map(|(def, uses)| {
                p.context
                    .include_declaration
                    .then_some(def)
                    .into_iter()
                    .chain(uses)
                    .map(|r| Location::new(uri.clone(), documents::range(text, r)))
                    .collect()
            });
            to_value(locs)
        }
        Formatting::METHOD => {
            let p: lsp_types::DocumentFormattingParams = params(req.params)?;
            let (text, _) = at(docs, &p.text_document.uri, lsp_types::Position::default())?;
            to_value(format::edits(text))
        }
        CodeActionRequest::METHOD => {
            let p: lsp_types::CodeActionParams = params(req.params)?;
            let (text, _) = at(docs, &p.text_document.uri, lsp_types::Position::default())?;
            to_value(actions::actions(text, &p))
        }
        other => Err(format!("unsupported request `{other}`")),
    }
}

fn notification(docs: &mut Documents, n: Notification) -> Vec<Message> {
    let uri = match n.method.as_str() {
        DidOpenTextDocument::METHOD => {
            let Ok(p) = params::<lsp_types::DidOpenTextDocumentParams>(n.params) else {
                return Vec::new();
            };
            docs.open(&p.text_document.uri, p.text_document.text);
            p.text_document.uri
        }
        DidChangeTextDocument::METHOD => {
            let Ok(p) = params::<lsp_types::DidChangeTextDocumentParams>(n.params) else {
                return Vec::new();
            };
            // Full synchronisation: the last change is the whole text.
            if let Some(c) = p.content_changes.into_iter().last() {
                docs.open(&p.text_document.uri, c.text);
            }
            p.text_document.uri
        }
        DidSaveTextDocument::METHOD => {
            let Ok(p) = params::<lsp_types::DidSaveTextDocumentParams>(n.params) else {
                return Vec::new();
            };
            p.text_document.uri
        }
        DidCloseTextDocument::METHOD => {
            if let Ok(p) = params::<lsp_types::DidCloseTextDocumentParams>(n.params) {
                docs.close(&p.text_document.uri);
            }
            return Vec::new();
        }
        _ => return Vec::new(),
    };
    diagnostics::for_build(docs, &uri)
        .into_iter()
        .map(|(uri, diagnostics)| {
            Message::Notification(Notification::new(
                PublishDiagnostics::METHOD.to_string(),
                PublishDiagnosticsParams::new(uri, diagnostics, None),
            ))
        })
        .collect()
}
