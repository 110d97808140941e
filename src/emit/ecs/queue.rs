//! Queue workers in the ECS API target: the same queue, variable, rights
//! and backlog scaling the CloudFormation target declares (see
//! `emit::cloudformation::queue`), as API inputs:
//!
//! - `queues/<service>-dlq.json` and `queues/<service>.json`: SQS
//!   `CreateQueue` of a created dead-letter queue (first: the main queue's
//!   `RedrivePolicy` names its ARN) and of the queue;
//! - the queue URL appended to the consuming container's `environment` in
//!   the task definition;
//! - `queue_policies/<service>.json`: IAM `PutRolePolicy` on the task's
//!   role (given by ARN) allowing exactly the consume actions on that queue
//!   only. A role Wharf would generate cannot be created here: E0506, as for
//!   every other grant of a generated task role;
//! - `scaling_policies/<service>-backlog.json`: Application Auto Scaling
//!   `PutScalingPolicy`, target tracking on metric math (the queue's
//!   visible messages over the service's running tasks).
//!
//! A created queue's URL and ARN need the program's `account` and `region`
//! (E0534); an existing queue's come from its ARN.

use crate::emit::json::json;
use serde_json::Value;

use super::{errors, resolve, Obj};
use crate::diag::{Code, Diagnostic, Span};
use crate::ir::{self, DeadLetterTarget, QueueKind, CONSUME_ACTIONS};

/// Where a queue is: its URL, ARN and name.
struct Located {
    url: String,
    arn: String,
    name: String,
}

fn locate(program: &ir::Program, q: &ir::ServiceQueue) -> Option<Located> {
    match &q.kind {
        QueueKind::Existing(t) => {
            let arn = resolve(program, t);
            let (region, account, name) = ir::parse_queue_arn(&arn)?;
            Some(Located {
                url: ir::queue_url(region, account, name),
                name: name.to_string(),
                arn,
            })
        }
        QueueKind::Created(c) => {
            let (region, account) = (program.region.as_deref()?, program.account.as_deref()?);
            Some(Located {
                url: ir::queue_url(region, account, &c.queue_name),
                arn: arn_of(region, account, &c.queue_name),
                name: c.queue_name.clone(),
            })
        }
    }
}

fn arn_of(region: &str, account: &str, name: &str) -> String {
    let partition = if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    };
    format!("arn:{partition}:sqs:{region}:{account}:{name}")
}

/// Appends the queue URL variable of every service consuming a queue with
/// this task to its task definition (`RegisterTaskDefinition` input).
pub(crate) fn add_variables(program: &ir::Program, task: &ir::Task, taskdef: &mut Value) {
    for s in program.services.iter().filter(|s| s.task == task.name) {
        let Some(q) = &s.queue else { continue };
        let Some(at) = locate(program, q) else {
            continue; // E0534, reported with the queue's documents.
        };
        let Some(defs) = taskdef["containerDefinitions"].as_array_mut() else {
            return;
        };
        let Some(def) = defs.iter_mut().find(|d| d["name"] == json!(&q.container)) else {
            continue;
        };
        let variable = json!({ "name": &q.env, "value": at.url });
        match def.get_mut("environment").and_then(Value::as_array_mut) {
            Some(env) if env.contains(&variable) => {}
            Some(env) => env.push(variable),
            None => def["environment"] = json!([variable]),
        }
    }
}

/// The documents of a service's queue: CreateQueue, PutRolePolicy and the
/// backlog PutScalingPolicy.
pub(crate) fn documents(
    program: &ir::Program,
    s: &ir::Service,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(String, Value)> {
    let Some(q) = &s.queue else {
        return Vec::new();
    };
    let Some(at) = locate(program, q) else {
        diags.push(needs_account(&s.name, q.span));
        return Vec::new();
    };
    let mut docs = Vec::new();
    if let QueueKind::Created(c) = &q.kind {
        let mut attributes = serde_json::Map::new();
        let mut attr = |k: &str, v: String| {
            attributes.insert(k.to_string(), json!(v));
        };
        if c.fifo {
            attr("FifoQueue", "true".into());
        }
        if let Some(v) = c.visibility_timeout {
            attr("VisibilityTimeout", v.to_string());
        }
        if let Some(v) = c.retention {
            attr("MessageRetentionPeriod", v.to_string());
        }
        if let Some(v) = c.receive_wait {
            attr("ReceiveMessageWaitTimeSeconds", v.to_string());
        }
        if let Some(d) = &c.dead_letter {
            let target = match &d.target {
                DeadLetterTarget::Created {
                    queue_name,
                    retention,
                } => {
                    let mut dlq = serde_json::Map::new();
                    if c.fifo {
                        dlq.insert("FifoQueue".into(), json!("true"));
                    }
                    dlq.insert(
                        "MessageRetentionPeriod".into(),
                        json!(retention.to_string()),
                    );
                    docs.push((
                        format!("queues/{}-dlq.json", s.name),
                        Obj::new()
                            .set("QueueName", queue_name.as_str())
                            .set("Attributes", Value::Object(dlq))
                            .build(),
                    ));
                    // `locate` succeeded for a created queue: both are known.
                    let region = program.region.as_deref().unwrap_or_default();
                    let account = program.account.as_deref().unwrap_or_default();
                    arn_of(region, account, queue_name)
                }
                DeadLetterTarget::Existing(t) => resolve(program, t),
            };
            attr(
                "RedrivePolicy",
                json!({ "deadLetterTargetArn": target, "maxReceiveCount": d.max_receives.to_string() })
                    .to_string(),
            );
        }
        docs.push((
            format!("queues/{}.json", s.name),
            Obj::new()
                .set("QueueName", at.name.as_str())
                .set("Attributes", Value::Object(attributes))
                .build(),
        ));
    }
    let task = program.task(&s.task);
    match &task.task_role {
        ir::Role::Arn(t) => {
            let role = resolve(program, t);
            let role_name = role.rsplit('/').next().unwrap_or(&role).to_string();
            let policy = json!({ "Version": "2012-10-17", "Statement": [{
                "Sid": "ConsumeQueue", "Effect": "Allow",
                "Action": CONSUME_ACTIONS, "Resource": at.arn }] });
            docs.push((
                format!("queue_policies/{}.json", s.name),
                Obj::new()
                    .set("RoleName", role_name)
                    .set("PolicyName", format!("{}-queue", s.name))
                    .set("PolicyDocument", policy.to_string())
                    .build(),
            ));
        }
        ir::Role::Generated | ir::Role::None => {
            // Reported once per task, beside the task definition's own
            // reasons for the role if it has any.
            // E0506 labels the task's declaration.
            let reported = diags.iter().any(|d| {
                d.code == Code::EcsNeedsTaskRole
                    && (d.primary.span == task.span
                        || d.secondary.iter().any(|l| l.span == task.span))
            });
            if !reported {
                diags.push(errors::needs_task_role(
                    &task.name,
                    &[(
                        q.span,
                        format!(
                            "consuming this queue needs a task role (service `{}`)",
                            s.name
                        ),
                    )],
                    task.span,
                ));
            }
        }
    }
    if let Some((a, backlog)) = s.autoscale.as_ref().and_then(|a| a.backlog.map(|n| (a, n))) {
        let metric = |namespace: &str, name: &str, dimensions: Value, stat: &str| {
            json!({ "Metric": { "Namespace": namespace, "MetricName": name, "Dimensions": dimensions },
                    "Stat": stat })
        };
        let name = format!("{}-backlog", s.name);
        let config = Obj::new()
            .set("TargetValue", backlog)
            .set(
                "CustomizedMetricSpecification",
                json!({ "Metrics": [
                    { "Id": "visible", "MetricStat": metric("AWS/SQS", "ApproximateNumberOfMessagesVisible",
                        json!([{ "Name": "QueueName", "Value": at.name }]), "Sum"), "ReturnData": false },
                    { "Id": "tasks", "MetricStat": metric("ECS/ContainerInsights", "RunningTaskCount",
                        json!([{ "Name": "ClusterName", "Value": s.cluster.as_str() }, { "Name": "ServiceName", "Value": &s.name }]),
                        "Average"), "ReturnData": false },
                    { "Id": "backlog", "Expression": "visible / tasks",
                      "Label": "Visible messages per running task", "ReturnData": true },
                ] }),
            )
            .set("ScaleOutCooldown", a.scale_out_cooldown)
            .set("ScaleInCooldown", a.scale_in_cooldown)
            .build();
        docs.push((
            format!("scaling_policies/{name}.json"),
            Obj::new()
                .set("PolicyName", name.as_str())
                .set("ServiceNamespace", "ecs")
                .set("ResourceId", format!("service/{}/{}", s.cluster, s.name))
                .set("ScalableDimension", "ecs:service:DesiredCount")
                .set("PolicyType", "TargetTrackingScaling")
                .set("TargetTrackingScalingPolicyConfiguration", config)
                .build(),
        ));
    }
    docs
}

/// E0534: a created queue's URL and ARN name the account and region.
fn needs_account(service: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::EcsQueueNeedsAccount,
        format!("the queue of service `{service}` needs the program's `account` and `region` for the ECS target"),
        span,
        "its URL (in the container's environment) and ARN (in the role policy) name both",
    )
    .with_help("add `account \"123456789012\"` and `region \"us-east-1\"`, or build `--target cloudformation`")
}
