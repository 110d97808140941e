//! ECS API JSON backend (being written on its own branch).

use super::Artifact;
use crate::diag::Diagnostic;
use crate::ir::Program;

pub fn emit_ecs(_program: &Program) -> Result<Vec<Artifact>, Vec<Diagnostic>> {
    Ok(Vec::new())
}
