//! The answers to the editor's requests, computed from one `Analysis`:
//! hover, completion, symbols, formatting edits and rename edits. Pure
//! functions of the analysis and the document text, so tests and the
//! server share them.

use super::analysis::Analysis;
use super::index::{SymKind, Symbol};
use super::vocab::{self, Block};
use crate::ast::{Expr, ExprKind, Statement};
use crate::diag::{explain, FileId, Span};

/// Hover text (Markdown) at `offset` of `file`.
pub fn hover(a: &Analysis, file: FileId, offset: usize) -> Option<(String, Span)> {
    let off = offset as u32;
    let text = a.text(file);
    let mut parts = Vec::new();
    let mut range = None;
    // Diagnostics under the cursor: their code's explanation.
    for d in &a.diags {
        let sp = d.primary.span;
        if sp.file == file && sp.start <= off && off <= sp.end.max(sp.start + 1) {
            parts.push(explain_code(d.code));
            range.get_or_insert(sp);
        }
    }
    if let Some((code, sp)) = code_word(text, file, offset) {
        parts.push(explain_code(code));
        range.get_or_insert(sp);
    }
    if let Some((sym, sp)) = a.index.at(file, off) {
        let mut s = describe_symbol(a, &a.index.symbols[sym]);
        // A reference: what the property it is given to becomes.
        if sp != a.index.symbols[sym].name_span {
            if let Some((block, stmt)) = statement_at(a, file, off) {
                if let Some(f) = vocab::field(block, &stmt.head.name) {
                    s.push_str(&format!("\n\nhere: `{}` becomes {f}", stmt.head.name));
                }
            }
        }
        parts.push(s);
        range = Some(sp);
    } else if let Some((block, stmt)) = statement_at(a, file, off) {
        if stmt.head.span.start <= off && off <= stmt.head.span.end {
            if let Some(doc) = head_doc(block, &stmt.head.name) {
                parts.push(doc);
                range = Some(stmt.head.span);
            }
        } else if let Some(e) = expr_at(stmt, off) {
            if let ExprKind::Quantity(q) = &e.kind {
                if let Some(v) = units(&q.number, &q.unit) {
                    parts.push(format!("`{}{}` = {v}", q.number, q.unit));
                    range = Some(e.span);
                }
            }
        }
    }
    if parts.is_empty() {
        return None;
    }
    Some((
        parts.join("\n\n---\n\n"),
        range.expect("set with the first part"),
    ))
}

fn explain_code(code: crate::diag::Code) -> String {
    let mut s = format!("**{}**: {}", code.as_str(), code.title());
    if let Some(text) = explain::explanation(code) {
        s.push_str("\n\n");
        s.push_str(text);
    }
    s
}

/// A diagnostic code written at the cursor (`E0401` in a comment).
fn code_word(text: &str, file: FileId, offset: usize) -> Option<(crate::diag::Code, Span)> {
    let (start, end) = word_bounds(text, offset);
    let word = &text[start..end];
    if word.len() == 5 && word.starts_with(['E', 'e']) {
        let code: crate::diag::Code = word.parse().ok()?;
        return Some((code, Span::new(file, start, end)));
    }
    None
}

/// The identifier-like word around `offset`.
pub fn word_bounds(text: &str, offset: usize) -> (usize, usize) {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let offset = offset.min(text.len());
    let start = text[..offset]
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_word(c))
        .last()
        .map_or(offset, |(i, _)| i);
    let end = text[offset..]
        .char_indices()
        .find(|&(_, c)| !is_word(c))
        .map_or(text.len(), |(i, _)| offset + i);
    (start, end)
}

/// Documentation of a statement: its lines in the language reference, what
/// it takes and its default (its row in the reference table) and the field
/// it becomes.
pub fn head_doc(block: Block, head: &str) -> Option<String> {
    let lines = vocab::doc_lines(block, head);
    let field = vocab::field(block, head);
    let row = vocab::reference_row(block, head);
    if lines.is_empty() && field.is_none() && row.is_none() {
        return None;
    }
    let mut s = format!("**{head}**");
    if !lines.is_empty() {
        s.push_str("\n\n```wharf\n");
        s.push_str(&lines.join("\n"));
        s.push_str("\n```");
    }
    if let Some((takes, default)) = row {
        s.push_str(&format!("\n\nTakes {takes}; default: {default}."));
    }
    if let Some(f) = field {
        s.push_str(&format!("\n\nBecomes {f}."));
    }
    Some(s)
}

/// `0.25vcpu` -> `256 CPU units`: a quantity in the unit Wharf normalises to.
pub fn units(number: &str, unit: &str) -> Option<String> {
    let n: f64 = number.parse().ok()?;
    let show = |v: f64| {
        if v.fract() == 0.0 {
            format!("{}", v as i64)
        } else {
            format!("{v}")
        }
    };
    Some(match unit {
        "vcpu" => format!("{} CPU units (1 vCPU = 1024)", show(n * 1024.0)),
        "units" => format!("{} vCPU", show(n / 1024.0)),
        "GiB" => format!("{} MiB", show(n * 1024.0)),
        "MiB" => format!("{} GiB", show(n / 1024.0)),
        "m" => format!("{} seconds", show(n * 60.0)),
        "h" => format!("{} seconds", show(n * 3600.0)),
        "ms" => format!("{} seconds (rounded up)", show((n / 1000.0).ceil())),
        "s" => format!("{} seconds", show(n)),
        _ => return None,
    })
}

fn describe_symbol(a: &Analysis, sym: &Symbol) -> String {
    let file = sym.span.file;
    let text = a.text(file);
    if sym.kind == SymKind::File {
        return format!("file `{}`", a.path(file).display());
    }
    let start = sym.span.start as usize;
    let first_line = text[start..].lines().next().unwrap_or("").trim_end();
    let mut s = format!(
        "```wharf\n{first_line}\n```\n\n{} `{}`",
        sym.kind.noun(),
        sym.name
    );
    if a.is_stdlib(file) && sym.kind == SymKind::Template {
        s = format!(
            "```wharf\n{first_line}\n```\n\n{} `std.{}`",
            sym.kind.noun(),
            sym.name
        );
    }
    if let Some(ty) = &sym.ty {
        s.push_str(&format!(": `{ty}`"));
    }
    if let Some(value) = &sym.value {
        let written = &text[value.span.start as usize..value.span.end as usize];
        s.push_str(&format!("\n\n= `{written}`"));
        if let ExprKind::Quantity(q) = &value.kind {
            if let Some(v) = units(&q.number, &q.unit) {
                s.push_str(&format!(" = {v}"));
            }
        }
    }
    if sym.kind == SymKind::Input {
        if let Some(v) = std::env::var_os(&sym.name) {
            s.push_str(&format!(
                "\n\nset in the environment: `{}`",
                v.to_string_lossy()
            ));
        }
    }
    // Comment lines right above the declaration document it.
    let comments = leading_comments(text, start);
    if !comments.is_empty() {
        s.push_str("\n\n");
        s.push_str(&comments);
    }
    if sym.kind == SymKind::Template {
        let id = a
            .index
            .symbols
            .iter()
            .position(|x| std::ptr::eq(x, sym))
            .expect("a symbol of this index");
        let params: Vec<String> = a
            .index
            .names(SymKind::Param, Some(id))
            .iter()
            .map(|p| {
                let t = &a.text(p.span.file)[p.span.start as usize..p.span.end as usize];
                format!("- `{}`", t.trim_start_matches("param ").trim())
            })
            .collect();
        if !params.is_empty() {
            s.push_str("\n\nparameters:\n");
            s.push_str(&params.join("\n"));
        }
    }
    s
}

fn leading_comments(text: &str, start: usize) -> String {
    let before = &text[..start];
    let mut lines: Vec<&str> = Vec::new();
    // Skip the declaration's own line start.
    let mut rest = &before[..before.rfind('\n').unwrap_or(0)];
    loop {
        let (head, line) = match rest.rfind('\n') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => ("", rest),
        };
        let t = line.trim();
        if let Some(c) = t.strip_prefix("//") {
            lines.push(c.trim());
        } else {
            break;
        }
        if head.is_empty() && rest.is_empty() {
            break;
        }
        if head.is_empty() {
            break;
        }
        rest = head;
    }
    lines.reverse();
    lines.join("\n")
}

/// The innermost statement at `offset` and the block it stands in.
pub fn statement_at(a: &Analysis, file: FileId, offset: u32) -> Option<(Block, &Statement)> {
    let ast = a.ast(file)?;
    let mut block = Block::Top;
    let mut list = &ast.statements;
    let mut found = None;
    loop {
        let Some(s) = list
            .iter()
            .find(|s| s.span.start <= offset && offset <= s.span.end)
        else {
            return found;
        };
        found = Some((block, s));
        match &s.block {
            Some(b) if b.span.start < offset && offset < b.span.end => {
                block = block.child(&s.head.name);
                list = &b.statements;
            }
            _ => return found,
        }
    }
}

/// The innermost expression of a statement's words or value at `offset`.
fn expr_at(s: &Statement, offset: u32) -> Option<&Expr> {
    fn inner(e: &Expr, offset: u32) -> Option<&Expr> {
        if !(e.span.start <= offset && offset <= e.span.end) {
            return None;
        }
        let children: Vec<&Expr> = match &e.kind {
            ExprKind::Range(a, b) => vec![a, b],
            ExprKind::List(items) | ExprKind::Call(_, items) => items.iter().collect(),
            ExprKind::Map(entries) => entries.iter().map(|(_, v)| v).collect(),
            ExprKind::Pair(_, v) => vec![v],
            _ => vec![],
        };
        children
            .into_iter()
            .find_map(|c| inner(c, offset))
            .or(Some(e))
    }
    s.words
        .iter()
        .chain(s.value.as_deref())
        .find_map(|e| inner(e, offset))
}

/// The heads of the blocks open at `offset`, read from the text (so it
/// works on a line being typed that does not parse yet).
pub fn open_blocks(text: &str, offset: usize) -> Vec<String> {
    let bytes = text.as_bytes();
    let end = offset.min(bytes.len());
    let mut stack: Vec<String> = Vec::new();
    let mut stmt_start = 0;
    let mut i = 0;
    while i < end {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < end && !matches!(bytes[i], b'"' | b'\n') {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < end && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..].find("*/").map_or(end, |e| i + 2 + e + 2);
                continue;
            }
            b'\n' | b';' => stmt_start = i + 1,
            b'{' => {
                let head = text[stmt_start..i]
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_string();
                stack.push(head);
                stmt_start = i + 1;
            }
            b'}' => {
                stack.pop();
                stmt_start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    stack
}

fn block_of(heads: &[String]) -> Block {
    heads.iter().fold(Block::Top, |b, h| {
        b.child(if h.contains('=') { "" } else { h })
    })
}

/// One completion item: label, kind and a short detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub label: String,
    pub kind: ItemKind,
    pub detail: String,
    /// Text to insert when it differs from the label (`port: `).
    pub insert: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    Keyword,
    Property,
    Value,
    Reference,
    Template,
    Parameter,
}

/// What may be written at `offset`: a statement at the start of a line,
/// else the words the statement's property takes and the names in scope.
pub fn complete(
    a: Option<&Analysis>,
    file: Option<FileId>,
    text: &str,
    offset: usize,
) -> Vec<Item> {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind(['\n', ';', '{']).map_or(0, |i| i + 1);
    let before = &text[line_start..offset];
    let blocks = open_blocks(text, offset);
    let block = block_of(&blocks);
    let words: Vec<&str> = before.split_whitespace().collect();
    let typing = !before.ends_with(char::is_whitespace) && !before.is_empty();
    let mut out = Vec::new();
    // Inside a template call's parentheses: its parameters.
    if let Some(open) = before.rfind('(') {
        if !before[open..].contains(')') {
            let callee = before[..open]
                .rsplit(|c: char| c.is_whitespace() || c == '=')
                .next()
                .unwrap_or("");
            if let Some(a) = a {
                for p in template_params(a, callee) {
                    out.push(Item {
                        label: p.name.clone(),
                        kind: ItemKind::Parameter,
                        detail: p.ty.clone().unwrap_or_default(),
                        insert: Some(format!("{}: ", p.name)),
                    });
                }
            }
            return out;
        }
    }
    let at_head = words.is_empty() || (words.len() == 1 && typing);
    if at_head {
        for h in block.heads().iter().chain(vocab::ANYWHERE) {
            if out.iter().any(|i: &Item| i.label == *h) {
                continue;
            }
            out.push(Item {
                label: h.to_string(),
                kind: ItemKind::Property,
                detail: vocab::field(block, h).unwrap_or("").to_string(),
                insert: None,
            });
        }
        return out;
    }
    let head = words[0];
    let prev = if typing {
        words.len().checked_sub(2).map(|i| words[i])
    } else {
        words.last().copied()
    };
    let after_eq = before.contains('=');
    // A template after `use` or `=`.
    if head == "use" || (after_eq && block.child(head) == Block::Container) {
        if let Some(a) = a {
            for (i, s) in a.index.symbols.iter().enumerate() {
                if s.kind != SymKind::Template {
                    continue;
                }
                let label = if a.index.in_stdlib(i) {
                    format!("std.{}", s.name)
                } else {
                    s.name.clone()
                };
                out.push(Item {
                    insert: Some(format!("{label}(")),
                    label,
                    kind: ItemKind::Template,
                    detail: "template".to_string(),
                });
            }
        }
        return out;
    }
    // Declared names the word may refer to.
    let kind = match (block, head, prev) {
        (Block::Top, "service", Some("in")) => Some(SymKind::Cluster),
        (Block::Service, "expose", Some("via")) => Some(SymKind::LoadBalancer),
        (Block::Service, "task", _) => Some(SymKind::Task),
        (Block::Service | Block::Cluster | Block::LoadBalancer, "network", _) => {
            Some(SymKind::Network)
        }
        (Block::Service, "callers" | "caller", _) => Some(SymKind::Service),
        (Block::Container, "depends_on", _) if words.len() <= 2 => Some(SymKind::Container),
        (Block::Container, "mount", _) if words.len() <= 2 => Some(SymKind::Volume),
        (Block::Task, "ambassador", Some("for")) => Some(SymKind::Container),
        _ => None,
    };
    if let (Some(a), Some(kind)) = (a, kind) {
        let parent = match kind {
            SymKind::Container | SymKind::Volume => file.and_then(|f| enclosing_task(a, f, offset)),
            _ => None,
        };
        if parent.is_some() || !matches!(kind, SymKind::Container | SymKind::Volume) {
            for s in a.index.names(kind, parent) {
                out.push(Item {
                    label: s.name.clone(),
                    kind: ItemKind::Reference,
                    detail: kind.noun().to_string(),
                    insert: None,
                });
            }
        }
    }
    if (block, head) == (Block::Top, "input") && before.contains(':') {
        for t in vocab::INPUT_TYPES {
            out.push(Item {
                label: t.to_string(),
                kind: ItemKind::Value,
                detail: "input type".to_string(),
                insert: None,
            });
        }
        return out;
    }
    if head == "param" && before.contains(':') {
        for t in vocab::PARAM_TYPES {
            out.push(Item {
                label: t.to_string(),
                kind: ItemKind::Value,
                detail: "parameter type".to_string(),
                insert: None,
            });
        }
        return out;
    }
    for c in vocab::choices(block, head) {
        out.push(Item {
            label: c.to_string(),
            kind: ItemKind::Value,
            detail: format!("`{head}` value"),
            insert: None,
        });
    }
    // Constants, inputs and the template's parameters.
    if let Some(a) = a {
        let template = file.and_then(|f| enclosing_template(a, f, offset));
        let mut values: Vec<&Symbol> = a.index.names(SymKind::Let, None);
        values.extend(a.index.names(SymKind::Input, None));
        if let Some(t) = template {
            values.extend(a.index.names(SymKind::Param, Some(t)));
        }
        values.sort_by(|x, y| x.name.cmp(&y.name));
        for s in values {
            if out.iter().any(|i| i.label == s.name) {
                continue;
            }
            out.push(Item {
                label: s.name.clone(),
                kind: ItemKind::Reference,
                detail: s.kind.noun().to_string(),
                insert: None,
            });
        }
    }
    out
}

fn template_params<'a>(a: &'a Analysis, callee: &str) -> Vec<&'a Symbol> {
    let (std, name) = match callee.strip_prefix("std.") {
        Some(n) => (true, n),
        None => (false, callee),
    };
    let Some(t) = a.index.symbols.iter().enumerate().position(|(i, s)| {
        s.kind == SymKind::Template && s.name == name && a.index.in_stdlib(i) == std
    }) else {
        return Vec::new();
    };
    a.index.names(SymKind::Param, Some(t))
}

/// The task whose block holds `offset` (or the task a service there runs).
fn enclosing_task(a: &Analysis, file: FileId, offset: usize) -> Option<usize> {
    let off = offset as u32;
    a.index.symbols.iter().enumerate().find_map(|(i, s)| {
        let inside = s.span.file == file && s.span.start <= off && off <= s.span.end;
        match s.kind {
            SymKind::Task if inside => Some(i),
            SymKind::Service if inside => {
                let text = a.text(file);
                let body = &text[s.span.start as usize..s.span.end as usize];
                body.lines()
                    .map(str::trim)
                    .find_map(|l| l.strip_prefix("task "))
                    .and_then(|t| a.index.lookup(SymKind::Task, None, t.trim()))
            }
            _ => None,
        }
    })
}

fn enclosing_template(a: &Analysis, file: FileId, offset: usize) -> Option<usize> {
    let off = offset as u32;
    a.index.symbols.iter().position(|s| {
        s.kind == SymKind::Template
            && s.span.file == file
            && s.span.start <= off
            && off <= s.span.end
    })
}

/// A document symbol: name, kind, full range, name range, children.
#[derive(Debug, Clone)]
pub struct DocSymbol {
    pub name: String,
    pub kind: SymKind,
    pub span: Span,
    pub name_span: Span,
    pub children: Vec<DocSymbol>,
}

/// The declarations of one file, containers and parameters nested under
/// their task or template.
pub fn symbols(a: &Analysis, file: FileId) -> Vec<DocSymbol> {
    let ix = &a.index;
    let mut out = Vec::new();
    for (i, s) in ix.symbols.iter().enumerate() {
        if s.parent.is_some() || s.name_span.file != file || s.kind == SymKind::File {
            continue;
        }
        let children = ix
            .symbols
            .iter()
            .filter(|c| c.parent == Some(i))
            .map(|c| DocSymbol {
                name: c.name.clone(),
                kind: c.kind,
                span: c.span,
                name_span: c.name_span,
                children: Vec::new(),
            })
            .collect();
        out.push(DocSymbol {
            name: s.name.clone(),
            kind: s.kind,
            span: s.span,
            name_span: s.name_span,
            children,
        });
    }
    out
}

/// The edits to one file: spans and their replacements.
pub type FileEdits = (FileId, Vec<(Span, String)>);

/// The edits that rename the symbol at `offset` to `new_name`, by file.
pub fn rename(
    a: &Analysis,
    file: FileId,
    offset: usize,
    new_name: &str,
) -> Result<Vec<FileEdits>, String> {
    let valid = new_name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && new_name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let (target, _) = a
        .index
        .at(file, offset as u32)
        .ok_or_else(|| "there is no declared name here".to_string())?;
    if a.index.symbols[target].kind == SymKind::File {
        return Err("rename the file itself to rename an import".to_string());
    }
    if a.index.in_stdlib(target) {
        return Err("a stdlib name cannot be renamed".to_string());
    }
    if !valid {
        return Err(format!("`{new_name}` is not a valid name"));
    }
    let mut by_file: Vec<FileEdits> = Vec::new();
    for sp in a.index.occurrences(target) {
        let written = &a.text(sp.file)[sp.start as usize..sp.end as usize];
        let replacement = if written.starts_with('"') {
            format!("\"{new_name}\"")
        } else {
            new_name.to_string()
        };
        match by_file.iter_mut().find(|(f, _)| *f == sp.file) {
            Some((_, edits)) => edits.push((sp, replacement)),
            None => by_file.push((sp.file, vec![(sp, replacement)])),
        }
    }
    Ok(by_file)
}

/// The whole-document edit `wharf fmt` makes, if the text parses and is not
/// formatted; `None` when it does not parse.
pub fn format(text: &str) -> Option<Option<String>> {
    let mut sources = crate::diag::SourceMap::new();
    let id = sources.add("<document>", text);
    crate::syntax::parse(sources.get(id)).ok()?;
    let formatted = crate::fmt::format(text);
    Some((formatted != text).then_some(formatted))
}
