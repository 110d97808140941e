//! Every diagnostic the CloudFormation backend can report, worded in one place.
//! Stage: emit. These are things the checked IR allows but a CloudFormation
//! stack cannot express (E0509), a created VPC too small to cut into subnets
//! (E0510), or a stack past CloudFormation's limits even after splitting (E0504).

use crate::diag::{Code, Diagnostic, Span};

pub fn stack_too_large(stack: &str, what: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::StackTooLarge,
        format!("stack `{stack}` exceeds CloudFormation limits: {what}"),
        span,
        "declared here",
    )
    .with_help(
        "CloudFormation allows 500 resources, 200 parameters, 200 outputs and 1 MB per \
         template; split the program into several programs",
    )
}

/// A stack of a split program is named `<stack>-<service>` after its first
/// service: the joined name
/// must still be a stack name.
pub fn derived_stack_name(
    stack: &str,
    problem: &crate::ir::names::NameProblem,
    span: Span,
) -> Diagnostic {
    derived_name(crate::ir::names::NameKind::Stack, stack, problem, span).with_help(
        "a program past CloudFormation's limits becomes stacks of services, each named after \
         its first service, `<stack>-<service>` (at most 128 letters, digits and `-`); \
         shorten the `stack` or the service name",
    )
}

/// A name Wharf makes by joining others (`<stack>-<service>`,
/// `<service>-<metric>`) that breaks AWS's rule for its kind.
pub fn derived_name(
    kind: crate::ir::names::NameKind,
    name: &str,
    problem: &crate::ir::names::NameProblem,
    span: Span,
) -> Diagnostic {
    let rule = kind.rule();
    // Head and tail: the tail names the service or metric.
    let chars: Vec<char> = name.chars().collect();
    let shown: String = if chars.len() > 80 {
        let head: String = chars[..30].iter().collect();
        let tail: String = chars[chars.len() - 50..].iter().collect();
        format!("{head}…{tail}")
    } else {
        name.to_string()
    };
    Diagnostic::error(
        Code::DerivedNameInvalid,
        format!(
            "Wharf would name a {} `{shown}`, which AWS does not accept",
            rule.noun
        ),
        span,
        problem.describe(),
    )
    .with_help(format!(
        "a {} name is 1 to {} {} ({}); shorten the names it is made of",
        rule.noun, rule.max_len, rule.allowed, rule.reference
    ))
}

pub fn nlb_listener_targets(lb: &str, port: u16, targets: usize, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::CfnInexpressible,
        format!("listener {port} of network load balancer `{lb}` has {targets} targets"),
        span,
        "this listener",
    )
    .with_help(
        "a network load balancer listener forwards to exactly one target group; \
         expose exactly one container port on it",
    )
}

pub fn https_without_certificate(lb: &str, port: u16, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::CfnInexpressible,
        format!("listener {port} of `{lb}` needs a certificate"),
        span,
        "TLS listener without a certificate",
    )
    .with_help("add `certificate \"arn:aws:acm:...\"` to the listener")
}

pub fn too_many_conditions(service: &str, count: usize, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::CfnInexpressible,
        format!("exposure of service `{service}` has {count} path and host values"),
        span,
        "this exposure",
    )
    .with_help("a listener rule takes at most 5 path and host values; split the exposure in two")
}

pub fn requests_without_alb(service: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::CfnInexpressible,
        format!(
            "service `{service}` scales on requests but is not behind an application load balancer"
        ),
        span,
        "request-count scaling",
    )
    .with_help("expose the service via an `alb`, or scale on `cpu` or `memory`")
}

pub fn caller_without_group(service: &str, caller: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::CfnInexpressible,
        format!("caller `{caller}` of service `{service}` has no security group of its own"),
        span,
        "this caller",
    )
    .with_help(format!(
        "only awsvpc services get a security group of their own; run `{caller}` with \
         `network awsvpc`, or remove it from `callers` and give `{service}` a security \
         group that admits its instances"
    ))
}

pub fn no_vpc(what: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::CfnInexpressible,
        format!("cannot tell which VPC {what} belongs to"),
        span,
        "no network here",
    )
    .with_help("name the network on the service or its cluster (`network main`)")
}

pub fn termination_protection_without_scaling(provider: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::CfnInexpressible,
        format!("capacity provider `{provider}` has managed termination protection without managed scaling"),
        span,
        "in this cluster",
    )
    .with_help("give the provider a `target` capacity, or turn termination protection off")
}

pub fn vpc_cidr_too_small(network: &str, cidr: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::VpcCidrTooSmall,
        format!("VPC `{network}` with CIDR `{cidr}` cannot hold its subnets"),
        span,
        "this network",
    )
    .with_help(
        "Wharf cuts the VPC into 16 equal subnets; use a prefix of /24 or shorter, \
         such as `10.0.0.0/16`",
    )
}

pub fn traffic_shift_behind_nlb(service: &str, lb: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::CfnInexpressible,
        format!(
            "service `{service}` shifts traffic (blue/green, linear or canary) behind \
             network load balancer `{lb}`"
        ),
        span,
        "this exposure",
    )
    .with_help(
        "the CloudFormation target shifts traffic with weighted listener rules, which only \
         application load balancers have; use `deploy rolling`, or expose the service via an `alb`",
    )
}

/// E0523: an awsvpc service naming 5 security groups, to which the stack
/// would add the one it generates: ECS takes at most 5.
pub fn security_group_limit(service: &str, given: usize, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::CfnSecurityGroupLimit,
        format!(
            "service `{service}` names {given} security groups; with the one the stack generates that is {}, and ECS takes at most 5",
            given + 1
        ),
        span,
        "this service",
    )
    .with_help("name at most 4 security groups for `--target cloudformation`; the stack adds the service's own group with its load balancer and caller rules")
}

/// E0525: a lifecycle hook the `AWS::ECS::Service` schema does not take (a
/// pause hook; the `PRE_PRODUCTION_TRAFFIC_SHIFT` stage), though the ECS API
/// does.
pub fn hook_unsupported(service: &str, what: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::CfnHookUnsupported,
        format!("a lifecycle hook of service `{service}` uses `{what}`, which CloudFormation's `AWS::ECS::Service` does not take"),
        span,
        "the ECS API takes it, CloudFormation's DeploymentLifecycleHook does not",
    )
    .with_help(
        "use a `lambda` hook at another stage for `--target cloudformation` \
         (`post_test_traffic_shift` runs before production traffic moves), or build `--target ecs`",
    )
}

/// E0526: a linear or canary deployment CloudFormation would reject as
/// longer than 33 hours.
pub fn shift_too_long(service: &str, linear: bool, minutes: u32, span: Span) -> Diagnostic {
    let (kind, how) = if linear {
        (
            "linear",
            "`bake` plus `every` for each step before the last",
        )
    } else {
        ("canary", "`bake` plus the canary interval (`every`)")
    };
    Diagnostic::error(
        Code::CfnShiftTooLong,
        format!("service `{service}`'s {kind} deployment takes {minutes} minutes, more than the 33 hours CloudFormation allows"),
        span,
        how,
    )
    .with_help("keep the deployment at most 1980 minutes (33 h) for `--target cloudformation`: a shorter `bake` or `every`, or larger steps; or build `--target ecs`")
}
