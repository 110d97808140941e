//! Jobs and schedules. Stage: emit (CloudFormation). Input: `ir::Job`,
//! `ir::Schedule`; output:
//!
//! - per job, an output with its task definition ARN: a one-off task has no
//!   resource of its own (the ECS target's `run_tasks/<job>.json` runs it);
//! - per schedule, an `AWS::Scheduler::Schedule` whose target is the job's
//!   cluster with `EcsParameters` (task definition, count, launch type or
//!   capacity provider strategy, awsvpc network configuration) and the
//!   container overrides as its `Input`, and, unless a role is given, the
//!   `AWS::IAM::Role` EventBridge Scheduler assumes, with least privilege:
//!   `ecs:RunTask` on the task definition family's revisions in the job's
//!   cluster only, `iam:PassRole` on the task's own roles only, to ECS.
//!
//! The schedule's name is left to CloudFormation (unique per stack, so
//! environments deployed side by side do not collide).

use crate::emit::json::json;
use serde_json::Value;

use super::ids::Kind;
use super::value::{escape_sub, get_att, props, r#ref, sub};
use super::{Ctx, Owner};
use crate::ir::{self, JobLaunch, JobSubnets, TextPart};

/// Marks an input's place in a JSON string built for `Input`.
const MARK: &str = "@@wharf-input@@";

impl<'a> Ctx<'a> {
    /// The stack a job's resources go to when the program is split: its
    /// task definition's (they refer to it).
    fn job_owner(&self, task: &str) -> Owner {
        *self.ix.task_owner.get(task).unwrap_or(&Owner::Shared)
    }

    pub(super) fn emit_job(&mut self, j: &'a ir::Job) {
        let owner = self.job_owner(&j.task);
        let b = self.at(Kind::Job, &j.name, owner);
        let task_id = self.task_id(&j.task);
        self.output(
            format!("{b}JobTaskDefinition"),
            &format!(
                "Task definition of job `{}` (run it with `aws ecs run-task`)",
                j.name
            ),
            r#ref(&task_id),
        );
    }

    pub(super) fn emit_schedule(&mut self, s: &'a ir::Schedule) {
        let job = self.ix.job(&s.job);
        let owner = self.job_owner(&job.task);
        let b = self.at(Kind::Schedule, &s.name, owner);
        let task = self.ix.task(&job.task);
        let cluster_id = self.cluster_id(&job.cluster);
        let task_b = self.ids.base(Kind::Task, &task.name);
        let role_arn = match &s.role {
            Some(r) => self.role_value(&ir::Role::Arn(r.clone()), ""),
            None => {
                let pass: Vec<Value> = [
                    self.role_value(&task.execution_role, &format!("{task_b}ExecutionRole")),
                    self.role_value(&task.task_role, &format!("{task_b}TaskRole")),
                ]
                .into_iter()
                .filter(|v| !v.is_null())
                .collect();
                let mut statements = vec![json!({
                    "Effect": "Allow",
                    "Action": "ecs:RunTask",
                    "Resource": sub(format!(
                        "arn:${{AWS::Partition}}:ecs:${{AWS::Region}}:${{AWS::AccountId}}:task-definition/{}:*",
                        escape_sub(&task.family)
                    )),
                    "Condition": { "ArnEquals": { "ecs:cluster": get_att(&cluster_id, "Arn") } }
                })];
                if !pass.is_empty() {
                    statements.push(json!({
                        "Effect": "Allow",
                        "Action": "iam:PassRole",
                        "Resource": pass,
                        "Condition": { "StringLike": { "iam:PassedToService": "ecs-tasks.amazonaws.com" } }
                    }));
                }
                let trust = json!({ "Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow",
                    "Principal": { "Service": "scheduler.amazonaws.com" },
                    "Action": "sts:AssumeRole",
                    "Condition": { "StringEquals": { "aws:SourceAccount": { "Ref": "AWS::AccountId" } } } }] });
                let id = format!("{b}ScheduleRole");
                self.add_role(
                    id.clone(),
                    &format!("EventBridge Scheduler runs job `{}`", job.name),
                    trust,
                    "run-job",
                    statements,
                );
                get_att(&id, "Arn")
            }
        };
        let (launch_type, strategy) = match &job.launch {
            JobLaunch::Type(t) => (Some(t.as_str()), None),
            JobLaunch::Strategy(items) => (None, Some(self.strategy(items))),
        };
        let network = job.network.as_ref().map(|n| {
            let subnets = match &n.subnets {
                JobSubnets::Given(sr) => self.subnets(sr),
                JobSubnets::Network { name, public } => match self.net(name) {
                    Some(f) if *public => f.public_subnets.clone(),
                    Some(f) => f.private_subnets.clone(),
                    None => json!([]),
                },
            };
            json!({ "AwsvpcConfiguration": props(json!({
                "AssignPublicIp": if n.public_ip { "ENABLED" } else { "DISABLED" },
                "SecurityGroups": (!n.security_groups.is_empty()).then(|| self.groups(&n.security_groups)),
                "Subnets": subnets })) })
        });
        let retry = (s.retries.is_some() || s.max_age_seconds.is_some()).then(|| {
            props(json!({
                "MaximumEventAgeInSeconds": s.max_age_seconds,
                "MaximumRetryAttempts": s.retries }))
        });
        let target = props(json!({
            "Arn": get_att(&cluster_id, "Arn"),
            "RoleArn": role_arn,
            "RetryPolicy": retry,
            "Input": self.overrides_input(job),
            "EcsParameters": props(json!({
                "TaskDefinitionArn": r#ref(&self.task_id(&job.task)),
                "TaskCount": job.count,
                "LaunchType": launch_type,
                "CapacityProviderStrategy": strategy,
                "NetworkConfiguration": network,
                "PlatformVersion": job.written_platform_version(),
                "Group": format!("job:{}", job.name),
                "EnableECSManagedTags": false,
                "EnableExecuteCommand": false,
                "PropagateTags": "TASK_DEFINITION",
                "Tags": (!job.tags.is_empty()).then(|| {
                    let map: serde_json::Map<String, Value> =
                        job.tags.iter().map(|(k, v)| (k.clone(), self.text(v))).collect();
                    json!([map])
                }),
            })),
        }));
        let window = match s.window_minutes {
            Some(m) => json!({ "Mode": "FLEXIBLE", "MaximumWindowInMinutes": m }),
            None => json!({ "Mode": "OFF" }),
        };
        let mut resource = json!({ "Type": "AWS::Scheduler::Schedule" });
        let uses_providers = matches!(job.launch, JobLaunch::Strategy(_));
        if let Some(c) = self.ix.clusters.get(job.cluster.as_str()) {
            if uses_providers && !c.capacity_providers.is_empty() {
                resource["DependsOn"] = json!([self.associations_id(&c.name)]);
            }
        }
        resource["Properties"] = props(json!({
            "Description": format!("Runs Wharf job `{}`", job.name),
            "ScheduleExpression": s.expression.render(),
            "ScheduleExpressionTimezone": &s.timezone,
            "State": if s.enabled { "ENABLED" } else { "DISABLED" },
            "FlexibleTimeWindow": window,
            "Target": target,
        }));
        let id = format!("{b}Schedule");
        self.add(id.clone(), resource);
        self.output(
            format!("{b}ScheduleArn"),
            &format!("ARN of schedule `{}`", s.name),
            get_att(&id, "Arn"),
        );
    }

    /// Security groups given on a job: a list input is spliced in.
    fn groups(&self, given: &[ir::Text]) -> Value {
        if let [one] = given {
            if self.is_list_input(one) {
                return self.text(one);
            }
        }
        if !given.iter().any(|t| self.is_list_input(t)) {
            return self.texts(given);
        }
        let parts: Vec<Value> = given
            .iter()
            .map(|t| {
                if self.is_list_input(t) {
                    json!({ "Fn::Join": [",", self.text(t)] })
                } else {
                    self.text(t)
                }
            })
            .collect();
        json!({ "Fn::Split": [",", { "Fn::Join": [",", parts] }] })
    }

    /// The container overrides as the target's `Input` (a JSON string): a
    /// literal string, or `Fn::Join` of its pieces where inputs come in.
    fn overrides_input(&self, job: &ir::Job) -> Option<Value> {
        if job.overrides.is_empty() {
            return None;
        }
        let text = |t: &ir::Text| -> String {
            t.parts
                .iter()
                .map(|p| match p {
                    TextPart::Lit(l) => l.clone(),
                    TextPart::Input(n) => format!("{MARK}{n}{MARK}"),
                })
                .collect()
        };
        let overrides: Vec<Value> = job
            .overrides
            .iter()
            .map(|o| {
                let env: Vec<Value> = o
                    .environment
                    .iter()
                    .map(|(k, v)| json!({ "name": k, "value": text(v) }))
                    .collect();
                props(json!({
                    "name": &o.container,
                    "command": o.command.as_ref().map(|c| c.iter().map(text).collect::<Vec<_>>()),
                    "environment": (!env.is_empty()).then_some(env),
                }))
            })
            .collect();
        let doc = json!({ "containerOverrides": overrides }).to_string();
        if !doc.contains(MARK) {
            return Some(Value::String(doc));
        }
        let parts: Vec<Value> = doc
            .split(MARK)
            .enumerate()
            .filter(|(_, p)| !p.is_empty())
            .map(|(i, p)| {
                if i % 2 == 1 {
                    r#ref(&self.param(p))
                } else {
                    Value::String(p.to_string())
                }
            })
            .collect();
        Some(json!({ "Fn::Join": ["", parts] }))
    }
}
