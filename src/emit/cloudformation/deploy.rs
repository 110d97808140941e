//! Native ECS deployments in the stack. Stage: emit. Input: a service's
//! `ir::Deployment`; output: the role ECS invokes the service's Lambda
//! lifecycle hooks with (one per service, allowed `lambda:InvokeFunction` on
//! those functions only, assumable by ECS only), and the refusals of what
//! the `AWS::ECS::Service` schema does not take (E0525) or CloudFormation
//! rejects as longer than its 36-hour operations (E0526).
//!
//! The alternate target group, the weighted production (and test) listener
//! rules and the load balancer role are the exposure's (`lb.rs`,
//! `service.rs`).

use crate::emit::json::json;
use serde_json::Value;

use super::value::get_att;
use super::{errors, Ctx};
use crate::ir::{self, DeploymentStrategy, HookStage, HookTarget};

/// CloudFormation rejects a linear or canary deployment whose computed
/// duration passes 33 hours (its operations time out at 36).
pub const MAX_SHIFT_MINUTES: u32 = 33 * 60;

/// The duration CloudFormation computes for a linear or canary deployment
/// (AWS::ECS::Service LinearConfiguration, CanaryConfiguration): the bake
/// time plus the canary's wait, or plus the step wait times the steps
/// before the last (`100 / P - 1` when P divides 100, else `floor(100 / P)`).
pub fn shift_minutes(d: &ir::Deployment) -> Option<u32> {
    let bake = d.bake_time_minutes.unwrap_or(0);
    match d.strategy {
        DeploymentStrategy::Canary {
            interval_minutes, ..
        } => Some(bake + interval_minutes),
        DeploymentStrategy::Linear {
            percent,
            interval_minutes,
        } if percent > 0 => {
            let steps = if 100 % percent == 0 {
                100 / percent - 1
            } else {
                100 / percent
            };
            Some(bake + interval_minutes * steps)
        }
        _ => None,
    }
}

impl<'a> Ctx<'a> {
    /// Per lifecycle hook, the role ECS invokes it with: the one given, or
    /// `<Service>HookRole`, generated here for every Lambda hook without one.
    pub(super) fn emit_hook_roles(&mut self, b: &str, s: &ir::Service) -> Vec<Option<Value>> {
        let d = &s.deployment;
        if let Some(total) = shift_minutes(d).filter(|&m| m > MAX_SHIFT_MINUTES) {
            let linear = matches!(d.strategy, DeploymentStrategy::Linear { .. });
            self.diags
                .push(errors::shift_too_long(&s.name, linear, total, s.span));
        }
        for h in &d.hooks {
            let stage = h
                .stages
                .iter()
                .find(|st| **st == HookStage::PreProductionTrafficShift);
            if let Some(stage) = stage {
                self.diags
                    .push(errors::hook_unsupported(&s.name, stage.word(), h.span));
            } else if h.target == HookTarget::Pause {
                self.diags
                    .push(errors::hook_unsupported(&s.name, "pause", h.span));
            }
        }
        let generated: Vec<Value> = d
            .hooks
            .iter()
            .filter(|h| h.role.is_none())
            .filter_map(|h| match &h.target {
                HookTarget::Lambda(arn) => Some(self.text(arn)),
                HookTarget::Pause => None,
            })
            .fold(Vec::new(), |mut v, arn| {
                if !v.contains(&arn) {
                    v.push(arn);
                }
                v
            });
        let id = format!("{b}HookRole");
        if !generated.is_empty() {
            let trust = json!({ "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": { "Service": "ecs.amazonaws.com" },
                "Action": "sts:AssumeRole",
                "Condition": { "StringEquals": { "aws:SourceAccount": { "Ref": "AWS::AccountId" } } } }] });
            self.add_role(
                id.clone(),
                &format!(
                    "ECS invokes the deployment lifecycle hooks of service `{}`",
                    s.name
                ),
                trust,
                "lifecycle-hooks",
                vec![
                    json!({ "Effect": "Allow", "Action": "lambda:InvokeFunction",
                             "Resource": generated }),
                ],
            );
        }
        d.hooks
            .iter()
            .map(|h| match (&h.target, &h.role) {
                (HookTarget::Pause, _) => None,
                (HookTarget::Lambda(_), Some(role)) => Some(self.text(role)),
                (HookTarget::Lambda(_), None) => Some(get_att(&id, "Arn")),
            })
            .collect()
    }
}
