//! `ir::Service` -> `CreateService` input. Keys in botocore member order.
//! Always written: `schedulingStrategy`, `launchType` or
//! `capacityProviderStrategy` (the cluster default strategy spelled out),
//! `platformVersion` on Fargate, the whole `deploymentConfiguration`
//! including a disabled circuit breaker, `deploymentController`,
//! `assignPublicIp`, the grace period of a load-balanced service, and the
//! tag and execute-command switches. Target groups, subnets and Cloud Map
//! services must already exist (E0501, E0502, E0503); a traffic-shifting
//! deployment needs resources Wharf cannot name (E0508). The
//! `deploymentConfiguration` still spells every strategy out, so the
//! lowering is ready when the IR carries those resources.

use serde_json::Value;

use super::{enabled, errors, resolve, split_list, subnet_ids, tags, Obj};
use crate::diag::Diagnostic;
use crate::ir;

pub(crate) fn emit_service(
    program: &ir::Program,
    index: &ir::Index,
    service: &ir::Service,
    diags: &mut Vec<Diagnostic>,
) -> Value {
    let task = index.task(&service.task);
    let launch =
        service.effective_launch(index.clusters.get(service.cluster.as_str()).copied(), task);
    let load_balancers: Vec<Value> = service
        .exposures
        .iter()
        .filter_map(|e| load_balancer(program, service, e, diags))
        .collect();
    if let Some(strategy) = match service.deployment.strategy {
        ir::DeploymentStrategy::Rolling => None,
        ir::DeploymentStrategy::BlueGreen => Some("blue_green"),
        ir::DeploymentStrategy::Linear { .. } => Some("linear"),
        ir::DeploymentStrategy::Canary { .. } => Some("canary"),
    } {
        diags.push(errors::traffic_shift(&service.name, strategy, service.span));
    }
    let svc = Obj::new()
        .set("cluster", service.cluster.as_str())
        .set("serviceName", service.name.as_str())
        .set("taskDefinition", task.family.as_str())
        .list("loadBalancers", load_balancers)
        .list(
            "serviceRegistries",
            service_registry(program, service, task, diags)
                .into_iter()
                .collect(),
        )
        .opt("desiredCount", service.written_desired_count());
    let svc = match &launch {
        ir::EffectiveLaunch::Type(t) => svc.set("launchType", t.as_str()),
        ir::EffectiveLaunch::Strategy(items) => svc.set(
            "capacityProviderStrategy",
            items.iter().map(strategy_item).collect::<Vec<_>>(),
        ),
    };
    svc.opt("platformVersion", service.written_platform_version(&launch))
        .set(
            "deploymentConfiguration",
            deployment_configuration(&service.deployment),
        )
        .list(
            "placementConstraints",
            service
                .placement_constraints
                .iter()
                .map(placement_constraint)
                .collect(),
        )
        .list(
            "placementStrategy",
            service
                .placement_strategies
                .iter()
                .map(placement_strategy)
                .collect(),
        )
        .opt(
            "networkConfiguration",
            network_configuration(program, service, task, diags),
        )
        .opt(
            "healthCheckGracePeriodSeconds",
            service.written_grace_period(),
        )
        .set(
            "schedulingStrategy",
            match service.scheduling {
                ir::Scheduling::Replica => "REPLICA",
                ir::Scheduling::Daemon => "DAEMON",
            },
        )
        .set(
            "deploymentController",
            Obj::new().set("type", "ECS").build(),
        )
        .list("tags", tags(program, &service.tags))
        .set("enableECSManagedTags", false)
        .set("propagateTags", "NONE")
        .set("enableExecuteCommand", service.execute_command)
        .build()
}

/// The `UpdateService` input that brings an existing service to what
/// `create` (its `CreateService` input) declares, so a second deploy of the
/// same program converges instead of failing on the existing service. Keys
/// in botocore's `UpdateService` member order. What UpdateService cannot
/// change is left out (`launchType`, `schedulingStrategy`, `tags`,
/// `deploymentController`); the lists a service may lose (load balancers,
/// registries, placement) are written even when empty, since an absent list
/// leaves the old one in place (placement only off Fargate).
pub(crate) fn update_service(create: &Value) -> Value {
    let get = |k: &str| create.get(k).cloned();
    let list = |k: &str| get(k).unwrap_or_else(|| Value::Array(Vec::new()));
    // Fargate (the one case with a platform version) takes no placement
    // rules at all, not even empty ones.
    let fargate = create.get("platformVersion").is_some();
    let placement = |k: &str| if fargate { get(k) } else { Some(list(k)) };
    Obj::new()
        .opt("cluster", get("cluster"))
        .opt("service", get("serviceName"))
        .opt("desiredCount", get("desiredCount"))
        .opt("taskDefinition", get("taskDefinition"))
        .opt("capacityProviderStrategy", get("capacityProviderStrategy"))
        .opt("deploymentConfiguration", get("deploymentConfiguration"))
        .opt("networkConfiguration", get("networkConfiguration"))
        .opt("placementConstraints", placement("placementConstraints"))
        .opt("placementStrategy", placement("placementStrategy"))
        .opt("platformVersion", get("platformVersion"))
        .opt(
            "healthCheckGracePeriodSeconds",
            get("healthCheckGracePeriodSeconds"),
        )
        .opt("enableExecuteCommand", get("enableExecuteCommand"))
        .opt("enableECSManagedTags", get("enableECSManagedTags"))
        .set("loadBalancers", list("loadBalancers"))
        .opt("propagateTags", get("propagateTags"))
        .set("serviceRegistries", list("serviceRegistries"))
        .build()
}

pub(crate) fn strategy_item(item: &ir::StrategyItem) -> Value {
    Obj::new()
        .set("capacityProvider", item.provider.as_str())
        .set("weight", item.weight)
        .set("base", item.base)
        .build()
}

fn load_balancer(
    program: &ir::Program,
    service: &ir::Service,
    exposure: &ir::Exposure,
    diags: &mut Vec<Diagnostic>,
) -> Option<Value> {
    let Some(arn) = &exposure.target_group_arn else {
        diags.push(errors::needs_target_group(
            &service.name,
            &exposure.load_balancer,
            exposure.span,
        ));
        return None;
    };
    Some(
        Obj::new()
            .set("targetGroupArn", resolve(program, arn))
            .set("containerName", exposure.container.as_str())
            .set("containerPort", exposure.container_port)
            .build(),
    )
}

/// The Cloud Map registry, pointing at `Service::registry_target`.
fn service_registry(
    program: &ir::Program,
    service: &ir::Service,
    task: &ir::Task,
    diags: &mut Vec<Diagnostic>,
) -> Option<Value> {
    let discovery = service.discovery.as_ref()?;
    let Some(arn) = &discovery.registry_arn else {
        diags.push(errors::needs_registry(
            &service.name,
            &format!("{}.{}", discovery.name, discovery.namespace),
            service.span,
        ));
        return None;
    };
    let target = service.registry_target(task);
    Some(
        Obj::new()
            .set("registryArn", resolve(program, arn))
            .opt("containerName", target.map(|t| t.0))
            .opt("containerPort", target.map(|t| t.1))
            .build(),
    )
}

fn deployment_configuration(d: &ir::Deployment) -> Value {
    let (strategy, linear, canary) = match d.strategy {
        ir::DeploymentStrategy::Rolling => ("ROLLING", None, None),
        ir::DeploymentStrategy::BlueGreen => ("BLUE_GREEN", None, None),
        ir::DeploymentStrategy::Linear {
            percent,
            interval_minutes,
        } => (
            "LINEAR",
            Some(
                Obj::new()
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
                Obj::new()
                    .set("canaryPercent", percent)
                    .set("canaryBakeTimeInMinutes", interval_minutes)
                    .build(),
            ),
        ),
    };
    Obj::new()
        .set(
            "deploymentCircuitBreaker",
            Obj::new()
                .set("enable", d.circuit_breaker.is_some())
                .set("rollback", d.circuit_breaker.is_some_and(|c| c.rollback))
                .build(),
        )
        .set("maximumPercent", d.maximum_percent)
        .set("minimumHealthyPercent", d.minimum_healthy_percent)
        .set("strategy", strategy)
        .opt("bakeTimeInMinutes", d.bake_time_minutes)
        .opt("linearConfiguration", linear)
        .opt("canaryConfiguration", canary)
        .build()
}

fn placement_constraint(c: &ir::PlacementConstraint) -> Value {
    match c {
        ir::PlacementConstraint::DistinctInstance => {
            Obj::new().set("type", "distinctInstance").build()
        }
        ir::PlacementConstraint::MemberOf(expr) => Obj::new()
            .set("type", "memberOf")
            .set("expression", expr.as_str())
            .build(),
    }
}

fn placement_strategy(s: &ir::PlacementStrategy) -> Value {
    Obj::new()
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

/// `awsvpcConfiguration` for an awsvpc task: the service's own subnets, else
/// its network's (public ones when it asks for a public IP). A network the
/// stack would create has no subnet IDs yet: E0502.
fn network_configuration(
    program: &ir::Program,
    service: &ir::Service,
    task: &ir::Task,
    diags: &mut Vec<Diagnostic>,
) -> Option<Value> {
    if task.network_mode != ir::NetworkMode::Awsvpc {
        return None;
    }
    let cluster_network = program.cluster(&service.cluster).network.as_deref();
    let (network, subnets, groups, public_ip) = match &service.network {
        Some(n) => (
            n.network.as_deref().or(cluster_network),
            n.subnets.as_ref(),
            n.security_groups.as_slice(),
            n.public_ip,
        ),
        None => (cluster_network, None, &[][..], false),
    };
    let mut created = None;
    let subnets = match (subnets, network.map(|n| program.network(n))) {
        (Some(given), _) => subnet_ids(program, given),
        (None, Some(net)) => match &net.kind {
            ir::NetworkKind::Existing {
                public_subnets,
                private_subnets,
                ..
            } => subnet_ids(
                program,
                if public_ip {
                    public_subnets
                } else {
                    private_subnets
                },
            ),
            ir::NetworkKind::Created(_) => {
                created = Some((net.name.as_str(), net.span));
                Vec::new()
            }
        },
        (None, None) => Vec::new(),
    };
    if subnets.is_empty() {
        diags.push(errors::needs_subnets(&service.name, service.span, created));
        return None;
    }
    let groups: Vec<String> = groups
        .iter()
        .flat_map(|g| split_list(&resolve(program, g)))
        .collect();
    // The CloudFormation target gives every awsvpc service a group of its
    // own, with the load balancer, `callers` and `egress` rules; the ECS API
    // cannot create one that CreateService could name.
    if groups.is_empty() {
        diags.push(errors::needs_security_groups(&service.name, service.span));
    }
    if !service.callers.is_empty() || !service.egress.is_empty() {
        let span = service.callers.first().map_or(service.span, |c| c.span);
        diags.push(errors::security_group_rules(&service.name, span));
    }
    let vpc = Obj::new()
        .set("subnets", subnets)
        .opt("securityGroups", (!groups.is_empty()).then_some(groups))
        .set("assignPublicIp", enabled(public_ip))
        .build();
    Some(Obj::new().set("awsvpcConfiguration", vpc).build())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deployment(strategy: ir::DeploymentStrategy) -> ir::Deployment {
        ir::Deployment {
            strategy,
            minimum_healthy_percent: 100,
            maximum_percent: 200,
            circuit_breaker: None,
            bake_time_minutes: Some(5),
        }
    }

    #[test]
    fn linear_and_canary_deployments_carry_their_step() {
        let linear = deployment_configuration(&deployment(ir::DeploymentStrategy::Linear {
            percent: 10,
            interval_minutes: 3,
        }));
        assert_eq!(
            linear.to_string(),
            r#"{"deploymentCircuitBreaker":{"enable":false,"rollback":false},"maximumPercent":200,"minimumHealthyPercent":100,"strategy":"LINEAR","bakeTimeInMinutes":5,"linearConfiguration":{"stepPercent":10,"stepBakeTimeInMinutes":3}}"#
        );
        let canary = deployment_configuration(&deployment(ir::DeploymentStrategy::Canary {
            percent: 20,
            interval_minutes: 15,
        }));
        assert_eq!(
            canary.to_string(),
            r#"{"deploymentCircuitBreaker":{"enable":false,"rollback":false},"maximumPercent":200,"minimumHealthyPercent":100,"strategy":"CANARY","bakeTimeInMinutes":5,"canaryConfiguration":{"canaryPercent":20,"canaryBakeTimeInMinutes":15}}"#
        );
        let blue_green = deployment_configuration(&deployment(ir::DeploymentStrategy::BlueGreen));
        assert_eq!(blue_green["strategy"], "BLUE_GREEN");
        assert!(blue_green.get("linearConfiguration").is_none());
    }

    #[test]
    fn placement_rules_use_ecs_spelling() {
        let random = placement_strategy(&ir::PlacementStrategy {
            kind: ir::PlacementKind::Random,
            field: None,
        });
        assert_eq!(random.to_string(), r#"{"type":"random"}"#);
        let member = placement_constraint(&ir::PlacementConstraint::MemberOf(
            "attribute:ecs.os-type == linux".into(),
        ));
        assert_eq!(
            member.to_string(),
            r#"{"type":"memberOf","expression":"attribute:ecs.os-type == linux"}"#
        );
    }
}
