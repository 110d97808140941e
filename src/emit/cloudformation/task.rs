//! Task definitions. Stage: emit. Input: `ir::Task`; output:
//! `AWS::ECS::TaskDefinition` whose properties are the shared renderer's
//! (`emit::render`, the content of the ECS API backend's
//! `RegisterTaskDefinition` input) in CloudFormation's dialect, plus
//! the generated IAM roles (`iam.rs`). A task definition depends on the log
//! groups Wharf creates for it, so no task starts before its group exists.

use crate::emit::json::json;
use serde_json::Value;

use super::ids::Kind;
use super::value::get_att;
use super::{Ctx, Owner};
use crate::emit::render::{self, Roles};
use crate::ir::{self, Role};

impl<'a> Ctx<'a> {
    pub fn task_id(&self, task: &str) -> String {
        format!("{}TaskDefinition", self.ids.base(Kind::Task, task))
    }

    pub(super) fn emit_task(&mut self, t: &'a ir::Task) {
        let owner = *self
            .ix
            .task_owner
            .get(t.name.as_str())
            .unwrap_or(&Owner::Shared);
        let b = self.at(Kind::Task, &t.name, owner);
        let execution = self.role_value(&t.execution_role, &format!("{b}ExecutionRole"));
        let task_role = self.role_value(&t.task_role, &format!("{b}TaskRole"));
        if t.execution_role == Role::Generated {
            self.emit_execution_role(&b, t);
        }
        if t.task_role == Role::Generated {
            self.emit_task_role(&b, t);
        }
        let mut depends: Vec<String> = Vec::new();
        for c in &t.containers {
            if let Some(g) = c.log.as_ref().and_then(|l| l.group.as_deref()) {
                if self.ix.log_groups.contains_key(g) {
                    let id = self.log_group_id(g);
                    if !depends.contains(&id) {
                        depends.push(id);
                    }
                }
            }
        }
        let roles = Roles {
            task: Some(task_role).filter(|v| !v.is_null()),
            execution: Some(execution).filter(|v| !v.is_null()),
        };
        let mut properties = render::task_definition(self, t, roles);
        self.add_queue_variables(t, &mut properties);
        let mut resource = json!({ "Type": "AWS::ECS::TaskDefinition" });
        if !depends.is_empty() {
            resource["DependsOn"] = json!(depends);
        }
        resource["Properties"] = properties;
        self.at(Kind::Task, &t.name, owner);
        self.add(format!("{b}TaskDefinition"), resource);
    }

    pub(super) fn role_value(&self, role: &Role, generated_id: &str) -> Value {
        match role {
            // A role's short name (ECS completes it with the account) is
            // written as the ARN it stands for, which CloudFormation's
            // schema requires.
            Role::Arn(t) if t.as_literal().is_some_and(|r| !r.starts_with("arn:")) => {
                self.sub_text("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/", t, "")
            }
            Role::Arn(t) => self.text(t),
            Role::Generated => get_att(generated_id, "Arn"),
            Role::None => Value::Null,
        }
    }
}

/// The CloudFormation dialect of the shared renderer: CloudFormation's
/// property names and order, inputs as `Ref` / `Fn::Sub` of parameters.
impl render::Dialect for Ctx<'_> {
    fn case(&self) -> render::Case {
        render::Case::CloudFormation
    }

    fn text(&self, t: &ir::Text) -> Value {
        Ctx::text(self, t)
    }

    fn capacity_provider(&self, name: &str) -> Value {
        self.provider_value(name)
    }
}
