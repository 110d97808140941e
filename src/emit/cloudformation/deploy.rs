//! Native ECS deployments in the stack. Stage: emit. Input: a service's
//! `ir::Deployment`; output: the role ECS invokes the service's Lambda
//! lifecycle hooks with (one per service, allowed `lambda:InvokeFunction` on
//! those functions only, assumable by ECS only), and the refusals of what
//! the `AWS::ECS::Service` schema does not take (E0525) or CloudFormation
//! would time out on (E0526).
//!
//! The alternate target group, the weighted production (and test) listener
//! rules and the load balancer role are the exposure's (`lb.rs`,
//! `service.rs`).

use serde_json::{json, Value};

use super::value::get_att;
use super::{errors, Ctx};
use crate::ir::{self, DeploymentStrategy, HookStage, HookTarget};

/// CloudFormation rejects a canary deployment whose bake time and canary
/// bake time add up to more than 33 hours (its operations time out at 36).
pub const MAX_CANARY_MINUTES: u32 = 33 * 60;

impl<'a> Ctx<'a> {
    /// Per lifecycle hook, the role ECS invokes it with: the one given, or
    /// `<Service>HookRole`, generated here for every Lambda hook without one.
    pub(super) fn emit_hook_roles(&mut self, b: &str, s: &ir::Service) -> Vec<Option<Value>> {
        let d = &s.deployment;
        if let DeploymentStrategy::Canary {
            interval_minutes, ..
        } = d.strategy
        {
            let total = d.bake_time_minutes.unwrap_or(0) + interval_minutes;
            if total > MAX_CANARY_MINUTES {
                self.diags
                    .push(errors::canary_too_long(&s.name, total, s.span));
            }
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
