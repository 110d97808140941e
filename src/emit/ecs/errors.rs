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

/// E0506: `allow` statements on a task whose role Wharf would generate.
pub fn needs_task_role(task: &str, permission_span: Span, task_span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::EcsNeedsTaskRole,
        format!("task `{task}` grants permissions to a role the ECS API cannot create"),
        permission_span,
        "this permission needs a generated task role",
    )
    .with_label(task_span, "task declared here without `task_role`")
    .with_help(
        "create the role yourself and give `task_role \"arn:aws:iam::...\"`, \
         or build `--target cloudformation`",
    )
}
