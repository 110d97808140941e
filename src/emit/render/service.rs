//! `ir::Service` -> the `CreateService` input (ECS API) or the
//! `AWS::ECS::Service` properties (CloudFormation), in botocore member
//! order. Always written: `schedulingStrategy`, `launchType` or
//! `capacityProviderStrategy` (`Service::effective_launch`),
//! `platformVersion` on Fargate, the whole `deploymentConfiguration`
//! including a disabled circuit breaker, `deploymentController`, the grace
//! period of a load-balanced service, and the tag and execute-command
//! switches. What names another resource (the cluster, the task
//! definition, target groups, the Cloud Map service, subnets and security
//! groups) is the backend's to write: an ID or ARN, or a reference to what
//! the stack creates; it comes in as `ServiceRefs`.

use serde_json::Value;

use super::task::tags;
use super::{Dialect, Fields};
use crate::ir;

/// What a service refers to, as the target writes it.
pub(crate) struct ServiceRefs {
    pub cluster: Value,
    pub task_definition: Value,
    /// Per exposure (in order) its target group and, when ECS shifts
    /// traffic between two, its `advancedConfiguration`; `None` leaves the
    /// exposure out (the backend has reported why).
    pub target_groups: Vec<Option<(Value, Option<Value>)>>,
    /// The Cloud Map service's ARN, for a service with discovery.
    pub registry: Option<Value>,
    /// `awsvpcConfiguration`, for an awsvpc service.
    pub network: Option<AwsVpc>,
    /// The Service Connect namespace, for a service with `connect`.
    pub connect_namespace: Option<Value>,
    /// Per lifecycle hook (in order) the role ECS invokes it with; `None`
    /// leaves `roleArn` out (a pause hook, or the backend has reported why).
    pub hook_roles: Vec<Option<Value>>,
}

pub(crate) struct AwsVpc {
    pub subnets: Value,
    pub security_groups: Option<Value>,
    pub public_ip: bool,
}

pub(crate) fn service<D: Dialect + ?Sized>(
    d: &D,
    s: &ir::Service,
    task: &ir::Task,
    launch: &ir::EffectiveLaunch,
    refs: ServiceRefs,
) -> Value {
    let load_balancers = s
        .exposures
        .iter()
        .zip(refs.target_groups)
        .filter_map(|(e, tg)| {
            let (tg, advanced) = tg?;
            Some(
                Fields::new(d, "LoadBalancer")
                    .set("targetGroupArn", tg)
                    .set("containerName", e.container.as_str())
                    .set("containerPort", e.container_port)
                    .opt("advancedConfiguration", advanced)
                    .build(),
            )
        })
        .collect();
    let registries = refs
        .registry
        .map(|arn| {
            let target = s.registry_target(task);
            Fields::new(d, "ServiceRegistry")
                .set("registryArn", arn)
                .opt("containerName", target.map(|t| t.0))
                .opt("containerPort", target.map(|t| t.1))
                .build()
        })
        .into_iter()
        .collect();
    let network = refs.network.map(|n| {
        let vpc = Fields::new(d, "AwsVpcConfiguration")
            .set("subnets", n.subnets)
            .opt("securityGroups", n.security_groups)
            .set("assignPublicIp", enabled(n.public_ip))
            .build();
        Fields::new(d, "NetworkConfiguration")
            .set("awsvpcConfiguration", vpc)
            .build()
    });
    let svc = Fields::new(d, "CreateServiceRequest")
        .set("cluster", refs.cluster)
        .set("serviceName", s.name.as_str())
        .set("taskDefinition", refs.task_definition)
        .list("loadBalancers", load_balancers)
        .list("serviceRegistries", registries)
        .opt("desiredCount", s.written_desired_count());
    let svc = match launch {
        ir::EffectiveLaunch::Type(t) => svc.set("launchType", t.as_str()),
        ir::EffectiveLaunch::Strategy(items) => {
            svc.set("capacityProviderStrategy", strategy(d, items))
        }
    };
    svc.opt("platformVersion", s.written_platform_version(launch))
        .set(
            "deploymentConfiguration",
            deployment_configuration(d, &s.deployment, &refs.hook_roles),
        )
        .list(
            "placementConstraints",
            s.placement_constraints
                .iter()
                .map(|c| placement_constraint(d, c))
                .collect(),
        )
        .list(
            "placementStrategy",
            s.placement_strategies
                .iter()
                .map(|p| placement_strategy(d, p))
                .collect(),
        )
        .opt("networkConfiguration", network)
        .opt("healthCheckGracePeriodSeconds", s.written_grace_period())
        .set(
            "schedulingStrategy",
            match s.scheduling {
                ir::Scheduling::Replica => "REPLICA",
                ir::Scheduling::Daemon => "DAEMON",
            },
        )
        .set(
            "deploymentController",
            Fields::new(d, "DeploymentController")
                .set("type", "ECS")
                .build(),
        )
        .list("tags", tags(d, &s.tags))
        .set("enableECSManagedTags", false)
        .set("propagateTags", "NONE")
        .set("enableExecuteCommand", s.execute_command)
        .opt(
            "serviceConnectConfiguration",
            s.connect
                .as_ref()
                .zip(refs.connect_namespace)
                .map(|(c, ns)| super::connect::service_connect(d, c, ns)),
        )
        .build()
}

/// A capacity provider strategy, each provider as the target names it.
pub(crate) fn strategy<D: Dialect + ?Sized>(d: &D, items: &[ir::StrategyItem]) -> Vec<Value> {
    items
        .iter()
        .map(|i| {
            Fields::new(d, "CapacityProviderStrategyItem")
                .set("capacityProvider", d.capacity_provider(&i.provider))
                .set("weight", i.weight)
                .set("base", i.base)
                .build()
        })
        .collect()
}

fn enabled(on: bool) -> &'static str {
    if on {
        "ENABLED"
    } else {
        "DISABLED"
    }
}

fn deployment_configuration<D: Dialect + ?Sized>(
    d: &D,
    dep: &ir::Deployment,
    hook_roles: &[Option<Value>],
) -> Value {
    let (strategy, linear, canary) = match dep.strategy {
        ir::DeploymentStrategy::Rolling => ("ROLLING", None, None),
        ir::DeploymentStrategy::BlueGreen => ("BLUE_GREEN", None, None),
        ir::DeploymentStrategy::Linear {
            percent,
            interval_minutes,
        } => (
            "LINEAR",
            Some(
                Fields::new(d, "LinearConfiguration")
                    .set("stepPercent", percent)
                    .set("stepBakeTimeInMinutes", interval_minutes)
                    .build(),
            ),
            None,
        ),
        ir::DeploymentStrategy::Canary {
            percent,
            interval_minutes,
        } => (
            "CANARY",
            None,
            Some(
                Fields::new(d, "CanaryConfiguration")
                    .set("canaryPercent", percent)
                    .set("canaryBakeTimeInMinutes", interval_minutes)
                    .build(),
            ),
        ),
    };
    Fields::new(d, "DeploymentConfiguration")
        .set(
            "deploymentCircuitBreaker",
            Fields::new(d, "DeploymentCircuitBreaker")
                .set("enable", dep.circuit_breaker.is_some())
                .set("rollback", dep.circuit_breaker.is_some_and(|c| c.rollback))
                .build(),
        )
        .set("maximumPercent", dep.maximum_percent)
        .set("minimumHealthyPercent", dep.minimum_healthy_percent)
        .opt("alarms", dep.alarms.as_ref().map(|a| alarms(d, a)))
        .set("strategy", strategy)
        .opt("bakeTimeInMinutes", dep.bake_time_minutes)
        .list(
            "lifecycleHooks",
            dep.hooks
                .iter()
                .enumerate()
                .map(|(i, h)| hook(d, h, hook_roles.get(i).cloned().flatten()))
                .collect(),
        )
        .opt("linearConfiguration", linear)
        .opt("canaryConfiguration", canary)
        .build()
}

/// `deploymentConfiguration.alarms`: given alarms are always enabled.
fn alarms<D: Dialect + ?Sized>(d: &D, a: &ir::DeploymentAlarms) -> Value {
    Fields::new(d, "DeploymentAlarms")
        .set("alarmNames", Value::Array(d.texts(&a.names)))
        .set("rollback", a.rollback)
        .set("enable", true)
        .build()
}

/// A `DeploymentLifecycleHook`. A Lambda hook leaves `targetType` out (its
/// default, `AWS_LAMBDA`; CloudFormation has no such property).
fn hook<D: Dialect + ?Sized>(d: &D, h: &ir::LifecycleHook, role: Option<Value>) -> Value {
    let f = Fields::new(d, "DeploymentLifecycleHook");
    let f = match &h.target {
        ir::HookTarget::Lambda(arn) => f.text("hookTargetArn", arn),
        ir::HookTarget::Pause => f.set("targetType", "PAUSE"),
    };
    f.opt("roleArn", role)
        .set(
            "lifecycleStages",
            Value::Array(h.stages.iter().map(|s| Value::from(s.as_api())).collect()),
        )
        .build()
}

fn placement_constraint<D: Dialect + ?Sized>(d: &D, c: &ir::PlacementConstraint) -> Value {
    let f = Fields::new(d, "PlacementConstraint");
    match c {
        ir::PlacementConstraint::DistinctInstance => f.set("type", "distinctInstance"),
        ir::PlacementConstraint::MemberOf(expr) => {
            f.set("type", "memberOf").set("expression", expr.as_str())
        }
    }
    .build()
}

fn placement_strategy<D: Dialect + ?Sized>(d: &D, s: &ir::PlacementStrategy) -> Value {
    Fields::new(d, "PlacementStrategy")
        .set(
            "type",
            match s.kind {
                ir::PlacementKind::Spread => "spread",
                ir::PlacementKind::Binpack => "binpack",
                ir::PlacementKind::Random => "random",
            },
        )
        .opt("field", s.field.as_deref())
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The API dialect over literal texts.
    struct Plain;

    impl Dialect for Plain {
        fn case(&self) -> super::super::Case {
            super::super::Case::Api
        }

        fn text(&self, t: &ir::Text) -> Value {
            Value::from(t.as_literal().unwrap_or_default())
        }
    }

    fn deployment(strategy: ir::DeploymentStrategy) -> ir::Deployment {
        ir::Deployment {
            strategy,
            minimum_healthy_percent: 100,
            maximum_percent: 200,
            circuit_breaker: None,
            bake_time_minutes: Some(5),
            hooks: Vec::new(),
            alarms: None,
        }
    }

    #[test]
    fn linear_and_canary_deployments_carry_their_step() {
        let linear = deployment_configuration(
            &Plain,
            &deployment(ir::DeploymentStrategy::Linear {
                percent: 10,
                interval_minutes: 3,
            }),
            &[],
        );
        assert_eq!(
            linear.to_string(),
            r#"{"deploymentCircuitBreaker":{"enable":false,"rollback":false},"maximumPercent":200,"minimumHealthyPercent":100,"strategy":"LINEAR","bakeTimeInMinutes":5,"linearConfiguration":{"stepPercent":10,"stepBakeTimeInMinutes":3}}"#
        );
        let canary = deployment_configuration(
            &Plain,
            &deployment(ir::DeploymentStrategy::Canary {
                percent: 20,
                interval_minutes: 15,
            }),
            &[],
        );
        assert_eq!(
            canary.to_string(),
            r#"{"deploymentCircuitBreaker":{"enable":false,"rollback":false},"maximumPercent":200,"minimumHealthyPercent":100,"strategy":"CANARY","bakeTimeInMinutes":5,"canaryConfiguration":{"canaryPercent":20,"canaryBakeTimeInMinutes":15}}"#
        );
        let blue_green =
            deployment_configuration(&Plain, &deployment(ir::DeploymentStrategy::BlueGreen), &[]);
        assert_eq!(blue_green["strategy"], "BLUE_GREEN");
        assert!(blue_green.get("linearConfiguration").is_none());
    }

    #[test]
    fn hooks_and_alarms_in_botocore_order() {
        let mut dep = deployment(ir::DeploymentStrategy::BlueGreen);
        dep.alarms = Some(ir::DeploymentAlarms {
            names: vec![ir::Text::lit("api-5xx")],
            rollback: true,
            span: Default::default(),
        });
        dep.hooks = vec![
            ir::LifecycleHook {
                stages: vec![ir::HookStage::PostTestTrafficShift],
                target: ir::HookTarget::Lambda(ir::Text::lit(
                    "arn:aws:lambda:us-east-1:123456789012:function:smoke",
                )),
                role: None,
                span: Default::default(),
            },
            ir::LifecycleHook {
                stages: vec![ir::HookStage::PreScaleUp, ir::HookStage::PostScaleUp],
                target: ir::HookTarget::Pause,
                role: None,
                span: Default::default(),
            },
        ];
        let v = deployment_configuration(
            &Plain,
            &dep,
            &[
                Some(Value::from("arn:aws:iam::123456789012:role/hooks")),
                None,
            ],
        );
        assert_eq!(
            v.to_string(),
            r#"{"deploymentCircuitBreaker":{"enable":false,"rollback":false},"maximumPercent":200,"minimumHealthyPercent":100,"alarms":{"alarmNames":["api-5xx"],"rollback":true,"enable":true},"strategy":"BLUE_GREEN","bakeTimeInMinutes":5,"lifecycleHooks":[{"hookTargetArn":"arn:aws:lambda:us-east-1:123456789012:function:smoke","roleArn":"arn:aws:iam::123456789012:role/hooks","lifecycleStages":["POST_TEST_TRAFFIC_SHIFT"]},{"targetType":"PAUSE","lifecycleStages":["PRE_SCALE_UP","POST_SCALE_UP"]}]}"#
        );
    }

    #[test]
    fn placement_rules_use_ecs_spelling() {
        let random = placement_strategy(
            &Plain,
            &ir::PlacementStrategy {
                kind: ir::PlacementKind::Random,
                field: None,
            },
        );
        assert_eq!(random.to_string(), r#"{"type":"random"}"#);
        let member = placement_constraint(
            &Plain,
            &ir::PlacementConstraint::MemberOf("attribute:ecs.os-type == linux".into()),
        );
        assert_eq!(
            member.to_string(),
            r#"{"type":"memberOf","expression":"attribute:ecs.os-type == linux"}"#
        );
    }
}
