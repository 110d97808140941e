//! Compiling a program held in memory, for the tests that probe the
//! checker's rules: the checked program, or the codes of its diagnostics in
//! report order.

#![allow(dead_code)]

use std::path::Path;
use wharf::driver::{self, Memory};

/// Checks `source` as `probe.wharf`; the program, or its diagnostics' codes.
pub fn compile(source: &str) -> Result<wharf::ir::Program, Vec<String>> {
    let fs = Memory::with("probe.wharf", source.to_string());
    driver::compile(&fs, Path::new("probe.wharf"), &Default::default())
        .map(|c| c.program)
        .map_err(|failed| {
            failed
                .diags
                .iter()
                .map(|d| d.code.as_str().to_string())
                .collect()
        })
}

/// The codes `wharf check` gives for `source`; none when it checks.
pub fn codes(source: &str) -> Vec<String> {
    compile(source).err().unwrap_or_default()
}
