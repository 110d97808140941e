//! What a native ECS deployment (`deploymentConfiguration`) carries beyond
//! its strategy: lifecycle hooks, CloudWatch alarms, and per load balancer
//! the existing resources ECS shifts traffic with (the ECS API target names
//! them; the CloudFormation target creates its own).

use super::Text;
use crate::diag::Span;

/// A stage of an ECS deployment at which a lifecycle hook runs: the
/// `DeploymentLifecycleHookStage` values of the ECS API, in deployment order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HookStage {
    ReconcileService,
    PreScaleUp,
    PostScaleUp,
    TestTrafficShift,
    PostTestTrafficShift,
    PreProductionTrafficShift,
    ProductionTrafficShift,
    PostProductionTrafficShift,
}

impl HookStage {
    pub const ALL: [HookStage; 8] = [
        HookStage::ReconcileService,
        HookStage::PreScaleUp,
        HookStage::PostScaleUp,
        HookStage::TestTrafficShift,
        HookStage::PostTestTrafficShift,
        HookStage::PreProductionTrafficShift,
        HookStage::ProductionTrafficShift,
        HookStage::PostProductionTrafficShift,
    ];

    /// The ECS API's spelling (`PRE_SCALE_UP`).
    pub fn as_api(self) -> &'static str {
        match self {
            HookStage::ReconcileService => "RECONCILE_SERVICE",
            HookStage::PreScaleUp => "PRE_SCALE_UP",
            HookStage::PostScaleUp => "POST_SCALE_UP",
            HookStage::TestTrafficShift => "TEST_TRAFFIC_SHIFT",
            HookStage::PostTestTrafficShift => "POST_TEST_TRAFFIC_SHIFT",
            HookStage::PreProductionTrafficShift => "PRE_PRODUCTION_TRAFFIC_SHIFT",
            HookStage::ProductionTrafficShift => "PRODUCTION_TRAFFIC_SHIFT",
            HookStage::PostProductionTrafficShift => "POST_PRODUCTION_TRAFFIC_SHIFT",
        }
    }

    /// Wharf's spelling (`pre_scale_up`): the API's, in lower case.
    pub fn word(self) -> &'static str {
        match self {
            HookStage::ReconcileService => "reconcile_service",
            HookStage::PreScaleUp => "pre_scale_up",
            HookStage::PostScaleUp => "post_scale_up",
            HookStage::TestTrafficShift => "test_traffic_shift",
            HookStage::PostTestTrafficShift => "post_test_traffic_shift",
            HookStage::PreProductionTrafficShift => "pre_production_traffic_shift",
            HookStage::ProductionTrafficShift => "production_traffic_shift",
            HookStage::PostProductionTrafficShift => "post_production_traffic_shift",
        }
    }

    pub fn from_word(word: &str) -> Option<HookStage> {
        HookStage::ALL
            .into_iter()
            .find(|s| s.word().eq_ignore_ascii_case(word) || s.as_api() == word)
    }
}

/// What a lifecycle hook does (`targetType`).
#[derive(Debug, Clone, PartialEq)]
pub enum HookTarget {
    /// `AWS_LAMBDA`: ECS invokes this function (ARN) and waits for its
    /// `hookStatus`.
    Lambda(Text),
    /// `PAUSE`: the deployment waits for `ContinueServiceDeployment`.
    Pause,
}

/// `hook STAGE lambda ARN [role ARN]` / `hook STAGE pause`.
#[derive(Debug, Clone, PartialEq)]
pub struct LifecycleHook {
    /// One or more stages, in the order written, no repeats.
    pub stages: Vec<HookStage>,
    pub target: HookTarget,
    /// The role ECS assumes to invoke the function; `None`: the
    /// CloudFormation target generates one allowed to invoke only this
    /// service's hook functions (the ECS API target needs it named).
    pub role: Option<Text>,
    pub span: Span,
}

/// `alarms ["name", ...] [rollback]`: `deploymentConfiguration.alarms`.
#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentAlarms {
    pub names: Vec<Text>,
    pub rollback: bool,
    pub span: Span,
}

/// The existing resources of one exposure ECS shifts traffic with, named for
/// the ECS API target (`advancedConfiguration`). The CloudFormation target
/// creates its own alternate target group, rule and role and reads only
/// `test_listener`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrafficShift {
    /// `alternate_target_group ARN`
    pub alternate_target_group: Option<Text>,
    /// `production_rule ARN`: an ALB listener rule, or an NLB listener.
    pub production_rule: Option<Text>,
    /// `test_rule ARN`: where test traffic reaches the new revision.
    pub test_rule: Option<Text>,
    /// `role ARN`: the role ECS assumes to call Elastic Load Balancing.
    pub role: Option<Text>,
    /// `test_listener PORT`: the CloudFormation target adds a test listener
    /// rule on this listener of the load balancer.
    pub test_listener: Option<u16>,
    /// Where `test_listener` was written.
    pub test_listener_span: Option<Span>,
    /// Where the first of these was written, for diagnostics about them.
    pub span: Option<Span>,
}

impl TrafficShift {
    pub fn is_empty(&self) -> bool {
        self.alternate_target_group.is_none()
            && self.production_rule.is_none()
            && self.test_rule.is_none()
            && self.role.is_none()
            && self.test_listener.is_none()
    }
}
