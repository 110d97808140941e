//! Wharf: a typed language and compiler for Amazon ECS.
//!
//! Pipeline: `syntax::parse` -> `check::check` -> `ir::Program` ->
//! `emit::{ecs, cloudformation, local}`; `runner` executes a local manifest.
//! Nothing below `cli` and `runner` prints, reads files or the environment.

pub mod ast;
pub mod diag;
pub mod syntax;
pub mod cli;
pub mod emit;
pub mod manifest;
pub mod runner;
