//! The standard library, written in Wharf (`stdlib/*.wharf`) and embedded in
//! the binary. Its templates are available to every program as `std.NAME`.

use crate::ast;
use crate::diag::{Diagnostic, FileId, SourceMap};

/// `(module, source)`; each is loaded as the file `<stdlib/MODULE.wharf>`.
pub const MODULES: &[(&str, &str)] = &[("ecs", include_str!("../stdlib/ecs.wharf"))];

/// Adds the stdlib to a source map and parses it: the files, their ids (for
/// `check::Options::stdlib`) and any syntax error (none in a release).
pub fn load(sources: &mut SourceMap) -> (Vec<ast::File>, Vec<FileId>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut ids = Vec::new();
    let mut diags = Vec::new();
    for (module, text) in MODULES {
        let id = sources.add(format!("<stdlib/{module}.wharf>"), *text);
        match crate::syntax::parse(sources.get(id)) {
            Ok(f) => files.push(f),
            Err(mut d) => diags.append(&mut d),
        }
        ids.push(id);
    }
    (files, ids, diags)
}
