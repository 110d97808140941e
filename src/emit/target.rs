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
    /// Runs this target's backend, handing each file to `sink` as soon as
    /// it is rendered, in no fixed order, so that a large program's output
    /// is never all in memory; stops when `sink` returns false. After an
    /// error the backend hands over nothing more: a caller writing files
    /// discards what it got.
    pub fn emit_into(
        self,
        program: &ir::Program,
        format: TemplateFormat,
        sink: &mut dyn FnMut(Artifact) -> bool,
    ) -> Result<(), Vec<Diagnostic>> {
        use super::cloudformation::{emit_cloudformation_into, Format};
        match (self, format) {
            (Target::Ecs, _) => super::ecs::emit_ecs_into(program, sink),
            (Target::Local, _) => {
                for a in super::local::emit_local(program)? {
                    if !sink(a) {
                        break;
                    }
                }
                Ok(())
            }
            (Target::Cloudformation, TemplateFormat::Json) => {
                emit_cloudformation_into(program, Format::Json, sink)
            }
            (Target::Cloudformation, TemplateFormat::Yaml) => {
                emit_cloudformation_into(program, Format::Yaml, sink)
            }
        }
    }

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
