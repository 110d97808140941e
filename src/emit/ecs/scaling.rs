//! `ir::AutoScale` -> Application Auto Scaling inputs, the same scaling the
//! CloudFormation target declares as `AWS::ApplicationAutoScaling::*`:
//! one `RegisterScalableTarget` for the service's desired count and one
//! `PutScalingPolicy` (target tracking) per target. The scalable target is
//! named by the service's resource ID, `service/<cluster>/<service>`, which
//! both exist by name, so nothing needs an ID the API would hand back. No
//! `RoleARN`: Application Auto Scaling then uses its service-linked role for
//! ECS, as the CloudFormation target does. Scaling on ALB requests needs the
//! load balancer's and target group's full names as a resource label; the
//! program names only the target group ARN here, so that is E0522.

use serde_json::Value;

use super::{errors, Obj};
use crate::diag::Diagnostic;
use crate::ir;

const DIMENSION: &str = "ecs:service:DesiredCount";

fn resource_id(service: &ir::Service) -> String {
    format!("service/{}/{}", service.cluster, service.name)
}

/// The `RegisterScalableTarget` input.
pub(crate) fn scalable_target(service: &ir::Service, a: &ir::AutoScale) -> Value {
    Obj::new()
        .set("ServiceNamespace", "ecs")
        .set("ResourceId", resource_id(service))
        .set("ScalableDimension", DIMENSION)
        .set("MinCapacity", a.min)
        .set("MaxCapacity", a.max)
        .build()
}

/// One `PutScalingPolicy` input per target, with the name the
/// CloudFormation target gives it (`<service>-<metric>`).
pub(crate) fn policies(
    service: &ir::Service,
    a: &ir::AutoScale,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for t in &a.targets {
        if t.metric == ir::ScalingMetric::Requests {
            diags.push(errors::scaling_needs_label(&service.name, a.span));
            continue;
        }
        let metric = t.metric.predefined_metric_type();
        let policy_name = service.scaling_policy_name(t.metric);
        let config = Obj::new()
            .set("TargetValue", t.value)
            .set(
                "PredefinedMetricSpecification",
                Obj::new().set("PredefinedMetricType", metric).build(),
            )
            .set("ScaleOutCooldown", a.scale_out_cooldown)
            .set("ScaleInCooldown", a.scale_in_cooldown)
            .build();
        let policy = Obj::new()
            .set("PolicyName", policy_name.as_str())
            .set("ServiceNamespace", "ecs")
            .set("ResourceId", resource_id(service))
            .set("ScalableDimension", DIMENSION)
            .set("PolicyType", "TargetTrackingScaling")
            .set("TargetTrackingScalingPolicyConfiguration", config)
            .build();
        out.push((policy_name, policy));
    }
    out
}
