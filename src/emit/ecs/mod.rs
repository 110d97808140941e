//! ECS API JSON backend. Stage: emit. Input: a checked `&ir::Program`.
//! Output: one artifact per API call a person (or CI) makes, each the exact
//! `--cli-input-json` document of that call:
//!
//! - `clusters/<cluster>.json`: `CreateCluster`,
//! - `capacity_providers/<provider>.json`: `CreateCapacityProvider`, for each
//!   EC2 auto scaling group provider a cluster names (the cluster refers to it
//!   by name, so it must be created first),
//! - `log_groups/<group>.json`: CloudWatch Logs `CreateLogGroup`, and
//!   `log_group_retention/<group>.json`: `PutRetentionPolicy`, for each log
//!   group Wharf owns (`/ecs/web` is `ecs_web`), as the stack creates them,
//! - `taskdefs/<family>.json`: `RegisterTaskDefinition`,
//! - `services/<service>.json`: `CreateService`, and
//!   `service_updates/<service>.json`: `UpdateService`, for a deploy when
//!   the service exists,
//! - `run_tasks/<job>.json`: `RunTask`, and for each schedule
//!   `schedules/<schedule>.json`: EventBridge Scheduler `CreateSchedule`,
//!   with its role's IAM `CreateRole` and `PutRolePolicy` (`job.rs`),
//! - `scalable_targets/<service>.json`: Application Auto Scaling
//!   `RegisterScalableTarget`, and `scaling_policies/<service>-<metric>.json`:
//!   `PutScalingPolicy`, for a service with `autoscale`.
//!
//! Invariants:
//! - Deterministic: artifacts are sorted by path, JSON keys follow the member
//!   order of the botocore ECS model (the order of the AWS API reference and
//!   of `aws ecs ... --generate-cli-skeleton`), and lists keep IR order.
//! - Explicit: every value ECS would otherwise pick silently is written out
//!   (`essential`, port `protocol` and `hostPort`, `networkMode`,
//!   `requiresCompatibilities`, health check timings, `runtimePlatform`,
//!   `schedulingStrategy`, `deploymentConfiguration`, `deploymentController`,
//!   `launchType` or `capacityProviderStrategy`, `platformVersion` on
//!   Fargate, `assignPublicIp`, cluster `containerInsights`, ...).
//! - Inputs are substituted with their value for this build
//!   (`Text::resolve`); list inputs (subnets, security groups) are split on
//!   commas.
//! - All or nothing: every diagnostic is collected, and if there is any, no
//!   artifact is returned.
//!
//! Roles. The ECS API cannot create IAM roles, so a generated role
//! (`ir::Role::Generated`) has no ARN of its own here:
//! - a generated **execution role** is written as the ARN of the account's
//!   conventional `ecsTaskExecutionRole` (the role the ECS console creates)
//!   when the program names its `account`; without one it is E0507, since
//!   `executionRoleArn` must be an ARN. It is omitted when nothing needs it:
//!   no secrets or secret log options, and, on Fargate or external
//!   instances, no awslogs and no private ECR image (on EC2 the agent uses
//!   the container instance's role for those).
//! - a generated **task role** is omitted when it would grant nothing; when
//!   something needs it (`allow` statements, IAM authorization to an EFS
//!   volume, ECS Exec), the role would have to be created, which only
//!   CloudFormation can do, so that is error E0506 (give `task_role
//!   "arn:..."` or build `--target cloudformation`).
//!
//! Likewise, what only CloudFormation creates and the ECS API cannot refer to
//! is a coded diagnostic: a target group (E0501), subnets of a created VPC
//! (E0502), a Cloud Map service (E0503), and the alternate target group,
//! listener rule and role of a blue/green, linear or canary deployment
//! (E0508), the security group of an awsvpc service that names none (E0520)
//! and the `callers` / `egress` rules that would go into it (E0521), and the
//! ALB resource label of request-count scaling (E0522), and the URL and ARN
//! of a created SQS queue without the program's account and region (E0534),
//! and EC2 capacity a cluster creates (E0535: a launch template, auto
//! scaling group and instance profile are not ECS API objects).
//! Nothing the
//! CloudFormation target would create is dropped silently: listener rules
//! belong to the load balancer behind the given target group.

mod cluster;
mod errors;
mod job;
mod logs;
mod queue;
mod scaling;
mod service;
mod task_definition;

use serde_json::{Map, Value};

use super::{render, to_json, Artifact};
use crate::diag::{self, Diagnostic};
use crate::ir;

/// Lowers a checked program to ECS API inputs, or the reasons it cannot be.
pub fn emit_ecs(program: &ir::Program) -> Result<Vec<Artifact>, Vec<Diagnostic>> {
    let mut artifacts = Vec::new();
    emit_ecs_into(program, &mut |a| {
        artifacts.push(a);
        true
    })?;
    artifacts.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(artifacts)
}

/// [`emit_ecs`], handing each file to `sink` as it is rendered (in program
/// order, not sorted) until an error or until `sink` returns false.
pub fn emit_ecs_into(
    program: &ir::Program,
    sink: &mut dyn FnMut(Artifact) -> bool,
) -> Result<(), Vec<Diagnostic>> {
    super::refuse_secret_inputs(program, "ECS")?;
    let mut diags = Vec::new();
    // Files go to the sink while no error has been found.
    let mut open = true;
    let mut put = |a: Artifact, diags: &Vec<Diagnostic>| {
        if open && diags.is_empty() {
            open = sink(a);
        }
    };
    let mut providers: Vec<&str> = Vec::new();

    for c in &program.clusters {
        put(
            artifact(
                format!("clusters/{}.json", c.name),
                &cluster::emit_cluster(program, c),
            ),
            &diags,
        );
        for p in &c.capacity_providers {
            if let ir::CapacityProvider::Ec2(ec2) = p {
                if let Some(created) = &ec2.created {
                    diags.push(errors::created_capacity(&ec2.name, created.span));
                    continue;
                }
                if !providers.contains(&ec2.name.as_str()) {
                    providers.push(&ec2.name);
                    put(
                        artifact(
                            format!("capacity_providers/{}.json", ec2.name),
                            &cluster::emit_capacity_provider(program, ec2),
                        ),
                        &diags,
                    );
                }
            }
        }
    }
    for g in &program.log_groups {
        let stem = logs::stem(g);
        put(
            artifact(
                format!("log_groups/{stem}.json"),
                &logs::create_log_group(g),
            ),
            &diags,
        );
        put(
            artifact(
                format!("log_group_retention/{stem}.json"),
                &logs::put_retention_policy(g),
            ),
            &diags,
        );
    }
    for t in &program.tasks {
        let mut json = task_definition::emit_task_definition(program, t, &mut diags);
        queue::add_variables(program, t, &mut json);
        put(
            artifact(format!("taskdefs/{}.json", t.family), &json),
            &diags,
        );
    }
    let index = ir::Index::new(program);
    for s in &program.services {
        let json = service::emit_service(program, &index, s, &mut diags);
        put(
            artifact(
                format!("service_updates/{}.json", s.name),
                &service::update_service(&json),
            ),
            &diags,
        );
        put(artifact(format!("services/{}.json", s.name), &json), &diags);
        for (path, json) in queue::documents(program, s, &mut diags) {
            put(artifact(path, &json), &diags);
        }
        if let Some(a) = &s.autoscale {
            put(
                artifact(
                    format!("scalable_targets/{}.json", s.name),
                    &scaling::scalable_target(s, a),
                ),
                &diags,
            );
            for (name, policy) in scaling::policies(s, a, &mut diags) {
                put(
                    artifact(format!("scaling_policies/{name}.json"), &policy),
                    &diags,
                );
            }
        }
    }

    for j in &program.jobs {
        let json = job::run_task(program, &index, j, &mut diags);
        put(
            artifact(format!("run_tasks/{}.json", j.name), &json),
            &diags,
        );
    }
    for s in &program.schedules {
        for (path, json) in job::schedule(program, &index, s, &mut diags) {
            put(artifact(path, &json), &diags);
        }
    }

    if !diags.is_empty() {
        diag::sort(&mut diags);
        return Err(diags);
    }
    Ok(())
}

fn artifact(path: String, json: &Value) -> Artifact {
    Artifact {
        path,
        contents: to_json(json),
    }
}

/// A JSON object built in a fixed key order; absent and empty values are
/// skipped so the output never carries `null` or `[]`.
#[derive(Default)]
pub(crate) struct Obj(Map<String, Value>);

impl Obj {
    pub(crate) fn new() -> Obj {
        Obj::default()
    }

    pub(crate) fn set(mut self, key: &str, value: impl Into<Value>) -> Obj {
        self.0.insert(key.to_string(), value.into());
        self
    }

    pub(crate) fn opt(self, key: &str, value: Option<impl Into<Value>>) -> Obj {
        match value {
            Some(v) => self.set(key, v),
            None => self,
        }
    }

    /// Sets a list, or nothing when it is empty.
    pub(crate) fn list(self, key: &str, items: Vec<Value>) -> Obj {
        if items.is_empty() {
            self
        } else {
            self.set(key, Value::Array(items))
        }
    }

    pub(crate) fn build(self) -> Value {
        Value::Object(self.0)
    }
}

/// The ECS API dialect of the shared renderer: lowerCamel members, input
/// values substituted.
pub(crate) struct Api<'p>(pub(crate) &'p ir::Program);

impl render::Dialect for Api<'_> {
    fn case(&self) -> render::Case {
        render::Case::Api
    }

    fn text(&self, t: &ir::Text) -> Value {
        Value::String(resolve(self.0, t))
    }
}

/// A text with this build's input values substituted.
pub(crate) fn resolve(program: &ir::Program, text: &ir::Text) -> String {
    text.resolve(&program.inputs)
}

/// A comma-separated list value (a list input) as its items.
pub(crate) fn split_list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Subnet IDs, with a list input split into its items.
pub(crate) fn subnet_ids(program: &ir::Program, subnets: &ir::SubnetRef) -> Vec<String> {
    match subnets {
        ir::SubnetRef::Ids(ids) => ids
            .iter()
            .flat_map(|t| split_list(&resolve(program, t)))
            .collect(),
        // An input the program does not declare has no subnets: the caller
        // reports the missing subnets (the checker never lets one through).
        ir::SubnetRef::Input(name) => program
            .inputs
            .iter()
            .find(|i| &i.name == name)
            .map(|input| split_list(&input.value))
            .unwrap_or_default(),
    }
}

/// ECS resource tags: `[{"key": .., "value": ..}]`.
pub(crate) fn tags(program: &ir::Program, tags: &[(String, ir::Text)]) -> Vec<Value> {
    tags.iter()
        .map(|(k, v)| {
            Obj::new()
                .set("key", k.as_str())
                .set("value", resolve(program, v))
                .build()
        })
        .collect()
}

/// `{"name": .., "value": ..}` pairs (container environment).
pub(crate) fn name_values(program: &ir::Program, pairs: &[(String, ir::Text)]) -> Vec<Value> {
    pairs
        .iter()
        .map(|(k, v)| {
            Obj::new()
                .set("name", k.as_str())
                .set("value", resolve(program, v))
                .build()
        })
        .collect()
}

pub(crate) fn enabled(on: bool) -> &'static str {
    if on {
        "ENABLED"
    } else {
        "DISABLED"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_values_split_on_commas_and_drop_blanks() {
        assert_eq!(
            split_list(" subnet-a, subnet-b,,subnet-c "),
            ["subnet-a", "subnet-b", "subnet-c"]
        );
        assert!(split_list("").is_empty());
    }

    #[test]
    fn obj_skips_absent_and_empty_values() {
        let v = Obj::new()
            .set("a", 1)
            .opt("b", None::<u32>)
            .list("c", Vec::new())
            .opt("e", Some("x"))
            .build();
        assert_eq!(v.to_string(), r#"{"a":1,"e":"x"}"#);
    }
}
