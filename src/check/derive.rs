//! Facts the backends need that follow from the program as a whole:
//! listener rule priorities, awslogs options and the log groups Wharf owns,
//! Cloud Map namespaces, and the least-privilege needs of each task's
//! execution role. Computed once here so no backend re-derives them.

use super::{errors, Cx};
use crate::ir::{self, LbKind, LogDriver, Program, SecretSource, Text};
use indexmap::IndexMap;

/// Retention of owned log groups when the source asks for none.
pub const DEFAULT_RETENTION_DAYS: u32 = 30;

pub fn derive(cx: &mut Cx, program: &mut Program) {
    drop_network_config(program);
    assign_priorities(program);
    log_groups(cx, program);
    namespaces(program);
    let (region, account) = (program.region.clone(), program.account.clone());
    for task in &mut program.tasks {
        derive_execution_role(task);
        firelens_permissions(task, region.as_deref(), account.as_deref());
    }
}

/// A FireLens router sends to CloudWatch Logs with the *task* role: a task
/// whose role Wharf generates gets exactly the rights on those log groups.
fn firelens_permissions(task: &mut ir::Task, region: Option<&str>, account: Option<&str>) {
    if matches!(task.task_role, ir::Role::Arn(_)) {
        return;
    }
    let mut added = Vec::new();
    for c in &task.containers {
        let Some(log) = c
            .log
            .as_ref()
            .filter(|l| l.driver == LogDriver::Awsfirelens)
        else {
            continue;
        };
        let option = |k: &str| {
            log.options
                .iter()
                .find(|(o, _)| o == k)
                .and_then(|(_, v)| v.as_literal())
        };
        let to_cloudwatch =
            option("Name").is_some_and(|n| n == "cloudwatch" || n == "cloudwatch_logs");
        // The group as named, templates (filled by Fluent Bit at run time)
        // widened to `*`.
        let (Some(group), true) = (
            option("log_group_name").map(|g| super::names::fluent_bit_wildcard(&g)),
            to_cloudwatch,
        ) else {
            continue;
        };
        let mut actions: Vec<String> = [
            "logs:CreateLogStream",
            "logs:DescribeLogStreams",
            "logs:PutLogEvents",
        ]
        .map(String::from)
        .to_vec();
        if option("auto_create_group").is_some_and(|v| v == "true") {
            actions.insert(0, "logs:CreateLogGroup".to_string());
        }
        let arn = format!(
            "arn:aws:logs:{}:{}:log-group:{group}:*",
            option("region")
                .or(region.map(str::to_string))
                .unwrap_or_else(|| "*".into()),
            account.unwrap_or("*")
        );
        added.push(ir::Permission {
            actions,
            resources: vec![Text::lit(arn)],
            span: log.span,
        });
    }
    if !added.is_empty() {
        task.permissions.extend(added);
        task.task_role = ir::Role::Generated;
    }
}

/// Only awsvpc tasks take a network configuration.
fn drop_network_config(program: &mut Program) {
    let modes: std::collections::HashMap<String, ir::NetworkMode> = program
        .tasks
        .iter()
        .map(|t| (t.name.clone(), t.network_mode))
        .collect();
    for s in &mut program.services {
        if modes.get(s.task.as_str()) != Some(&ir::NetworkMode::Awsvpc) {
            s.network = None;
        }
    }
}

/// Orders the rules of each load balancer: host-and-path rules first, then
/// longer (more specific) paths, catch-alls last, declaration order among
/// equals. Priorities step by 10 so a hand-added rule can fit between.
fn assign_priorities(program: &mut Program) {
    let kinds: IndexMap<String, LbKind> = program
        .load_balancers
        .iter()
        .map(|l| (l.name.clone(), l.kind))
        .collect();
    let mut per_lb: IndexMap<String, Vec<(usize, usize)>> = IndexMap::new();
    for (si, s) in program.services.iter_mut().enumerate() {
        for (ei, e) in s.exposures.iter_mut().enumerate() {
            if kinds.get(e.load_balancer.as_str()) == Some(&LbKind::Alb)
                && e.paths.is_empty()
                && e.hosts.is_empty()
            {
                e.paths.push("/*".to_string());
            }
            per_lb
                .entry(e.load_balancer.to_string())
                .or_default()
                .push((si, ei));
        }
    }
    for (_, mut list) in per_lb {
        let key = |p: &Program, (si, ei): (usize, usize)| {
            let e = &p.services[si].exposures[ei];
            let specific_path = e
                .paths
                .iter()
                .map(|p| p.trim_end_matches('*').len())
                .max()
                .unwrap_or(0);
            (e.hosts.is_empty(), std::cmp::Reverse(specific_path), si, ei)
        };
        list.sort_by_key(|&x| key(program, x));
        for (rank, (si, ei)) in list.into_iter().enumerate() {
            program.services[si].exposures[ei].priority = (rank as u32 + 1) * 10;
        }
    }
}

/// Fills in awslogs group / region / stream prefix where the source left them
/// out, and collects every log group the stack must create.
fn log_groups(cx: &mut Cx, program: &mut Program) {
    let mut groups: IndexMap<String, ir::LogGroup> = IndexMap::new();
    let region = program.region.clone();
    for task in &mut program.tasks {
        let family = task.family.clone();
        let fargate = task.is_fargate();
        for c in &mut task.containers {
            let Some(log) = &mut c.log else { continue };
            let group = match log.driver {
                LogDriver::Awslogs => {
                    // `group "..."`, else an `"awslogs-group" = "..."` option,
                    // else /ecs/<family>.
                    let option = log
                        .options
                        .iter()
                        .find(|(k, _)| k == "awslogs-group")
                        .and_then(|(_, v)| v.as_literal());
                    let group = log
                        .group
                        .clone()
                        .or(option)
                        .unwrap_or_else(|| format!("/ecs/{family}"));
                    let has = |k: &str| log.options.iter().any(|(o, _)| o == k);
                    let mut options = Vec::new();
                    if !has("awslogs-group") {
                        options.push(("awslogs-group".to_string(), Text::lit(group.clone())));
                    }
                    if !has("awslogs-region") {
                        match &region {
                            Some(r) => {
                                options.push(("awslogs-region".to_string(), Text::lit(r.clone())))
                            }
                            None => cx.push(errors::missing_region(log.span)),
                        }
                    }
                    // Fargate requires a stream prefix; elsewhere none
                    // names streams by container ID, as ECS does.
                    if !has("awslogs-stream-prefix") && fargate {
                        options.push(("awslogs-stream-prefix".to_string(), Text::lit("ecs")));
                    }
                    options.append(&mut log.options);
                    // group, region, prefix first, as the ECS docs write them;
                    // a stable sort keeps the rest in source order.
                    const FIRST: [&str; 3] =
                        ["awslogs-group", "awslogs-region", "awslogs-stream-prefix"];
                    let rank =
                        |key: &str| FIRST.iter().position(|f| *f == key).unwrap_or(FIRST.len());
                    options.sort_by_key(|(k, _)| rank(k));
                    log.options = options;
                    log.group = Some(group.clone());
                    Some(group)
                }
                LogDriver::Awsfirelens => {
                    let named = log
                        .options
                        .iter()
                        .find(|(k, _)| k == "log_group_name")
                        .and_then(|(_, v)| v.as_literal())
                        // A group named at run time (`$(ecs_cluster)`) is
                        // Fluent Bit's to create, not the stack's.
                        .filter(|name| !super::names::has_fluent_bit_template(name));
                    log.group = named.clone();
                    named
                }
                _ => None,
            };
            if let Some(name) = group {
                let retention = log.retention_days.unwrap_or(DEFAULT_RETENTION_DAYS);
                let entry = groups.entry(name.clone()).or_insert(ir::LogGroup {
                    name,
                    retention_days: retention,
                    span: log.span,
                });
                entry.retention_days = entry.retention_days.max(retention);
            }
        }
    }
    program.log_groups = groups.into_values().collect();
}

fn namespaces(program: &mut Program) {
    let mut seen: IndexMap<String, ir::Namespace> = IndexMap::new();
    for s in &program.services {
        let Some(d) = &s.discovery else { continue };
        let network = s
            .network
            .as_ref()
            .and_then(|n| n.network.as_ref().map(|r| r.to_string()))
            .or_else(|| {
                program
                    .clusters
                    .iter()
                    .find(|c| c.name == s.cluster)
                    .and_then(|c| c.network.clone())
            });
        seen.entry(d.namespace.clone()).or_insert(ir::Namespace {
            name: d.namespace.clone(),
            network,
        });
    }
    program.namespaces = seen.into_values().collect();
}

/// Fills a task's execution role needs; a generated execution role that
/// would allow nothing becomes no role. Public so that IR built by hand
/// (backend tests) keeps the checker's contract.
pub fn derive_execution_role(task: &mut ir::Task) {
    task.execution_needs = execution_needs(task);
    if task.execution_role == ir::Role::Generated && task.execution_needs.is_empty() {
        task.execution_role = ir::Role::None;
    }
}

/// What the ECS agent must do for the task with its execution role. On EC2
/// (a task that cannot run on Fargate or external instances) the container
/// instance's role pulls from ECR and writes awslogs, so only secrets count.
fn execution_needs(task: &ir::Task) -> ir::ExecutionNeeds {
    let mut needs = ir::ExecutionNeeds::default();
    let ec2_only = task
        .compatibilities
        .iter()
        .all(|c| *c == ir::Compatibility::Ec2);
    for c in task.containers.iter().filter(|_| !ec2_only) {
        if let Some(arn) = ecr_repository_arn(&c.image) {
            push_unique(&mut needs.ecr_repositories, Text::lit(arn));
        }
        if let Some(log) = &c.log {
            if log.driver == LogDriver::Awslogs {
                if let Some(g) = &log.group {
                    push_unique(&mut needs.log_groups, Text::lit(g.clone()));
                }
            }
        }
    }
    for c in &task.containers {
        let secrets = c
            .secrets
            .iter()
            .chain(c.log.iter().flat_map(|l| l.secret_options.iter()));
        for s in secrets {
            match &s.source {
                SecretSource::SecretsManager { arn, .. } => {
                    push_unique(&mut needs.secrets, arn.clone())
                }
                SecretSource::Ssm { parameter } => {
                    push_unique(&mut needs.parameters, parameter.clone())
                }
            }
            if let Some(k) = &s.kms_key {
                push_unique(&mut needs.kms_keys, k.clone());
            }
        }
    }
    // The agent reads an FSx share's domain credentials with the execution
    // role (developer guide, "FSx for Windows File Server volumes").
    for v in &task.volumes {
        if let ir::VolumeKind::FsxWindows(fsx) = &v.kind {
            let Some(arn) = fsx.credentials.as_literal() else {
                continue;
            };
            let parts: Vec<&str> = arn.split(':').collect();
            match parts.get(2) {
                Some(&"secretsmanager") if parts.len() >= 7 => {
                    push_unique(&mut needs.secrets, parts[..7].join(":"))
                }
                Some(&"ssm") => push_unique(&mut needs.parameters, arn.clone()),
                _ => {}
            }
        }
    }
    needs
}

/// `123456789012.dkr.ecr.us-east-1.amazonaws.com/repo/name:tag` ->
/// `arn:aws:ecr:us-east-1:123456789012:repository/repo/name`. The registry
/// and repository part must be literal (a tag may be an input).
pub fn ecr_repository_arn(image: &Text) -> Option<String> {
    let ir::TextPart::Lit(first) = image.parts.first()? else {
        return None;
    };
    let (registry, rest) = first.split_once('/')?;
    let mut labels = registry.split('.');
    let account = labels.next()?;
    if labels.next()? != "dkr" || labels.next()? != "ecr" {
        return None;
    }
    let region = labels.next()?;
    if !account.chars().all(|c| c.is_ascii_digit()) || account.len() != 12 {
        return None;
    }
    let repo_end = rest.find([':', '@']).unwrap_or(rest.len());
    let repo = &rest[..repo_end];
    if repo.is_empty() || (repo_end == rest.len() && image.parts.len() > 1) {
        return None;
    }
    let partition = if region.starts_with("cn-") {
        "aws-cn"
    } else {
        "aws"
    };
    Some(format!(
        "arn:{partition}:ecr:{region}:{account}:repository/{repo}"
    ))
}

fn push_unique<T: PartialEq>(v: &mut Vec<T>, x: T) {
    if !v.contains(&x) {
        v.push(x);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecr_arns() {
        let t = Text::lit("123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:1.2");
        assert_eq!(
            ecr_repository_arn(&t).as_deref(),
            Some("arn:aws:ecr:us-east-1:123456789012:repository/team/app")
        );
        assert_eq!(ecr_repository_arn(&Text::lit("nginx:latest")), None);
        assert_eq!(
            ecr_repository_arn(&Text::lit("public.ecr.aws/nginx/nginx:1")),
            None
        );
    }
}
