//! Native ECS deployments beyond the `deploy` line: lifecycle hooks,
//! deployment alarms and the resources a load balancer shifts traffic with,
//! and the rules the ECS API reference states about them (E0715-E0729).
//!
//! ```text
//! service api in prod {
//!   expose app:3000 via web {
//!     alternate_target_group "arn:...:targetgroup/api-green/..."   // ECS JSON target
//!     production_rule "arn:...:listener-rule/app/web/.../..."
//!     traffic_role "arn:aws:iam::123456789012:role/ecs-elb"
//!     test_listener 8080                                          // CloudFormation
//!   }
//!   deploy canary 10% every 5m bake 10m
//!   hook post_test_traffic_shift lambda "arn:aws:lambda:...:function:smoke"
//!   hook [pre_scale_up, post_scale_up] pause
//!   alarms ["api-5xx"] rollback
//! }
//! ```

use super::args::Words;
use super::Cx;
use crate::ast::{Expr, Statement};
use crate::diag::{Code, Diagnostic, Span};
use crate::ir::{self, DeploymentStrategy, HookStage, HookTarget, LbKind, Text};

/// Longest bake time, step or canary interval ECS takes: 1440 minutes.
pub const MAX_BAKE_MINUTES: u32 = 1440;
/// The smallest linear step ECS takes (`LinearConfiguration.stepPercent`).
pub const MIN_LINEAR_STEP: u32 = 3;

const STAGE_WORDS: [&str; 8] = [
    "reconcile_service",
    "pre_scale_up",
    "post_scale_up",
    "test_traffic_shift",
    "post_test_traffic_shift",
    "pre_production_traffic_shift",
    "production_traffic_shift",
    "post_production_traffic_shift",
];

/// `hook STAGE lambda ARN [role ARN]`, `hook STAGE pause`; STAGE may be a
/// list of stages.
pub fn hook(cx: &mut Cx, w: &mut Words, s: &Statement) -> Option<ir::LifecycleHook> {
    let lambda = w.keyword(cx, "lambda");
    let role_expr = w.keyword(cx, "role");
    let role = role_expr.and_then(|e| cx.text(e));
    let pause = w.flag("pause");
    let stages_expr = w.required(cx, "a lifecycle stage such as `post_scale_up`")?;
    let stages = stages(cx, stages_expr)?;
    let target = match (lambda, pause) {
        (Some(_), true) => {
            cx.push(
                Diagnostic::error(
                    Code::ArgumentCount,
                    "a lifecycle hook either invokes a Lambda function or pauses",
                    s.span,
                    "both `lambda` and `pause`",
                )
                .with_help("keep `lambda ARN` or `pause`, not both"),
            );
            return None;
        }
        (Some(e), false) => {
            let arn = cx.text(e)?;
            if !cx.scope.incomplete(&arn) {
                let v = cx.scope.resolve(&arn);
                if !is_lambda_arn(&v) {
                    cx.push(
                        Diagnostic::error(
                            Code::DeployHookTarget,
                            format!("`{v}` is not a Lambda function ARN"),
                            e.span,
                            "ECS invokes only Lambda functions from a lifecycle hook",
                        )
                        .with_help("give the function's ARN: `arn:aws:lambda:REGION:ACCOUNT:function:NAME`"),
                    );
                    return None;
                }
            }
            HookTarget::Lambda(arn)
        }
        (None, true) => {
            if let Some(e) = role_expr {
                cx.push(
                    Diagnostic::error(
                        Code::DeployHookRole,
                        "a pause hook with a role",
                        e.span,
                        "a pause hook invokes nothing",
                    )
                    .with_help(
                        "remove `role`: only a `lambda` hook needs a role to invoke its function",
                    ),
                );
                return None;
            }
            HookTarget::Pause
        }
        (None, false) => {
            cx.push(super::errors::missing_word(
                "hook",
                "`lambda \"arn:aws:lambda:...\"` or `pause`",
                s.span,
            ));
            return None;
        }
    };
    if let (Some(role), Some(e)) = (&role, role_expr) {
        if !role_arn_ok(cx, role, e.span) {
            return None;
        }
    }
    Some(ir::LifecycleHook {
        stages,
        target,
        role,
        span: s.span,
    })
}

/// One stage word, or a list of them; each at most once.
fn stages(cx: &mut Cx, e: &Expr) -> Option<Vec<HookStage>> {
    let items: Vec<Expr> = cx.list(e).into_iter().cloned().collect();
    let mut out: Vec<HookStage> = Vec::new();
    let mut ok = !items.is_empty();
    for item in &items {
        let Some(word) = cx.choice(item, "a lifecycle stage", &STAGE_WORDS) else {
            ok = false;
            continue;
        };
        let stage = HookStage::from_word(word).expect("every stage word is a stage");
        if out.contains(&stage) {
            cx.push(
                Diagnostic::error(
                    Code::DeployHookStages,
                    format!("lifecycle stage `{word}` listed twice in one hook"),
                    item.span,
                    "listed again here",
                )
                .with_help("list each stage once"),
            );
            ok = false;
            continue;
        }
        out.push(stage);
    }
    if items.is_empty() {
        cx.push(
            Diagnostic::error(
                Code::DeployHookStages,
                "a lifecycle hook with no stage",
                e.span,
                "empty list",
            )
            .with_help("name at least one stage, such as `post_test_traffic_shift`"),
        );
    }
    ok.then_some(out)
}

/// `alarms ["name", ...] [rollback]`.
pub fn alarms(cx: &mut Cx, w: &mut Words, s: &Statement) -> Option<ir::DeploymentAlarms> {
    let rollback = w.flag("rollback");
    let e = w.required(cx, "a list of CloudWatch alarm names")?;
    let names = cx.texts(e)?;
    if names.is_empty() {
        cx.push(
            Diagnostic::error(
                Code::DeployAlarmsEmpty,
                "deployment alarms with no alarm",
                e.span,
                "empty list",
            )
            .with_help("name one or more CloudWatch alarms: `alarms [\"api-5xx\"] rollback`, or remove the line"),
        );
        return None;
    }
    Some(ir::DeploymentAlarms {
        names,
        rollback,
        span: s.span,
    })
}

/// One traffic-shifting statement of an expose block.
pub fn traffic(
    cx: &mut Cx,
    w: &mut Words,
    prop: super::vocabulary::Expose,
    s: &Statement,
    t: &mut ir::TrafficShift,
) {
    use super::vocabulary::Expose as P;
    t.span.get_or_insert(s.span);
    if prop == P::TestListener {
        let v = w
            .required(cx, "a listener port")
            .and_then(|e| cx.port(e, false));
        super::read::set(cx, &mut t.test_listener, s, v);
        t.test_listener_span.get_or_insert(s.span);
        return;
    }
    let what = match prop {
        P::AlternateTargetGroup => "a target group ARN",
        P::TrafficRole => "an IAM role ARN",
        _ => "a listener rule or listener ARN",
    };
    let e = w.required(cx, what);
    let mut v = e.and_then(|e| cx.text(e));
    if let (P::TrafficRole, Some(role), Some(e)) = (prop, &v, e) {
        if !role_arn_ok(cx, role, e.span) {
            v = None;
        }
    }
    let slot = match prop {
        P::AlternateTargetGroup => &mut t.alternate_target_group,
        P::ProductionRule => &mut t.production_rule,
        P::TestRule => &mut t.test_rule,
        _ => &mut t.role,
    };
    super::read::set(cx, slot, s, v);
}

/// A bake time or step interval in minutes: whole minutes, 0 to 1440.
pub fn minutes(cx: &mut Cx, e: &Expr, what: &str) -> Option<u32> {
    let seconds = cx.seconds(e)?;
    if seconds % 60 != 0 || seconds / 60 > MAX_BAKE_MINUTES {
        let given = if seconds % 60 == 0 {
            format!("{} minutes, over the 1440 ECS takes", seconds / 60)
        } else {
            format!("{seconds} s, not a whole number of minutes")
        };
        cx.push(
            Diagnostic::error(
                Code::DeployBakeTime,
                format!("{what} of {given}"),
                e.span,
                "ECS takes whole minutes, at most 1440 (24 hours)",
            )
            .with_help("give whole minutes from `0m` to `1440m` (`24h`), such as `10m`"),
        );
        return None;
    }
    Some(seconds / 60)
}

/// A linear step below the 3% ECS takes (E0717), at the percentage.
pub fn linear_step(cx: &mut Cx, percent: u32, span: Span) {
    if (1..MIN_LINEAR_STEP).contains(&percent) {
        cx.push(
            Diagnostic::error(
                Code::DeployStepPercent,
                format!("a linear step of {percent}% is below the 3% ECS takes"),
                span,
                "the share of traffic each step moves",
            )
            .with_help(
                "shift 3% to 100% per linear step, or use `deploy canary` for a small first step",
            ),
        );
    }
}

/// The rules of the ECS API reference about a service's deployment that
/// need the whole service (its exposures, their load balancers).
pub fn check(cx: &mut Cx, index: &ir::Index, s: &ir::Service) {
    let d = &s.deployment;
    let shifts = d.strategy != DeploymentStrategy::Rolling;
    // Linear and canary steps move traffic: without a load balancer (or
    // Service Connect) there is none to move.
    if matches!(
        d.strategy,
        DeploymentStrategy::Linear { .. } | DeploymentStrategy::Canary { .. }
    ) && !has_traffic_endpoint(s)
    {
        cx.push(
            Diagnostic::error(
                Code::DeployShiftWithoutTraffic,
                format!(
                    "service `{}` shifts traffic step by step but receives none through a load balancer",
                    s.name
                ),
                s.span,
                "no `expose`",
            )
            .with_help("`expose` the service via an `alb` or `nlb`, or use `deploy blue_green` or `deploy rolling`"),
        );
    }
    for hook in &d.hooks {
        check_hook(cx, hook);
    }
    for x in &s.exposures {
        let t = &x.traffic;
        if t.is_empty() {
            continue;
        }
        let span = t.span.unwrap_or(x.span);
        if !shifts {
            cx.push(
                Diagnostic::error(
                    Code::DeployTrafficUnused,
                    format!(
                        "service `{}` names traffic-shifting resources but deploys `rolling`",
                        s.name
                    ),
                    span,
                    "used only by blue/green, linear and canary deployments",
                )
                .with_help("use `deploy blue_green`, `deploy linear P% every D` or `deploy canary P% every D`, or remove the alternate target group, rules and traffic role"),
            );
            continue;
        }
        if let (Some(a), Some(b)) = (&t.alternate_target_group, &x.target_group_arn) {
            if !cx.scope.incomplete(a) && cx.scope.resolve(a) == cx.scope.resolve(b) {
                cx.push(
                    Diagnostic::error(
                        Code::DeployAlternateSame,
                        "the alternate target group is the production target group",
                        span,
                        "same ARN as `target_group`",
                    )
                    .with_help("ECS moves the new revision's tasks into a second target group: create one with the same settings and give its ARN"),
                );
            }
        }
        // An unknown load balancer is reported already (E0205).
        let lb = index.load_balancers.get(x.load_balancer.as_str());
        if let (Some(port), Some(lb)) = (t.test_listener, lb) {
            let listener = lb.listeners.iter().find(|l| l.port == port);
            let served = x.listeners.is_empty() || x.listeners.contains(&port);
            let problem = if lb.kind == LbKind::Nlb {
                Some("test traffic on a network load balancer needs a listener of its own: give `test_rule` with the listener's ARN for the ECS target")
            } else if listener.is_none() {
                Some("not a listener of the load balancer")
            } else if listener.is_some_and(|l| l.redirect_to.is_some()) {
                Some("that listener redirects")
            } else if served {
                Some("production traffic reaches this exposure on that listener too")
            } else {
                None
            };
            if let Some(problem) = problem {
                cx.push(
                    Diagnostic::error(
                        Code::DeployTestListener,
                        format!(
                            "`test_listener {port}` cannot carry test traffic to service `{}` via `{}`",
                            s.name, lb.name
                        ),
                        t.test_listener_span.unwrap_or(span),
                        problem,
                    )
                    .with_help("name a listener of the application load balancer that does not redirect, and serve production on the others with `listener PORT` in the expose block"),
                );
            }
        }
    }
}

/// Where ECS can shift traffic: a load balancer, or the Service Connect
/// endpoints the service serves.
pub fn has_traffic_endpoint(s: &ir::Service) -> bool {
    !s.exposures.is_empty() || s.connect.as_ref().is_some_and(|c| !c.services.is_empty())
}

fn check_hook(cx: &mut Cx, hook: &ir::LifecycleHook) {
    if hook.target != HookTarget::Pause {
        return;
    }
    let refused: Vec<&str> = hook
        .stages
        .iter()
        .filter(|s| {
            matches!(
                s,
                HookStage::TestTrafficShift | HookStage::ProductionTrafficShift
            )
        })
        .map(|s| s.word())
        .collect();
    if !refused.is_empty() {
        cx.push(
            Diagnostic::error(
                Code::DeployPauseStage,
                format!("a pause hook at `{}`", refused.join("`, `")),
                hook.span,
                "ECS pauses only between stages, not while traffic moves",
            )
            .with_help("pause at `post_test_traffic_shift` or `pre_production_traffic_shift` instead, or use a `lambda` hook at this stage"),
        );
    }
}

/// Whether `role` is an IAM role ARN (an input without a value is
/// reported elsewhere); reports E0724 at `span` when not.
fn role_arn_ok(cx: &mut Cx, role: &Text, span: Span) -> bool {
    if cx.scope.incomplete(role) {
        return true;
    }
    let v = cx.scope.resolve(role);
    if is_role_arn(&v) {
        return true;
    }
    cx.push(
        Diagnostic::error(
            Code::DeployHookRole,
            format!("`{v}` is not an IAM role ARN"),
            span,
            "ECS assumes this role",
        )
        .with_help("give the role's ARN: `arn:aws:iam::ACCOUNT:role/NAME`"),
    );
    false
}

/// `arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`.
pub fn is_lambda_arn(v: &str) -> bool {
    let parts: Vec<&str> = v.split(':').collect();
    parts.len() >= 7
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "lambda"
        && !parts[3].is_empty()
        && !parts[4].is_empty()
        && parts[5] == "function"
        && !parts[6].is_empty()
        && parts.len() <= 8
}

/// `arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME`.
pub fn is_role_arn(v: &str) -> bool {
    let parts: Vec<&str> = v.splitn(6, ':').collect();
    parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "iam"
        && parts[3].is_empty()
        && !parts[4].is_empty()
        && parts[5]
            .strip_prefix("role/")
            .is_some_and(|n| !n.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns() {
        assert!(is_lambda_arn(
            "arn:aws:lambda:us-east-1:123456789012:function:smoke"
        ));
        assert!(is_lambda_arn(
            "arn:aws-cn:lambda:cn-north-1:123456789012:function:smoke:live"
        ));
        assert!(!is_lambda_arn(
            "arn:aws:lambda:us-east-1:123456789012:layer:x"
        ));
        assert!(!is_lambda_arn("smoke"));
        assert!(is_role_arn("arn:aws:iam::123456789012:role/path/hooks"));
        assert!(!is_role_arn("arn:aws:iam::123456789012:user/x"));
        assert!(!is_role_arn("arn:aws:iam:us-east-1:123456789012:role/x"));
    }
}
