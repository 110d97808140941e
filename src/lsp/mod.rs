//! `wharf lsp`: a language server over stdio (LSP 3.17), on `lsp-server`
//! (the synchronous transport rust-analyzer uses) and `lsp-types`. Like
//! `cli` and `runner`, this module does I/O: it reads imported files and
//! writes the stdlib where the editor can open it.
//!
//! Every open document is analysed as a program (`analysis::Analysis`:
//! the same loader and checker as `wharf check`). Edits only mark documents
//! dirty; the analysis runs when no message is waiting, so a burst of
//! keystrokes costs one check, and always before a request is answered, so
//! answers see the latest text. A file imported by an open document gets
//! its diagnostics from that document's program (where its names resolve).

mod analysis;
mod features;
mod index;
mod text;
mod vocab;

pub use analysis::Analysis;
pub use features::{complete, format, hover, rename, symbols, Item, ItemKind};
pub use text::{path_to_uri, uri_to_path, LineIndex};
pub use vocab::Block;

use crate::driver::{self, Disk, Overlay};
use crossbeam_channel::TryRecvError;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types as lt;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

/// Runs the server on stdin/stdout until the client says `exit`.
pub fn run() -> Result<(), String> {
    let (conn, io) = Connection::stdio();
    let caps = capabilities();
    conn.initialize(serde_json::to_value(caps).map_err(|e| e.to_string())?)
        .map_err(|e| format!("initialize: {e}"))?;
    let mut server = Server {
        conn,
        docs: BTreeMap::new(),
        analyses: BTreeMap::new(),
        dirty: BTreeSet::new(),
        published: BTreeMap::new(),
        stdlib_dir: stdlib_dir(),
    };
    server.main_loop()?;
    drop(server);
    io.join().map_err(|e| e.to_string())
}

fn capabilities() -> lt::ServerCapabilities {
    lt::ServerCapabilities {
        text_document_sync: Some(lt::TextDocumentSyncCapability::Options(
            lt::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(lt::TextDocumentSyncKind::INCREMENTAL),
                save: Some(lt::TextDocumentSyncSaveOptions::Supported(true)),
                ..Default::default()
            },
        )),
        hover_provider: Some(lt::HoverProviderCapability::Simple(true)),
        definition_provider: Some(lt::OneOf::Left(true)),
        references_provider: Some(lt::OneOf::Left(true)),
        document_symbol_provider: Some(lt::OneOf::Left(true)),
        document_formatting_provider: Some(lt::OneOf::Left(true)),
        rename_provider: Some(lt::OneOf::Right(lt::RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        code_action_provider: Some(lt::CodeActionProviderCapability::Simple(true)),
        completion_provider: Some(lt::CompletionOptions {
            trigger_characters: Some(vec![" ".into(), ".".into(), "(".into(), ":".into()]),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The stdlib as files, so definitions and diagnostics in it can be
/// opened: one directory per stdlib text (named by its FNV-1a hash),
/// written once. A directory that cannot be written only means those
/// locations do not open.
fn stdlib_dir() -> PathBuf {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (module, text) in crate::stdlib::MODULES {
        for b in module.bytes().chain(text.bytes()) {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    let dir = std::env::temp_dir().join(format!("wharf-stdlib-{hash:016x}"));
    if let Err(e) = write_stdlib(&dir) {
        eprintln!(
            "wharf lsp: cannot write the stdlib to {}: {e}",
            dir.display()
        );
    }
    dir
}

fn write_stdlib(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (module, text) in crate::stdlib::MODULES {
        let path = dir.join(format!("{module}.wharf"));
        if std::fs::read_to_string(&path).ok().as_deref() != Some(*text) {
            std::fs::write(&path, text)?;
        }
    }
    Ok(())
}

/// `a/b/../c` -> `a/c`: documents and imports are matched by path.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

struct Doc {
    uri: lt::Uri,
    text: String,
}

struct Server {
    conn: Connection,
    docs: BTreeMap<PathBuf, Doc>,
    /// The analysis of each open document, as its program's main file.
    analyses: BTreeMap<PathBuf, Analysis>,
    /// Documents edited since their analysis.
    dirty: BTreeSet<PathBuf>,
    /// What was last published, per file.
    published: BTreeMap<PathBuf, Vec<lt::Diagnostic>>,
    stdlib_dir: PathBuf,
}

impl Server {
    fn main_loop(&mut self) -> Result<(), String> {
        loop {
            let msg = if self.dirty.is_empty() {
                match self.conn.receiver.recv() {
                    Ok(m) => m,
                    Err(_) => return Ok(()),
                }
            } else {
                match self.conn.receiver.try_recv() {
                    Ok(m) => m,
                    Err(TryRecvError::Empty) => {
                        self.flush()?;
                        continue;
                    }
                    Err(TryRecvError::Disconnected) => return Ok(()),
                }
            };
            match msg {
                Message::Request(req) => {
                    if self.conn.handle_shutdown(&req).map_err(|e| e.to_string())? {
                        return Ok(());
                    }
                    self.flush()?;
                    let id = req.id.clone();
                    let resp = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        self.request(req)
                    }))
                    .unwrap_or_else(|_| {
                        Response::new_err(
                            id,
                            ErrorCode::InternalError as i32,
                            "internal error (a bug in wharf lsp)".to_string(),
                        )
                    });
                    self.send(Message::Response(resp))?;
                }
                Message::Notification(n) => self.notification(n),
                Message::Response(_) => {}
            }
        }
    }

    fn send(&self, msg: Message) -> Result<(), String> {
        self.conn.sender.send(msg).map_err(|e| e.to_string())
    }

    fn notification(&mut self, n: Notification) {
        match n.method.as_str() {
            "textDocument/didOpen" => {
                if let Ok(p) = serde_json::from_value::<lt::DidOpenTextDocumentParams>(n.params) {
                    if let Some(path) = uri_to_path(&p.text_document.uri) {
                        let path = normalize(&path);
                        self.docs.insert(
                            path.clone(),
                            Doc {
                                uri: p.text_document.uri,
                                text: p.text_document.text,
                            },
                        );
                        self.dirty.insert(path);
                    }
                }
            }
            "textDocument/didChange" => {
                if let Ok(p) = serde_json::from_value::<lt::DidChangeTextDocumentParams>(n.params) {
                    let Some(path) = uri_to_path(&p.text_document.uri).map(|p| normalize(&p))
                    else {
                        return;
                    };
                    let Some(doc) = self.docs.get_mut(&path) else {
                        return;
                    };
                    for change in p.content_changes {
                        match change.range {
                            None => doc.text = change.text,
                            Some(r) => {
                                let lines = LineIndex::new(&doc.text);
                                let start = lines.offset(&doc.text, r.start);
                                let end = lines.offset(&doc.text, r.end).max(start);
                                doc.text.replace_range(start..end, &change.text);
                            }
                        }
                    }
                    self.dirty.insert(path);
                }
            }
            "textDocument/didClose" => {
                if let Ok(p) = serde_json::from_value::<lt::DidCloseTextDocumentParams>(n.params) {
                    if let Some(path) = uri_to_path(&p.text_document.uri) {
                        let path = normalize(&path);
                        self.docs.remove(&path);
                        self.analyses.remove(&path);
                        // Files it imported may now be read from the disk.
                        self.dirty.insert(path);
                    }
                }
            }
            "textDocument/didSave" | "workspace/didChangeWatchedFiles" => {
                // A file on disk changed: every program may see it.
                self.dirty.extend(self.docs.keys().cloned());
            }
            _ => {}
        }
    }

    /// Re-analyses what the dirty documents affect and publishes.
    fn flush(&mut self) -> Result<(), String> {
        if self.dirty.is_empty() {
            return Ok(());
        }
        let dirty = std::mem::take(&mut self.dirty);
        let mut roots: BTreeSet<PathBuf> = BTreeSet::new();
        for (root, a) in &self.analyses {
            if a.paths.iter().any(|p| dirty.contains(p)) {
                roots.insert(root.clone());
            }
        }
        roots.extend(dirty.iter().filter(|p| self.docs.contains_key(*p)).cloned());
        let t0 = std::time::Instant::now();
        // The editor's documents over the disk; files the editor does not
        // hold are read as the CLI reads them (regular files of a sane size).
        let mut fs = Overlay::new(Disk);
        for (path, doc) in &self.docs {
            fs.top.insert(path, doc.text.clone());
        }
        let options = driver::Options {
            env: std::env::vars().collect(),
            ..driver::Options::default()
        };
        for root in &roots {
            let a = Analysis::new(root, &fs, &options, &self.stdlib_dir);
            // The old analysis is dropped here, after the new one is built.
            self.analyses.insert(root.clone(), a);
        }
        let t1 = std::time::Instant::now();
        self.publish(&roots, &dirty)?;
        if std::env::var_os("WHARF_LSP_TRACE").is_some() {
            let timings: Vec<String> = roots
                .iter()
                .filter_map(|r| self.analyses.get(r))
                .map(|a| a.timings.to_string())
                .collect();
            eprintln!(
                "wharf lsp: analysed {} document(s) in {:.1} ms ({}), published in {:.1} ms",
                roots.len(),
                (t1 - t0).as_secs_f64() * 1e3,
                timings.join("; "),
                t1.elapsed().as_secs_f64() * 1e3
            );
        }
        Ok(())
    }

    /// The analysis that answers for `path`: a program that imports it,
    /// else its own.
    fn owner(&self, path: &Path) -> Option<&Analysis> {
        self.analyses
            .iter()
            .find(|(root, a)| root.as_path() != path && a.paths.iter().any(|p| p == path))
            .or_else(|| {
                self.analyses
                    .iter()
                    .find(|(root, _)| root.as_path() == path)
            })
            .map(|(_, a)| a)
    }

    fn publish(
        &mut self,
        fresh: &BTreeSet<PathBuf>,
        dirty: &BTreeSet<PathBuf>,
    ) -> Result<(), String> {
        let mut files: BTreeSet<PathBuf> = BTreeSet::new();
        for a in self.analyses.values() {
            files.extend(a.paths.iter().cloned());
        }
        let mut out: Vec<(PathBuf, Vec<lt::Diagnostic>)> = Vec::new();
        for path in &files {
            let Some(a) = self.owner(path) else { continue };
            let Some(file) = a.file_of(path) else {
                continue;
            };
            let diags = to_lsp_diagnostics(a, file);
            let changed = self.published.get(path) != Some(&diags);
            let touched = fresh.contains(path) || dirty.contains(path);
            if changed || touched {
                out.push((path.clone(), diags));
            }
        }
        for path in self.published.keys() {
            if !files.contains(path) {
                out.push((path.clone(), Vec::new()));
            }
        }
        for (path, diags) in out {
            let uri = self
                .docs
                .get(&path)
                .map_or_else(|| path_to_uri(&path), |d| d.uri.clone());
            let params = lt::PublishDiagnosticsParams {
                uri,
                diagnostics: diags.clone(),
                version: None,
            };
            self.send(Message::Notification(Notification::new(
                "textDocument/publishDiagnostics".to_string(),
                params,
            )))?;
            if diags.is_empty() && !files.contains(&path) {
                self.published.remove(&path);
            } else {
                self.published.insert(path, diags);
            }
        }
        Ok(())
    }

    fn request(&mut self, req: Request) -> Response {
        let id = req.id.clone();
        let result = match req.method.as_str() {
            "textDocument/hover" => self.with_params(req, Self::hover),
            "textDocument/definition" => self.with_params(req, Self::definition),
            "textDocument/references" => self.with_params(req, Self::references),
            "textDocument/completion" => self.with_params(req, Self::completion),
            "textDocument/formatting" => self.with_params(req, Self::formatting),
            "textDocument/documentSymbol" => self.with_params(req, Self::document_symbols),
            "textDocument/prepareRename" => self.with_params(req, Self::prepare_rename),
            "textDocument/rename" => self.with_params(req, Self::rename),
            "textDocument/codeAction" => self.with_params(req, Self::code_actions),
            other => Err((
                ErrorCode::MethodNotFound,
                format!("wharf lsp does not implement `{other}`"),
            )),
        };
        match result {
            Ok(v) => Response::new_ok(id, v),
            Err((code, msg)) => Response::new_err(id, code as i32, msg),
        }
    }

    fn with_params<P: serde::de::DeserializeOwned>(
        &self,
        req: Request,
        f: fn(&Self, P) -> Answer,
    ) -> Result<serde_json::Value, (ErrorCode, String)> {
        let params: P = serde_json::from_value(req.params)
            .map_err(|e| (ErrorCode::InvalidParams, e.to_string()))?;
        f(self, params)
    }

    /// The analysis, file and byte offset of a position in a document.
    fn locate(
        &self,
        doc: &lt::TextDocumentIdentifier,
        pos: lt::Position,
    ) -> Result<(&Analysis, crate::diag::FileId, usize), (ErrorCode, String)> {
        let path = uri_to_path(&doc.uri)
            .map(|p| normalize(&p))
            .ok_or((ErrorCode::InvalidParams, "not a file URI".to_string()))?;
        let a = self.owner(&path).ok_or((
            ErrorCode::InvalidParams,
            format!("`{}` is not open", path.display()),
        ))?;
        let file = a.file_of(&path).ok_or((
            ErrorCode::InternalError,
            "document not analysed".to_string(),
        ))?;
        let text = a.text(file);
        let offset = LineIndex::new(text).offset(text, pos);
        Ok((a, file, offset))
    }

    fn location(&self, a: &Analysis, sp: crate::diag::Span) -> lt::Location {
        let text = a.text(sp.file);
        let lines = LineIndex::new(text);
        let path = a.path(sp.file);
        let uri = self
            .docs
            .get(path)
            .map_or_else(|| path_to_uri(path), |d| d.uri.clone());
        lt::Location::new(uri, lines.range(text, sp.start as usize, sp.end as usize))
    }

    fn hover(&self, p: lt::HoverParams) -> Result<serde_json::Value, (ErrorCode, String)> {
        let pp = &p.text_document_position_params;
        let (a, file, offset) = self.locate(&pp.text_document, pp.position)?;
        let Some((text, sp)) = hover(a, file, offset) else {
            return Ok(serde_json::Value::Null);
        };
        let range = self.location(a, sp).range;
        Ok(json(lt::Hover {
            contents: lt::HoverContents::Markup(lt::MarkupContent {
                kind: lt::MarkupKind::Markdown,
                value: text,
            }),
            range: Some(range),
        }))
    }

    fn definition(
        &self,
        p: lt::GotoDefinitionParams,
    ) -> Result<serde_json::Value, (ErrorCode, String)> {
        let pp = &p.text_document_position_params;
        let (a, file, offset) = self.locate(&pp.text_document, pp.position)?;
        let Some((sym, _)) = a.index.at(file, offset as u32) else {
            return Ok(serde_json::Value::Null);
        };
        let s = &a.index.symbols[sym];
        Ok(json(lt::GotoDefinitionResponse::Scalar(
            self.location(a, s.name_span),
        )))
    }

    fn references(&self, p: lt::ReferenceParams) -> Result<serde_json::Value, (ErrorCode, String)> {
        let pp = &p.text_document_position;
        let (a, file, offset) = self.locate(&pp.text_document, pp.position)?;
        let Some((sym, _)) = a.index.at(file, offset as u32) else {
            return Ok(serde_json::Value::Null);
        };
        let mut spans = a.index.occurrences(sym);
        if !p.context.include_declaration && a.index.symbols[sym].kind != index::SymKind::File {
            spans.remove(0);
        }
        let locs: Vec<lt::Location> = spans.into_iter().map(|sp| self.location(a, sp)).collect();
        Ok(json(locs))
    }

    fn completion(
        &self,
        p: lt::CompletionParams,
    ) -> Result<serde_json::Value, (ErrorCode, String)> {
        let pp = &p.text_document_position;
        let (a, file, offset) = self.locate(&pp.text_document, pp.position)?;
        let items: Vec<lt::CompletionItem> = complete(Some(a), Some(file), a.text(file), offset)
            .into_iter()
            .map(|i| lt::CompletionItem {
                label: i.label,
                kind: Some(match i.kind {
                    ItemKind::Keyword => lt::CompletionItemKind::KEYWORD,
                    ItemKind::Property => lt::CompletionItemKind::PROPERTY,
                    ItemKind::Value => lt::CompletionItemKind::ENUM_MEMBER,
                    ItemKind::Reference => lt::CompletionItemKind::REFERENCE,
                    ItemKind::Template => lt::CompletionItemKind::FUNCTION,
                    ItemKind::Parameter => lt::CompletionItemKind::FIELD,
                }),
                detail: (!i.detail.is_empty()).then_some(i.detail),
                insert_text: i.insert,
                ..Default::default()
            })
            .collect();
        Ok(json(lt::CompletionResponse::Array(items)))
    }

    fn formatting(
        &self,
        p: lt::DocumentFormattingParams,
    ) -> Result<serde_json::Value, (ErrorCode, String)> {
        let (a, file, _) = self.locate(&p.text_document, lt::Position::new(0, 0))?;
        let text = a.text(file);
        match format(text) {
            None => Err((
                ErrorCode::RequestFailed,
                "the document has syntax errors; fix them to format it".to_string(),
            )),
            Some(None) => Ok(json(Vec::<lt::TextEdit>::new())),
            Some(Some(formatted)) => {
                let lines = LineIndex::new(text);
                let range = lines.range(text, 0, text.len());
                Ok(json(vec![lt::TextEdit::new(range, formatted)]))
            }
        }
    }

    fn document_symbols(
        &self,
        p: lt::DocumentSymbolParams,
    ) -> Result<serde_json::Value, (ErrorCode, String)> {
        let (a, file, _) = self.locate(&p.text_document, lt::Position::new(0, 0))?;
        let text = a.text(file);
        let lines = LineIndex::new(text);
        #[allow(deprecated)]
        fn convert(s: features::DocSymbol, text: &str, lines: &LineIndex) -> lt::DocumentSymbol {
            lt::DocumentSymbol {
                name: s.name,
                detail: Some(s.kind.noun().to_string()),
                kind: symbol_kind(s.kind),
                tags: None,
                deprecated: None,
                range: lines.range(text, s.span.start as usize, s.span.end as usize),
                selection_range: lines.range(
                    text,
                    s.name_span.start as usize,
                    s.name_span.end as usize,
                ),
                children: Some(
                    s.children
                        .into_iter()
                        .map(|c| convert(c, text, lines))
                        .collect(),
                ),
            }
        }
        let out: Vec<lt::DocumentSymbol> = symbols(a, file)
            .into_iter()
            .map(|s| convert(s, text, &lines))
            .collect();
        Ok(json(lt::DocumentSymbolResponse::Nested(out)))
    }

    fn prepare_rename(
        &self,
        p: lt::TextDocumentPositionParams,
    ) -> Result<serde_json::Value, (ErrorCode, String)> {
        let (a, file, offset) = self.locate(&p.text_document, p.position)?;
        match a.index.at(file, offset as u32) {
            Some((sym, sp))
                if !a.index.in_stdlib(sym) && a.index.symbols[sym].kind != index::SymKind::File =>
            {
                Ok(json(self.location(a, sp).range))
            }
            _ => Ok(serde_json::Value::Null),
        }
    }

    /// Quick fixes: a diagnostic whose help says "did you mean `X`?" offers
    /// to write `X` in place of what it underlines.
    fn code_actions(&self, p: lt::CodeActionParams) -> Answer {
        let (a, file, _) = self.locate(&p.text_document, p.range.start)?;
        let text = a.text(file);
        let lines = LineIndex::new(text);
        let start = lines.offset(text, p.range.start) as u32;
        let end = lines.offset(text, p.range.end) as u32;
        let lsp_diags = to_lsp_diagnostics(a, file);
        let mut actions = Vec::new();
        for d in a.diags.iter().filter(|d| d.primary.span.file == file) {
            let sp = d.primary.span;
            if sp.end < start || sp.start > end || sp.start == sp.end {
                continue;
            }
            let Some(fix) = d.help.as_deref().and_then(suggestion) else {
                continue;
            };
            let range = lines.range(text, sp.start as usize, sp.end as usize);
            let edit = lt::TextEdit::new(range, fix.to_string());
            #[allow(clippy::mutable_key_type)] // lsp-types' own map type
            let changes =
                std::collections::HashMap::from([(p.text_document.uri.clone(), vec![edit])]);
            let diagnostics: Vec<lt::Diagnostic> = lsp_diags
                .iter()
                .filter(|l| l.range == range && l.message == d.message)
                .cloned()
                .collect();
            actions.push(lt::CodeActionOrCommand::CodeAction(lt::CodeAction {
                title: format!("Replace with `{fix}`"),
                kind: Some(lt::CodeActionKind::QUICKFIX),
                diagnostics: Some(diagnostics),
                edit: Some(lt::WorkspaceEdit::new(changes)),
                is_preferred: Some(true),
                ..Default::default()
            }));
        }
        Ok(json(actions))
    }

    fn rename(&self, p: lt::RenameParams) -> Result<serde_json::Value, (ErrorCode, String)> {
        let pp = &p.text_document_position;
        let (a, file, offset) = self.locate(&pp.text_document, pp.position)?;
        let edits =
            rename(a, file, offset, &p.new_name).map_err(|m| (ErrorCode::RequestFailed, m))?;
        #[allow(clippy::mutable_key_type)] // lsp-types' own map type
        let mut changes = std::collections::HashMap::new();
        for (f, list) in edits {
            let uri = self.location(a, crate::diag::Span::new(f, 0, 0)).uri;
            let text_edits: Vec<lt::TextEdit> = list
                .into_iter()
                .map(|(sp, new)| lt::TextEdit::new(self.location(a, sp).range, new))
                .collect();
            changes.insert(uri, text_edits);
        }
        Ok(json(lt::WorkspaceEdit::new(changes)))
    }
}

/// `X` from a help that ends "did you mean `X`?".
fn suggestion(help: &str) -> Option<&str> {
    let rest = &help[help.find("did you mean `")? + "did you mean `".len()..];
    let end = rest.find("`?")?;
    Some(&rest[..end])
}

/// A request's result or its error.
type Answer = Result<serde_json::Value, (ErrorCode, String)>;

fn json<T: serde::Serialize>(v: T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

fn symbol_kind(k: index::SymKind) -> lt::SymbolKind {
    use index::SymKind as K;
    match k {
        K::Network => lt::SymbolKind::NAMESPACE,
        K::Cluster => lt::SymbolKind::PACKAGE,
        K::LoadBalancer => lt::SymbolKind::INTERFACE,
        K::Task => lt::SymbolKind::CLASS,
        K::Service => lt::SymbolKind::OBJECT,
        K::Container => lt::SymbolKind::STRUCT,
        K::Volume => lt::SymbolKind::FIELD,
        K::Let => lt::SymbolKind::CONSTANT,
        K::Input => lt::SymbolKind::VARIABLE,
        K::Template => lt::SymbolKind::FUNCTION,
        K::Param => lt::SymbolKind::TYPE_PARAMETER,
        K::Environment => lt::SymbolKind::MODULE,
        K::File => lt::SymbolKind::FILE,
    }
}

fn severity(d: &crate::diag::Diagnostic) -> lt::DiagnosticSeverity {
    if d.is_error() {
        lt::DiagnosticSeverity::ERROR
    } else {
        lt::DiagnosticSeverity::WARNING
    }
}

/// The diagnostics of one file of an analysis, as the protocol has them:
/// the code, the message, the labels and the help as related information.
pub fn to_lsp_diagnostics(a: &Analysis, file: crate::diag::FileId) -> Vec<lt::Diagnostic> {
    let text = a.text(file);
    let lines = LineIndex::new(text);
    let path = a.path(file);
    let uri = path_to_uri(path);
    let mut other_lines: BTreeMap<u32, LineIndex> = BTreeMap::new();
    let mut loc = |sp: crate::diag::Span| -> lt::Location {
        if sp.file == file {
            return lt::Location::new(
                uri.clone(),
                lines.range(text, sp.start as usize, sp.end as usize),
            );
        }
        let t = a.text(sp.file);
        let li = other_lines
            .entry(sp.file.0)
            .or_insert_with(|| LineIndex::new(t));
        lt::Location::new(
            path_to_uri(a.path(sp.file)),
            li.range(t, sp.start as usize, sp.end as usize),
        )
    };
    // A diagnostic inside a stdlib template is also shown where this file
    // uses the template, pointing into the stdlib.
    let mut shown: Vec<(
        &crate::diag::Diagnostic,
        Option<(crate::diag::Span, String)>,
    )> = a
        .diags
        .iter()
        .filter(|d| d.primary.span.file == file)
        .map(|d| (d, None))
        .collect();
    if !a.is_stdlib(file) {
        for d in a.diags.iter().filter(|d| a.is_stdlib(d.primary.span.file)) {
            let sp = d.primary.span;
            let Some(t) = a.index.symbols.iter().position(|s| {
                s.kind == index::SymKind::Template
                    && s.span.file == sp.file
                    && s.span.start <= sp.start
                    && sp.end <= s.span.end
            }) else {
                continue;
            };
            let name = format!("std.{}", a.index.symbols[t].name);
            for r in a
                .index
                .refs
                .iter()
                .filter(|r| r.target == t && r.span.file == file)
            {
                shown.push((d, Some((r.span, name.clone()))));
            }
        }
        shown.sort_by_key(|(d, at)| at.as_ref().map_or(d.primary.span.start, |(sp, _)| sp.start));
    }
    shown
        .into_iter()
        .map(|(d, used)| {
            if let Some((at, name)) = used {
                let inside = loc(d.primary.span);
                let mut related = vec![lt::DiagnosticRelatedInformation {
                    location: inside.clone(),
                    message: d.primary.message.clone(),
                }];
                if let Some(h) = &d.help {
                    related.push(lt::DiagnosticRelatedInformation {
                        location: inside,
                        message: format!("help: {h}"),
                    });
                }
                return lt::Diagnostic {
                    range: loc(at).range,
                    severity: Some(severity(d)),
                    code: Some(lt::NumberOrString::String(d.code.as_str().to_string())),
                    source: Some("wharf".to_string()),
                    message: format!("{} (in `{name}`)", d.message),
                    related_information: Some(related),
                    ..Default::default()
                };
            }
            let primary = loc(d.primary.span);
            let mut related = vec![lt::DiagnosticRelatedInformation {
                location: primary.clone(),
                message: d.primary.message.clone(),
            }];
            for l in &d.secondary {
                related.push(lt::DiagnosticRelatedInformation {
                    location: loc(l.span),
                    message: l.message.clone(),
                });
            }
            if let Some(h) = &d.help {
                related.push(lt::DiagnosticRelatedInformation {
                    location: primary.clone(),
                    message: format!("help: {h}"),
                });
            }
            lt::Diagnostic {
                range: primary.range,
                severity: Some(severity(d)),
                code: Some(lt::NumberOrString::String(d.code.as_str().to_string())),
                source: Some("wharf".to_string()),
                message: d.message.clone(),
                related_information: Some(related),
                ..Default::default()
            }
        })
        .collect()
}
