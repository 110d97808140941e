//! The targets a program is emitted for, and the one dispatch from a target
//! to its backend. Stage: emit. Input: a checked `ir::Program`. Output: the
//! target's artifacts, or the diagnostics of what it cannot express.

use super::Artifact;
use crate::diag::Diagnostic;
use crate::ir;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// ECS API JSON: RegisterTaskDefinition, CreateService, CreateCluster inputs.
    Ecs,
    /// One deployable CloudFormation stack (or joined stacks past its limits).
    Cloudformation,
    /// The local runtime manifest that `wharf up` runs.
    Local,
}

/// Template syntax for `--target cloudformation`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TemplateFormat {
    #[default]
    Json,
    Yaml,
}

impl Target {
    /// Runs this target's backend over a checked program; `format` is the
    /// template syntax, which only CloudFormation has.
    pub fn emit(
        self,
        program: &ir::Program,
        format: TemplateFormat,
    ) -> Result<Vec<Artifact>, Vec<Diagnostic>> {
        use super::cloudformation::{emit_cloudformation, Format};
        match (self, format) {
            (Target::Ecs, _) => super::ecs::emit_ecs(program),
            (Target::Local, _) => super::local::emit_local(program),
            (Target::Cloudformation, TemplateFormat::Json) => {
                emit_cloudformation(program, Format::Json)
            }
            (Target::Cloudformation, TemplateFormat::Yaml) => {
                emit_cloudformation(program, Format::Yaml)
            }
        }
    }
}
