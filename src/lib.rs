//! Wharf: a typed language and compiler for Amazon ECS.
//!
//! Pipeline: `syntax::parse` -> `check::check` -> `ir::Program` ->
//! `emit::{ecs, cloudformation, local}`; `runner` executes a local manifest.
//! [`driver::compile`] runs the pipeline over a program read through an
//! injected file system; [`diag::Emitter`] renders what fails.
//! Nothing below `cli`, `lsp` and `runner` prints, reads files or the
//! environment, except through the file system given to the driver.

pub mod ast;
pub mod check;
pub mod cli;
pub mod cron;
pub mod diag;
pub mod driver;
pub mod emit;
pub mod fmt;
pub mod hash;
pub mod import;
pub mod ir;
pub mod lsp;
pub mod manifest;
pub mod report;
pub mod runner;
pub mod stdlib;
pub mod syntax;
