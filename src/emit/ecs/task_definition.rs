//! `ir::Task` -> `RegisterTaskDefinition` input: the shared renderer
//! (`emit::render`) in the API's spelling, with input values substituted,
//! and the roles as ARNs (or the reasons there is none).

use serde_json::Value;

use super::{errors, resolve, Api};
use crate::diag::{Diagnostic, Span};
use crate::emit::render::{self, Roles};
use crate::ir;

/// The role name AWS documents for an account's default task execution role.
pub(crate) const DEFAULT_EXECUTION_ROLE: &str = "ecsTaskExecutionRole";

pub(crate) fn emit_task_definition(
    program: &ir::Program,
    task: &ir::Task,
    diags: &mut Vec<Diagnostic>,
) -> Value {
    let roles = Roles {
        task: task_role(program, task, diags).map(Value::from),
        execution: execution_role(program, task, diags).map(Value::from),
    };
    render::task_definition(&Api(program), task, roles)
}

/// The task role: an ARN as given. A generated role is omitted when it
/// would grant nothing, and is E0506 when something needs it: `allow`
/// statements, IAM authorization to an EFS volume, or ECS Exec on a service
/// running the task (the grants the CloudFormation target puts in it).
pub(crate) fn task_role(
    program: &ir::Program,
    task: &ir::Task,
    diags: &mut Vec<Diagnostic>,
) -> Option<String> {
    match &task.task_role {
        ir::Role::Arn(arn) => Some(resolve(program, arn)),
        ir::Role::None => None,
        ir::Role::Generated => {
            let mut reasons: Vec<(Span, String)> = task
                .permissions
                .iter()
                .map(|p| (p.span, "this permission needs a generated task role".into()))
                .collect();
            reasons.extend(task.volumes.iter().filter_map(|v| match &v.kind {
                ir::VolumeKind::Efs(efs) if efs.iam => Some((
                    v.span,
                    format!(
                        "IAM authorization to volume `{}` mounts with the task role",
                        v.name
                    ),
                )),
                _ => None,
            }));
            reasons.extend(
                program
                    .services
                    .iter()
                    .filter(|s| s.task == task.name && s.execute_command)
                    .map(|s| {
                        (
                            s.span,
                            format!("ECS Exec into service `{}` needs a task role", s.name),
                        )
                    }),
            );
            if !reasons.is_empty() {
                diags.push(errors::needs_task_role(&task.name, &reasons, task.span));
            }
            None
        }
    }
}

/// The execution role: an ARN as given; a generated role, when something
/// needs it, becomes the ARN of the account's conventional
/// `ecsTaskExecutionRole` (the program names the account), else E0507.
pub(crate) fn execution_role(
    program: &ir::Program,
    task: &ir::Task,
    diags: &mut Vec<Diagnostic>,
) -> Option<String> {
    match &task.execution_role {
        ir::Role::Arn(arn) => Some(resolve(program, arn)),
        ir::Role::None => None,
        // The checker leaves `Generated` only where something needs the role.
        ir::Role::Generated => match &program.account {
            Some(account) => {
                let partition = match program.region.as_deref() {
                    Some(r) if r.starts_with("cn-") => "aws-cn",
                    Some(r) if r.starts_with("us-gov-") => "aws-us-gov",
                    _ => "aws",
                };
                Some(format!(
                    "arn:{partition}:iam::{account}:role/{DEFAULT_EXECUTION_ROLE}"
                ))
            }
            None => {
                diags.push(errors::needs_execution_role(&task.name, task.span));
                None
            }
        },
    }
}
