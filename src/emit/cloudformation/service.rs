//! Services. Stage: emit. Input: `ir::Service`; output: the
//! `AWS::ECS::Service` (same content as the ECS API backend's `CreateService`
//! input), its security group (awsvpc only) opened to its load balancers on
//! the exposed container ports and to its callers, its Cloud Map service
//! (A records for awsvpc, SRV otherwise), target tracking auto scaling, and
//! the security group rules between callers and callees (`Owner::Links`, as
//! they refer to two services).
//!
//! Ordering: a service `DependsOn` its listener rules (or the listeners that
//! forward to it by default), so its target group is attached to a load
//! balancer before ECS registers tasks, and on the cluster's capacity
//! provider associations when it relies on a capacity provider strategy.

use crate::emit::json::json;
use serde_json::Value;

use super::ids::Kind;
use super::value::{get_att, props, r#ref, sub};
use super::{errors, Ctx, Owner};
use crate::emit::render;
use crate::ir::names::NameKind;
use crate::ir::{self, Launch, NetworkMode, Protocol, ScalingMetric, Scheduling};

impl<'a> Ctx<'a> {
    pub fn service_sg_id(&self, name: &str) -> String {
        format!("{}SecurityGroup", self.ids.base(Kind::Service, name))
    }

    fn awsvpc(&self, s: &ir::Service) -> bool {
        self.ix.task(&s.task).network_mode == NetworkMode::Awsvpc
    }

    pub(super) fn emit_service(&mut self, i: usize, s: &'a ir::Service) {
        let owner = Owner::Service(i);
        let b = self.at(Kind::Service, &s.name, owner);
        let task = self.ix.task(&s.task);
        let awsvpc = task.network_mode == NetworkMode::Awsvpc;
        let net = self.service_network(s).and_then(|n| self.net(n)).cloned();
        let sg = format!("{b}SecurityGroup");
        if let Some(n) = s.network.as_ref().filter(|_| awsvpc) {
            // The generated group comes on top of the ones the service names.
            let given: usize = n
                .security_groups
                .iter()
                .map(|t| {
                    let v = t.resolve(&self.p.inputs);
                    v.split(',').filter(|x| !x.trim().is_empty()).count().max(1)
                })
                .sum();
            if given + 1 > 5 {
                self.diags
                    .push(errors::security_group_limit(&s.name, given, s.span));
            }
        }
        if awsvpc {
            match self.vpc_of(s) {
                Some(vpc) => self.emit_service_sg(s, &sg, vpc),
                None => self
                    .diags
                    .push(errors::no_vpc(&format!("service `{}`", s.name), s.span)),
            }
        }
        let mut depends = Vec::new();
        let mut exposed = Vec::new();
        for j in 0..s.exposures.len() {
            let x = self.emit_exposure(i, s, j);
            // A production rule is referenced, which already orders it.
            let referenced = x.alternate.as_ref().and(x.production_rule.as_ref());
            depends.extend(x.depends.iter().filter(|d| Some(*d) != referenced).cloned());
            exposed.push(x);
        }
        self.at(Kind::Service, &s.name, owner);
        let lb_role = format!("{b}LoadBalancerRole");
        if exposed.iter().any(|x| x.alternate.is_some()) {
            self.emit_lb_role(s, &lb_role);
        }
        let registry = s
            .discovery
            .as_ref()
            .map(|d| self.emit_discovery(&b, task, d));
        let rules: Vec<String> = exposed
            .iter()
            .flat_map(|x| x.depends.iter().cloned())
            .collect();
        let uses_providers =
            !matches!(s.launch, Launch::Type(_)) && s.scheduling == Scheduling::Replica;
        if let Some(c) = self.ix.clusters.get(s.cluster.as_str()) {
            if uses_providers && !c.capacity_providers.is_empty() {
                depends.push(self.associations_id(&c.name));
            }
        }
        let network = s.network.as_ref().map(|n| {
            let subnets = match (&n.subnets, &net) {
                (Some(sr), _) => self.subnets(sr),
                (None, Some(f)) if n.public_ip => f.public_subnets.clone(),
                (None, Some(f)) => f.private_subnets.clone(),
                (None, None) => json!([]),
            };
            render::AwsVpc {
                subnets,
                security_groups: Some(
                    self.security_groups(get_att(&sg, "GroupId"), &n.security_groups),
                ),
                public_ip: n.public_ip,
            }
        });
        let target_groups = s
            .exposures
            .iter()
            .zip(&exposed)
            .map(|(e, x)| {
                let tg = r#ref(&format!("{}TargetGroup", self.exposure_base(s, e)));
                let advanced = x.alternate.as_ref().map(|alt| {
                    props(json!({
                        "AlternateTargetGroupArn": r#ref(alt),
                        "ProductionListenerRule": x.production_rule.as_deref().map(r#ref),
                        "TestListenerRule": x.test_rule.as_deref().map(r#ref),
                        "RoleArn": get_att(&lb_role, "Arn") }))
                });
                Some((tg, advanced))
            })
            .collect();
        let launch = s.effective_launch(self.ix.clusters.get(s.cluster.as_str()).copied(), task);
        let hook_roles = self.emit_hook_roles(&b, s);
        let refs = render::ServiceRefs {
            cluster: r#ref(&self.cluster_id(&s.cluster)),
            task_definition: r#ref(&self.task_id(&s.task)),
            target_groups,
            registry,
            network,
            connect_namespace: self.connect_namespace(s),
            hook_roles,
        };
        let properties = render::service(&*self, s, task, &launch, refs);
        depends.extend(self.queue_policy(i, s));
        let id = format!("{b}Service");
        let mut resource = json!({ "Type": "AWS::ECS::Service" });
        if !depends.is_empty() {
            resource["DependsOn"] = json!(depends);
        }
        resource["Properties"] = properties;
        self.add(id.clone(), resource);
        if let Some(a) = &s.autoscale {
            self.emit_autoscaling(&b, s, a, &id, &rules);
        }
        self.at(Kind::Service, &s.name, owner);
        self.output(
            format!("{b}ServiceName"),
            &format!("Name of ECS service `{}`", s.name),
            get_att(&id, "Name"),
        );
    }

    /// The generated group first, then the source's; a list-typed input is
    /// spliced in with `Fn::Join`/`Fn::Split`.
    fn security_groups(&self, generated: Value, given: &[ir::Text]) -> Value {
        if !given.iter().any(|t| self.is_list_input(t)) {
            // A list input's value arrives as one comma-separated literal:
            // one ID per element, as the ECS target splits it.
            let mut v = vec![generated];
            for t in given {
                match t.as_literal() {
                    Some(l) if l.contains(',') => v.extend(
                        l.split(',')
                            .map(str::trim)
                            .filter(|x| !x.is_empty())
                            .map(|x| json!(x)),
                    ),
                    _ => v.push(self.text(t)),
                }
            }
            return Value::Array(v);
        }
        let mut parts = vec![generated];
        for t in given {
            if self.is_list_input(t) {
                parts.push(json!({ "Fn::Join": [",", self.text(t)] }));
            } else {
                parts.push(self.text(t));
            }
        }
        json!({ "Fn::Split": [",", { "Fn::Join": [",", parts] }] })
    }

    fn emit_service_sg(&mut self, s: &ir::Service, sg: &str, vpc: Value) {
        let egress: Vec<Value> = if s.egress.is_empty() {
            vec![
                json!({ "Description": "All outbound traffic", "IpProtocol": "-1", "CidrIp": "0.0.0.0/0" }),
            ]
        } else {
            s.egress
                .iter()
                .map(|r| {
                    let (from, to) = r.port.map_or((0, 65535), |p| (p, p));
                    let key = if r.cidr.contains(':') { "CidrIpv6" } else { "CidrIp" };
                    json!({ "Description": format!("To {}", r.cidr), "IpProtocol": r.protocol.as_str(),
                            "FromPort": from, "ToPort": to, key: &r.cidr })
                })
                .collect()
        };
        self.add(
            sg.to_string(),
            json!({ "Type": "AWS::EC2::SecurityGroup", "Properties": {
                "GroupDescription": format!("ECS service {}", s.name),
                "VpcId": vpc,
                "SecurityGroupEgress": egress } }),
        );
        let mut seen = Vec::new();
        for e in &s.exposures {
            if seen.contains(&(&e.load_balancer, e.container_port)) {
                continue;
            }
            seen.push((&e.load_balancer, e.container_port));
            let proto = self.port_protocol(s, e.container_port);
            self.add(
                format!(
                    "{}From{}{}Ingress",
                    self.ids.base(Kind::Service, &s.name),
                    self.ids.base(Kind::LoadBalancer, &e.load_balancer),
                    e.container_port
                ),
                json!({ "Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
                    "Description": format!("From load balancer {} to port {}", e.load_balancer, e.container_port),
                    "GroupId": get_att(sg, "GroupId"),
                    "SourceSecurityGroupId": get_att(&self.lb_sg_id(&e.load_balancer), "GroupId"),
                    "IpProtocol": proto, "FromPort": e.container_port, "ToPort": e.container_port } }),
            );
        }
    }

    /// The role ECS assumes to move listener rule weights during blue/green,
    /// linear and canary deployments (AWS's managed policy for exactly that).
    fn emit_lb_role(&mut self, s: &ir::Service, id: &str) {
        self.add(
            id.to_string(),
            json!({ "Type": "AWS::IAM::Role", "Properties": {
                "Description": format!("ECS shifts traffic between target groups of service `{}`", s.name),
                "AssumeRolePolicyDocument": { "Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Principal": { "Service": "ecs.amazonaws.com" },
                    "Action": "sts:AssumeRole" }] },
                "ManagedPolicyArns": [sub("arn:${AWS::Partition}:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers")] } }),
        );
    }

    /// The protocol a container port is mapped with in the service's task.
    fn port_protocol(&self, s: &ir::Service, port: u16) -> &'static str {
        self.ix
            .task(&s.task)
            .containers
            .iter()
            .flat_map(|c| &c.ports)
            .find(|p| p.container_port == port)
            .map_or("tcp", |p| p.protocol.as_str())
    }

    /// The Cloud Map service of a service with discovery; gives its ARN.
    fn emit_discovery(&mut self, b: &str, task: &ir::Task, d: &ir::Discovery) -> Value {
        let awsvpc = task.network_mode == NetworkMode::Awsvpc;
        let id = format!("{b}DiscoveryService");
        self.add(
            id.clone(),
            json!({ "Type": "AWS::ServiceDiscovery::Service", "Properties": {
                "Name": &d.name,
                "NamespaceId": get_att(&self.namespace_id(&d.namespace), "Id"),
                "DnsConfig": {
                    "DnsRecords": [{ "Type": if awsvpc { "A" } else { "SRV" }, "TTL": d.ttl }],
                    "RoutingPolicy": "MULTIVALUE" },
                "HealthCheckCustomConfig": { "FailureThreshold": 1 } } }),
        );
        get_att(&id, "Arn")
    }

    fn emit_autoscaling(
        &mut self,
        b: &str,
        s: &ir::Service,
        a: &ir::AutoScale,
        service_id: &str,
        rules: &[String],
    ) {
        let target = format!("{b}ScalableTarget");
        self.add(
            target.clone(),
            json!({ "Type": "AWS::ApplicationAutoScaling::ScalableTarget", "Properties": {
                "MinCapacity": a.min, "MaxCapacity": a.max,
                "ResourceId": sub(format!("service/${{{}}}/${{{service_id}.Name}}", self.cluster_id(&s.cluster))),
                "ScalableDimension": "ecs:service:DesiredCount",
                "ServiceNamespace": "ecs" } }),
        );
        for t in &a.targets {
            let name = match t.metric {
                ScalingMetric::Cpu => "Cpu",
                ScalingMetric::Memory => "Memory",
                ScalingMetric::Requests => "Requests",
            };
            let mut spec = json!({ "PredefinedMetricType": t.metric.predefined_metric_type() });
            let mut depends = Vec::new();
            if t.metric == ScalingMetric::Requests {
                let Some((lb, tg)) = self.first_alb_target(s) else {
                    self.diags
                        .push(errors::requests_without_alb(&s.name, a.span));
                    continue;
                };
                spec["ResourceLabel"] = json!({ "Fn::Join": ["/", [
                    get_att(&lb, "LoadBalancerFullName"), get_att(&tg, "TargetGroupFullName")]] });
                depends = rules.to_vec();
            }
            let mut resource = json!({ "Type": "AWS::ApplicationAutoScaling::ScalingPolicy" });
            if !depends.is_empty() {
                resource["DependsOn"] = json!(depends);
            }
            let policy = s.scaling_policy_name(t.metric);
            if let Err(problem) = NameKind::ScalingPolicy.check(&policy) {
                self.diags.push(errors::derived_name(
                    NameKind::ScalingPolicy,
                    &policy,
                    &problem,
                    a.span,
                ));
            }
            resource["Properties"] = json!({
                "PolicyName": policy,
                "PolicyType": "TargetTrackingScaling",
                "ScalingTargetId": r#ref(&target),
                "TargetTrackingScalingPolicyConfiguration": {
                    "TargetValue": t.value,
                    "ScaleInCooldown": a.scale_in_cooldown,
                    "ScaleOutCooldown": a.scale_out_cooldown,
                    "PredefinedMetricSpecification": spec } });
            self.add(format!("{b}{name}Scaling"), resource);
        }
    }

    /// Ingress rules from each caller's group to this service's group.
    pub(super) fn emit_caller_rules(&mut self, _i: usize, s: &'a ir::Service) {
        if s.callers.is_empty() || !self.awsvpc(s) {
            return;
        }
        let b = self.at(Kind::Service, &s.name, Owner::Links(0));
        let task = self.ix.task(&s.task);
        // (first port, last port, protocol): a range is one rule.
        let mapped: Vec<(u16, u16, Protocol)> = task
            .containers
            .iter()
            .flat_map(|c| &c.ports)
            .map(|p| (p.container_port, p.last(), p.protocol))
            .collect();
        for c in &s.callers {
            let Some(&ci) = self.ix.service_positions.get(c.service.as_str()) else {
                continue;
            };
            if !self.awsvpc(&self.p.services[ci]) {
                self.diags
                    .push(errors::caller_without_group(&s.name, &c.service, c.span));
                continue;
            }
            let ports: Vec<(u16, u16, Protocol)> = if c.ports.is_empty() {
                mapped.clone()
            } else {
                c.ports
                    .iter()
                    .map(|&p| {
                        let proto = mapped
                            .iter()
                            .find(|m| (m.0..=m.1).contains(&p))
                            .map_or(Protocol::Tcp, |m| m.2);
                        (p, p, proto)
                    })
                    .collect()
            };
            let caller_b = self.ids.base(Kind::Service, &c.service);
            for (from, to, proto) in ports {
                let (id, what) = if from == to {
                    (
                        format!("{b}From{caller_b}{from}Ingress"),
                        format!("port {from}"),
                    )
                } else {
                    (
                        format!("{b}From{caller_b}{from}To{to}Ingress"),
                        format!("ports {from}-{to}"),
                    )
                };
                self.add(
                    id,
                    json!({ "Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
                        "Description": format!("From service {} to {what}", c.service),
                        "GroupId": get_att(&self.service_sg_id(&s.name), "GroupId"),
                        "SourceSecurityGroupId": get_att(&self.service_sg_id(&c.service), "GroupId"),
                        "IpProtocol": proto.as_str(), "FromPort": from, "ToPort": to } }),
                );
            }
        }
    }
}
