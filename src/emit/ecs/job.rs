//! Jobs and schedules as ECS API inputs. Stage: emit (ECS JSON). Input: an
//! `ir::Job` or `ir::Schedule`. Output:
//!
//! - `run_tasks/<job>.json`: ECS `RunTask` (`aws ecs run-task
//!   --cli-input-json`), the job run once, now;
//! - `schedules/<schedule>.json`: EventBridge Scheduler `CreateSchedule`
//!   with the ECS templated target (`EcsParameters`, the container
//!   overrides as the target's `Input`);
//! - `schedule_roles/<schedule>.json`: IAM `CreateRole` for the role the
//!   schedule assumes (trusting `scheduler.amazonaws.com` for this account),
//!   and `schedule_role_policies/<schedule>.json`: IAM `PutRolePolicy`
//!   with least privilege: `ecs:RunTask` on the task definition family in
//!   the job's cluster, `iam:PassRole` on the task's roles only, for ECS.
//!
//! A schedule names ARNs (cluster, task definition, role), so the program
//! must name its `account` and `region` (E0530); the schedule's name is
//! `<stack>-<schedule>`, which EventBridge Scheduler must accept (E0531).
//! Keys follow the botocore member order of each operation.

use crate::emit::json::json;
use serde_json::Value;

use super::service::strategy_item;
use super::task_definition::{execution_role, task_role};
use super::{enabled, name_values, resolve, split_list, subnet_ids, tags, Obj};
use crate::diag::{Code, Diagnostic, Span};
use crate::ir::{self, JobLaunch, JobSubnets};

/// What RunTask and the schedule's `EcsParameters` share, resolved.
struct Run {
    launch_type: Option<&'static str>,
    strategy: Vec<Value>,
    platform: Option<String>,
    /// `(subnets, security groups, public IP)`.
    network: Option<(Vec<String>, Vec<String>, bool)>,
}

fn run_of(program: &ir::Program, job: &ir::Job, diags: &mut Vec<Diagnostic>) -> Run {
    let (launch_type, strategy) = match &job.launch {
        JobLaunch::Type(t) => (Some(t.as_str()), Vec::new()),
        JobLaunch::Strategy(items) => (None, items.iter().map(strategy_item).collect()),
    };
    let network = job.network.as_ref().and_then(|n| {
        let subnets = match &n.subnets {
            JobSubnets::Given(s) => subnet_ids(program, s),
            JobSubnets::Network { name, public } => match &program.network(name).kind {
                ir::NetworkKind::Existing {
                    public_subnets,
                    private_subnets,
                    ..
                } => subnet_ids(
                    program,
                    if *public {
                        public_subnets
                    } else {
                        private_subnets
                    },
                ),
                ir::NetworkKind::Created(_) => {
                    diags.push(needs_subnets(&job.name, name, job.span));
                    return None;
                }
            },
        };
        let groups = n
            .security_groups
            .iter()
            .flat_map(|g| split_list(&resolve(program, g)))
            .collect();
        Some((subnets, groups, n.public_ip))
    });
    Run {
        launch_type,
        strategy,
        platform: job.written_platform_version().map(str::to_string),
        network,
    }
}

/// `containerOverrides[]`, in RunTask's (and the schedule input's) shape.
fn container_overrides(program: &ir::Program, job: &ir::Job) -> Vec<Value> {
    job.overrides
        .iter()
        .map(|o| {
            Obj::new()
                .set("name", o.container.as_str())
                .opt(
                    "command",
                    o.command
                        .as_ref()
                        .map(|c| c.iter().map(|t| resolve(program, t)).collect::<Vec<_>>()),
                )
                .list("environment", name_values(program, &o.environment))
                .build()
        })
        .collect()
}

/// The `RunTask` input of a job.
pub(crate) fn run_task(
    program: &ir::Program,
    index: &ir::Index,
    job: &ir::Job,
    diags: &mut Vec<Diagnostic>,
) -> Value {
    let task = index.task(&job.task);
    let run = run_of(program, job, diags);
    let overrides = container_overrides(program, job);
    Obj::new()
        .list("capacityProviderStrategy", run.strategy)
        .set("cluster", job.cluster.as_str())
        .set("count", job.count)
        .set("enableECSManagedTags", false)
        .set("enableExecuteCommand", false)
        .set("group", format!("job:{}", job.name))
        .opt("launchType", run.launch_type)
        .opt(
            "networkConfiguration",
            run.network.map(|(subnets, groups, public)| {
                let vpc = Obj::new()
                    .set("subnets", subnets)
                    .list(
                        "securityGroups",
                        groups.into_iter().map(Value::from).collect(),
                    )
                    .set("assignPublicIp", enabled(public))
                    .build();
                json!({ "awsvpcConfiguration": vpc })
            }),
        )
        .opt(
            "overrides",
            (!overrides.is_empty()).then(|| json!({ "containerOverrides": overrides })),
        )
        .opt("platformVersion", run.platform)
        .set("propagateTags", "TASK_DEFINITION")
        .list("tags", tags(program, &job.tags))
        .set("taskDefinition", task.family.as_str())
        .build()
}

/// The ARNs a schedule names, or why they cannot be written.
struct Arns {
    partition: &'static str,
    region: String,
    account: String,
}

fn arns(
    program: &ir::Program,
    schedule: &ir::Schedule,
    diags: &mut Vec<Diagnostic>,
) -> Option<Arns> {
    match (&program.region, &program.account) {
        (Some(region), Some(account)) => Some(Arns {
            partition: if region.starts_with("cn-") {
                "aws-cn"
            } else if region.starts_with("us-gov-") {
                "aws-us-gov"
            } else {
                "aws"
            },
            region: region.clone(),
            account: account.clone(),
        }),
        _ => {
            diags.push(needs_account(&schedule.name, schedule.span));
            None
        }
    }
}

/// `<stack>-<schedule>`: the name of the schedule and (with `-scheduler`,
/// cut to IAM's 64) of its role.
pub(crate) fn schedule_name(program: &ir::Program, schedule: &ir::Schedule) -> String {
    format!("{}-{}", program.name, schedule.name)
}

fn role_name(program: &ir::Program, schedule: &ir::Schedule) -> String {
    let mut n = format!("{}-scheduler", schedule_name(program, schedule));
    n.truncate(64);
    n
}

/// The four documents of a schedule: `CreateSchedule`, and (for a
/// generated role) `CreateRole` and `PutRolePolicy`.
pub(crate) fn schedule(
    program: &ir::Program,
    index: &ir::Index,
    schedule: &ir::Schedule,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(String, Value)> {
    let job = index.job(&schedule.job);
    let task = index.task(&job.task);
    let name = schedule_name(program, schedule);
    let name_ok = name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if !name_ok {
        diags.push(bad_name(&name, schedule.span));
    }
    let Some(a) = arns(program, schedule, diags) else {
        return Vec::new();
    };
    let run = run_of(program, job, diags);
    let (p, region, account) = (a.partition, a.region.as_str(), a.account.as_str());
    let cluster_arn = format!("arn:{p}:ecs:{region}:{account}:cluster/{}", job.cluster);
    let family_arn = format!(
        "arn:{p}:ecs:{region}:{account}:task-definition/{}",
        task.family
    );
    let role_arn = match &schedule.role {
        Some(r) => resolve(program, r),
        None => format!(
            "arn:{p}:iam::{account}:role/{}",
            role_name(program, schedule)
        ),
    };
    let overrides = container_overrides(program, job);
    let mut ecs = Obj::new()
        .set("TaskDefinitionArn", family_arn.as_str())
        .set("TaskCount", job.count)
        .opt("LaunchType", run.launch_type)
        .opt(
            "NetworkConfiguration",
            run.network.map(|(subnets, groups, public)| {
                let vpc = Obj::new()
                    .set("Subnets", subnets)
                    .list(
                        "SecurityGroups",
                        groups.into_iter().map(Value::from).collect(),
                    )
                    .set("AssignPublicIp", enabled(public))
                    .build();
                json!({ "awsvpcConfiguration": vpc })
            }),
        )
        .opt("PlatformVersion", run.platform)
        .set("Group", format!("job:{}", job.name))
        .list("CapacityProviderStrategy", run.strategy)
        .set("EnableECSManagedTags", false)
        .set("EnableExecuteCommand", false)
        .set("PropagateTags", "TASK_DEFINITION");
    if !job.tags.is_empty() {
        let t: serde_json::Map<String, Value> = job
            .tags
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(resolve(program, v))))
            .collect();
        ecs = ecs.set("Tags", vec![Value::Object(t)]);
    }
    let target = Obj::new()
        .set("Arn", cluster_arn.as_str())
        .set("RoleArn", role_arn.as_str())
        .opt(
            "RetryPolicy",
            (schedule.retries.is_some() || schedule.max_age_seconds.is_some()).then(|| {
                Obj::new()
                    .opt("MaximumEventAgeInSeconds", schedule.max_age_seconds)
                    .opt("MaximumRetryAttempts", schedule.retries)
                    .build()
            }),
        )
        .opt(
            "Input",
            (!overrides.is_empty()).then(|| json!({ "containerOverrides": overrides }).to_string()),
        )
        .set("EcsParameters", ecs.build())
        .build();
    let create = Obj::new()
        .set("Name", name.as_str())
        .set("GroupName", "default")
        .set("ScheduleExpression", schedule.expression.render())
        .set(
            "Description",
            format!("Wharf job `{}` of stack `{}`", job.name, program.name),
        )
        .set("ScheduleExpressionTimezone", schedule.timezone.as_str())
        .set("State", enabled(schedule.enabled))
        .set("Target", target)
        .set("FlexibleTimeWindow", flexible_window(schedule))
        .opt(
            "ActionAfterCompletion",
            matches!(schedule.expression, ir::ScheduleExpression::At(_)).then_some("NONE"),
        )
        .build();
    let mut docs = vec![(format!("schedules/{}.json", schedule.name), create)];
    if schedule.role.is_none() {
        let mut scratch = Vec::new();
        let pass: Vec<String> = [
            execution_role(program, task, &mut scratch),
            task_role(program, task, &mut scratch),
        ]
        .into_iter()
        .flatten()
        .map(|r| {
            if r.starts_with("arn:") {
                r
            } else {
                format!("arn:{p}:iam::{account}:role/{r}")
            }
        })
        .collect();
        let role = role_name(program, schedule);
        let trust = json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": { "Service": "scheduler.amazonaws.com" },
                "Action": "sts:AssumeRole",
                "Condition": { "StringEquals": { "aws:SourceAccount": account } }
            }]
        });
        docs.push((
            format!("schedule_roles/{}.json", schedule.name),
            Obj::new()
                .set("RoleName", role.as_str())
                .set("AssumeRolePolicyDocument", trust.to_string())
                .set(
                    "Description",
                    format!("EventBridge Scheduler runs Wharf job `{}`", job.name),
                )
                .build(),
        ));
        docs.push((
            format!("schedule_role_policies/{}.json", schedule.name),
            Obj::new()
                .set("RoleName", role.as_str())
                .set("PolicyName", "run-job")
                .set(
                    "PolicyDocument",
                    policy(&format!("{family_arn}:*"), &cluster_arn, &pass).to_string(),
                )
                .build(),
        ));
    }
    docs
}

/// The least-privilege policy of a schedule's role: run the task
/// definition family in the job's cluster, pass the task's roles to ECS.
pub(crate) fn policy(family_revisions: &str, cluster: &str, pass: &[String]) -> Value {
    let mut statements = vec![json!({
        "Effect": "Allow",
        "Action": "ecs:RunTask",
        "Resource": family_revisions,
        "Condition": { "ArnEquals": { "ecs:cluster": cluster } }
    })];
    if !pass.is_empty() {
        statements.push(json!({
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": pass,
            "Condition": { "StringLike": { "iam:PassedToService": "ecs-tasks.amazonaws.com" } }
        }));
    }
    json!({ "Version": "2012-10-17", "Statement": statements })
}

pub(crate) fn flexible_window(schedule: &ir::Schedule) -> Value {
    match schedule.window_minutes {
        Some(m) => json!({ "Mode": "FLEXIBLE", "MaximumWindowInMinutes": m }),
        None => json!({ "Mode": "OFF" }),
    }
}

/// E0530: a schedule without the account and region its ARNs need.
fn needs_account(schedule: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::EcsJobNeedsAccount,
        format!("schedule `{schedule}` needs the program's `account` and `region` for the ECS target"),
        span,
        "CreateSchedule names the cluster, task definition and role by ARN",
    )
    .with_help("add `account \"123456789012\"` and `region \"us-east-1\"`, or build `--target cloudformation`")
}

/// E0531: `<stack>-<schedule>` is not a name EventBridge Scheduler takes.
fn bad_name(name: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::ScheduleNameInvalid,
        format!("schedule name `{name}` is not 1 to 64 letters, digits, `-`, `_` or `.`"),
        span,
        "the schedule's name is `<stack>-<schedule>`",
    )
    .with_help("shorten the stack or the schedule's name")
}

/// E0502, for a job: the subnets of a network the stack would create.
fn needs_subnets(job: &str, network: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::EcsNeedsSubnets,
        format!("awsvpc job `{job}` has no existing subnets to run in"),
        span,
        format!("network `{network}` is created by the CloudFormation stack"),
    )
    .with_help("give `subnets [...]` on the job, or build `--target cloudformation`")
}
