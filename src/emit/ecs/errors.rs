//! Wording of every diagnostic the ECS API JSON backend reports, one
//! constructor per code. Each is about something only the CloudFormation
//! target can create and the ECS API can only refer to by ARN or ID.

use crate::diag::{Code, Diagnostic, Span};

/// E0501: an `expose` with no existing target group to register tasks in.
pub fn needs_target_group(service: &str, load_balancer: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::EcsNeedsTargetGroup,
        format!("service `{service}` exposes a container via `{load_balancer}` without a target group ARN"),
        span,
        "the ECS API cannot create a target group for this exposure",
    )
    .with_help(
        "give `target_group \"arn:aws:elasticloadbalancing:...\"` in the expose block, \
         or build `--target cloudformation`",
    )
}

/// E0502: an awsvpc service with no subnet IDs the ECS API can use, most
/// often because its network is a VPC the stack would create.
pub fn needs_subnets(
    service: &str,
    service_span: Span,
    created_network: Option<(&str, Span)>,
) -> Diagnostic {
    let d = Diagnostic::error(
        Code::EcsNeedsSubnets,
        format!("awsvpc service `{service}` has no existing subnets to run in"),
        service_span,
        "this service needs subnet IDs in its network configuration",
    );
    match created_network {
        Some((network, span)) => d.with_label(
            span,
            format!("network `{network}` is created by the CloudFormation stack, so its subnets have no IDs yet"),
        ),
        None => d,
    }
    .with_help(
        "give the service existing subnets (`subnets [\"subnet-...\"]` or a subnets input), \
         or build `--target cloudformation`",
    )
}

/// E0503: service discovery with no existing Cloud Map service.
pub fn needs_registry(service: &str, dns_name: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::EcsNeedsRegistry,
        format!("service `{service}` registers as `{dns_name}` without a service registry ARN"),
        span,
        "the ECS API cannot create the Cloud Map service for this discovery name",
    )
    .with_help(
        "add `registry \"arn:aws:servicediscovery:...\"` to the `discovery` line, \
         or build `--target cloudformation`",
    )
}

/// E0506: a task whose generated task role would grant something: `allow`
/// statements, IAM authorization to EFS, ECS Exec. `reasons` holds the span
/// and label of each thing that needs the role; the first is primary.
pub fn needs_task_role(task: &str, reasons: &[(Span, String)], task_span: Span) -> Diagnostic {
    let (first, rest) = reasons
        .split_first()
        .expect("a task role is needed for at least one reason");
    let mut d = Diagnostic::error(
        Code::EcsNeedsTaskRole,
        format!("task `{task}` needs a generated task role, which the ECS API cannot create"),
        first.0,
        first.1.as_str(),
    );
    for (span, label) in rest {
        d = d.with_label(*span, label.as_str());
    }
    d.with_label(task_span, "task declared here without `task_role`")
        .with_help(
            "create the role yourself and give `task_role \"arn:aws:iam::...\"`, \
             or build `--target cloudformation`",
        )
}

/// E0508: a blue/green, linear or canary deployment whose exposure does not
/// name the existing resources ECS shifts traffic with
/// (`advancedConfiguration`); `missing` are the expose-block settings to add.
pub fn traffic_shift(
    service: &str,
    strategy: &str,
    load_balancer: &str,
    missing: &[&str],
    service_span: Span,
    exposure_span: Span,
) -> Diagnostic {
    let settings = missing
        .iter()
        .map(|m| format!("`{m} \"arn:...\"`"))
        .collect::<Vec<_>>()
        .join(", ");
    Diagnostic::error(
        Code::EcsTrafficShift,
        format!("service `{service}` deploys `{strategy}` via `{load_balancer}` without naming what ECS shifts traffic with"),
        service_span,
        "this service's deployment shifts traffic between two target groups",
    )
    .with_label(exposure_span, format!("this exposure needs {}", missing.join(", ")))
    .with_help(format!(
        "add {settings} to this expose block (the alternate target group, the production listener rule, \
         and the role ECS assumes to change it), or build `--target cloudformation`, which creates them"
    ))
}

/// E0524: a Lambda lifecycle hook without a role: the CloudFormation target
/// generates one; the ECS API cannot create it.
pub fn hook_needs_role(service: &str, hook: &crate::ir::LifecycleHook) -> Diagnostic {
    Diagnostic::error(
        Code::EcsHookNeedsRole,
        format!(
            "a lifecycle hook of service `{service}` needs a role, which the ECS API cannot create"
        ),
        hook.span,
        "no `role` for ECS to invoke the function with",
    )
    .with_help(
        "add `role \"arn:aws:iam::...:role/...\"` (a role ECS may assume, allowed \
         `lambda:InvokeFunction` on the function) to this hook, or build `--target cloudformation`",
    )
}

/// E0527: `test_listener PORT` asks for a test listener rule that only the
/// CloudFormation target creates.
pub fn test_listener(service: &str, port: u16, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::EcsTestListener,
        format!("service `{service}` asks for a test listener rule on port {port}, which the ECS API cannot create"),
        span,
        "`test_listener` makes a rule in the CloudFormation stack",
    )
    .with_help(
        "replace `test_listener` with `test_rule \"arn:aws:elasticloadbalancing:...\"` naming an existing \
         test listener rule, or build `--target cloudformation`",
    )
}

/// E0507: a task that needs an execution role Wharf would generate, in a
/// program that names no `account`.
pub fn needs_execution_role(task: &str, task_span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::EcsNeedsExecutionRole,
        format!("task `{task}` needs an execution role and the ECS target cannot create one"),
        task_span,
        "pulls from ECR, writes logs or reads secrets",
    )
    .with_help(
        "give `execution_role \"arn:aws:iam::...\"`, or `account \"123456789012\"` at the top \
         to use the account's ecsTaskExecutionRole, or build `--target cloudformation`",
    )
}

/// E0520: an awsvpc service that names no security group. CreateService
/// would put its tasks in the VPC's default group; the group the
/// CloudFormation target generates cannot be created through the ECS API.
pub fn needs_security_groups(service: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::EcsNeedsSecurityGroups,
        format!("awsvpc service `{service}` names no security group"),
        span,
        "its tasks would land in the VPC's default security group",
    )
    .with_help(
        "give existing groups that admit the service's load balancer and callers \
         (`security_groups [\"sg-...\"]` or a security groups input), \
         or build `--target cloudformation`, which generates the service's group",
    )
}

/// E0521: `callers` or `egress` rules, which belong to the security group
/// only the CloudFormation target generates.
pub fn security_group_rules(service: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::EcsSecurityGroupRules,
        format!("service `{service}` declares security group rules the ECS target cannot create"),
        span,
        "`callers` / `egress` become rules of a generated security group",
    )
    .with_help(
        "write these rules into the groups the service names and remove `callers` / `egress` \
         for `--target ecs`, or build `--target cloudformation`",
    )
}

/// E0522: target tracking on ALB requests, whose resource label names the
/// load balancer and target group by their full names.
pub fn scaling_needs_label(service: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::EcsScalingLabel,
        format!("service `{service}` scales on ALB requests, which the ECS target cannot label"),
        span,
        "the `requests` target needs `app/<lb>/<id>/targetgroup/<tg>/<id>`",
    )
    .with_help(
        "scale on `cpu` or `memory` for `--target ecs`, or build `--target cloudformation`, \
         which reads the names from the load balancer and target group it creates",
    )
}

/// E0535: EC2 capacity the cluster creates needs a launch template, an auto
/// scaling group and an instance profile, which the ECS API cannot create.
pub fn created_capacity(provider: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::EcsCreatedCapacity,
        format!("capacity `{provider}` is created EC2 capacity, which the ECS API cannot create"),
        span,
        "a launch template, auto scaling group and instance profile",
    )
    .with_help(
        "create the auto scaling group yourself and name it (`capacity NAME asg \"arn:aws:autoscaling:...\" target 100% protect`), or build `--target cloudformation`",
    )
}

/// E0515: a Service Connect namespace the stack would create.
pub fn needs_connect_namespace(service: &str, namespace: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::EcsConnectNamespace,
        format!(
            "service `{service}` uses Service Connect namespace `{namespace}`, which only the CloudFormation target creates"
        ),
        span,
        "a namespace Wharf would create",
    )
    .with_help(
        "`CreateService` takes an existing Cloud Map namespace: name it by its ARN \
         (`connect \"arn:aws:servicediscovery:REGION:ACCOUNT:namespace/ns-ID\"`), or build \
         `--target cloudformation`, which creates it",
    )
}
