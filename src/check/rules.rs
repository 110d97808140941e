//! ECS rules over the lowered program (E04xx).

use super::Cx;
use crate::ir::Program;

pub fn check(_cx: &mut Cx, _program: &Program) {}
