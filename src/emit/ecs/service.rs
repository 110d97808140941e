//! `ir::Service` -> `CreateService` input. Keys in botocore member order.
//! Always written: `schedulingStrategy`, `launchType` or
//! `capacityProviderStrategy` (the cluster default strategy spelled out),
//! `platformVersion` on Fargate, the whole `deploymentConfiguration`
//! including a disabled circuit breaker, `deploymentController`,
//! `assignPublicIp`, the grace period of a load-balanced service, and the
//! tag and execute-command switches. Target groups, subnets and Cloud Map
//! services must already exist (E0501, E0502, E0503); a traffic-shifting
//! deployment names, per exposure, its existing alternate target group,
//! production listener rule and role (`advancedConfiguration`, else E0508),
//! and each Lambda lifecycle hook its role (else E0524).

use serde_json::Value;

use super::{errors, resolve, split_list, subnet_ids, Api, Obj};
use crate::diag::Diagnostic;
use crate::emit::render;
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
    let target_groups = service
        .exposures
        .iter()
        .map(|e| {
            let advanced = advanced_configuration(program, service, e, diags);
            target_group(program, service, e, diags).map(|tg| (tg, advanced))
        })
        .collect();
    let hook_roles = service
        .deployment
        .hooks
        .iter()
        .map(|h| match (&h.target, &h.role) {
            (ir::HookTarget::Pause, _) => None,
            (ir::HookTarget::Lambda(_), Some(role)) => Some(Value::from(resolve(program, role))),
            (ir::HookTarget::Lambda(_), None) => {
                diags.push(errors::hook_needs_role(&service.name, h));
                None
            }
        })
        .collect();
    let refs = render::ServiceRefs {
        cluster: Value::from(service.cluster.as_str()),
        task_definition: Value::from(task.family.as_str()),
        target_groups,
        registry: registry_arn(program, service, diags),
        network: network_configuration(program, index, service, task, diags),
        connect_namespace: connect_namespace(program, service, diags),
        hook_roles,
    };
    render::service(&Api(program), service, task, &launch, refs)
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
        .opt(
            "serviceConnectConfiguration",
            get("serviceConnectConfiguration"),
        )
        .build()
}

pub(crate) fn strategy_item(item: &ir::StrategyItem) -> Value {
    Obj::new()
        .set("capacityProvider", item.provider.as_str())
        .set("weight", item.weight)
        .set("base", item.base)
        .build()
}

/// The target group an exposure registers with: an existing one (the ECS
/// API cannot create it: E0501).
fn target_group(
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
    Some(Value::from(resolve(program, arn)))
}

/// The `advancedConfiguration` of an exposure of a blue/green, linear or
/// canary deployment: the existing alternate target group, production (and
/// test) listener rule and role the service names. What is missing is
/// E0508, naming the settings to add; `test_listener` (a rule the
/// CloudFormation target creates) is E0527.
fn advanced_configuration(
    program: &ir::Program,
    service: &ir::Service,
    exposure: &ir::Exposure,
    diags: &mut Vec<Diagnostic>,
) -> Option<Value> {
    let strategy = match service.deployment.strategy {
        ir::DeploymentStrategy::Rolling => return None,
        ir::DeploymentStrategy::BlueGreen => "blue_green",
        ir::DeploymentStrategy::Linear { .. } => "linear",
        ir::DeploymentStrategy::Canary { .. } => "canary",
    };
    let t = &exposure.traffic;
    if let (Some(port), None) = (t.test_listener, &t.test_rule) {
        diags.push(errors::test_listener(
            &service.name,
            port,
            t.test_listener_span.unwrap_or(exposure.span),
        ));
    }
    let missing: Vec<&str> = [
        (t.alternate_target_group.is_none(), "alternate_target_group"),
        (t.production_rule.is_none(), "production_rule"),
        (t.role.is_none(), "traffic_role"),
    ]
    .into_iter()
    .filter_map(|(m, name)| m.then_some(name))
    .collect();
    if !missing.is_empty() {
        diags.push(errors::traffic_shift(
            &service.name,
            strategy,
            &exposure.load_balancer,
            &missing,
            service.span,
            exposure.span,
        ));
        return None;
    }
    let arn = |t: &Option<ir::Text>| t.as_ref().map(|t| Value::from(resolve(program, t)));
    Some(
        Obj::new()
            .opt("alternateTargetGroupArn", arn(&t.alternate_target_group))
            .opt("productionListenerRule", arn(&t.production_rule))
            .opt("testListenerRule", arn(&t.test_rule))
            .opt("roleArn", arn(&t.role))
            .build(),
    )
}

/// The Cloud Map service a service registers in: an existing one (E0503).
fn registry_arn(
    program: &ir::Program,
    service: &ir::Service,
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
    Some(Value::from(resolve(program, arn)))
}

/// The Service Connect namespace: an existing one (the ECS API cannot
/// create it: E0515).
fn connect_namespace(
    program: &ir::Program,
    service: &ir::Service,
    diags: &mut Vec<Diagnostic>,
) -> Option<Value> {
    let connect = service.connect.as_ref()?;
    match &connect.namespace {
        ir::ConnectNamespace::Existing(arn) => Some(Value::from(resolve(program, arn))),
        ir::ConnectNamespace::Created(name) => {
            diags.push(errors::needs_connect_namespace(
                &service.name,
                name,
                connect.span,
            ));
            None
        }
    }
}

/// `awsvpcConfiguration` for an awsvpc task: the service's own subnets, else
/// its network's (public ones when it asks for a public IP). A network the
/// stack would create has no subnet IDs yet: E0502.
fn network_configuration(
    program: &ir::Program,
    index: &ir::Index,
    service: &ir::Service,
    task: &ir::Task,
    diags: &mut Vec<Diagnostic>,
) -> Option<render::AwsVpc> {
    if task.network_mode != ir::NetworkMode::Awsvpc {
        return None;
    }
    let cluster_network = index.cluster(&service.cluster).network.as_deref();
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
    let subnets = match (
        subnets,
        network.and_then(|n| index.networks.get(n).copied()),
    ) {
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
    Some(render::AwsVpc {
        subnets: Value::from(subnets),
        security_groups: (!groups.is_empty()).then(|| Value::from(groups)),
        public_ip,
    })
}
