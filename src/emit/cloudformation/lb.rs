//! Load balancing. Stage: emit. Input: `ir::LoadBalancer` and the services'
//! `ir::Exposure`s; output: the load balancer, its security group (open on
//! its listener ports to its `ingress` CIDRs), listeners, and per exposure a
//! target group (`ip` for awsvpc, `instance` otherwise) with listener rules
//! carrying the exposure's priority and path / host conditions.
//!
//! Every listener has a default action: a redirect for `redirect` listeners,
//! else a forward to the one exposure that matches everything (an ALB
//! exposure without paths or hosts, or the single exposure of an NLB
//! listener), else a fixed 404. A target group a listener forwards to by
//! default belongs to the shared stack, so a split program never has the
//! shared stack import from a service stack.

use crate::hash::HashMap;

use crate::emit::json::json;

use super::ids::{pascal, Kind};
use super::value::{get_att, props, r#ref};
use super::{errors, Ctx, Owner};
use crate::ir::{self, DeploymentStrategy, LbKind, ListenerProtocol, NetworkKind, NetworkMode};

/// What the exposure pass tells the service: what the service depends on and,
/// for blue/green, linear and canary deployments, the alternate target group
/// and the production listener rule ECS shifts traffic with.
#[derive(Debug, Default, Clone)]
pub(crate) struct Exposed {
    pub depends: Vec<String>,
    pub alternate: Option<String>,
    pub production_rule: Option<String>,
    /// The rule on the exposure's `test_listener`, forwarding to the same
    /// two target groups, through which ECS sends test traffic.
    pub test_rule: Option<String>,
}

/// True when ECS shifts traffic between two target groups itself.
pub(crate) fn shifts_traffic(s: &ir::Service) -> bool {
    s.deployment.strategy != DeploymentStrategy::Rolling
}

/// What the listener pass tells the service pass about an exposure.
#[derive(Debug, Default, Clone)]
pub(crate) struct DefaultTargets {
    /// (service, exposure) -> listeners forwarding to it by default.
    pub listeners: HashMap<(usize, usize), Vec<String>>,
}

impl<'a> Ctx<'a> {
    pub fn lb_id(&self, lb: &str) -> String {
        format!("{}LoadBalancer", self.ids.base(Kind::LoadBalancer, lb))
    }

    pub fn lb_sg_id(&self, lb: &str) -> String {
        format!(
            "{}LoadBalancerSecurityGroup",
            self.ids.base(Kind::LoadBalancer, lb)
        )
    }

    pub fn listener_id(&self, lb: &str, port: u16) -> String {
        format!("{}Listener{port}", self.ids.base(Kind::LoadBalancer, lb))
    }

    /// `ApiPublicApp3000`: service, load balancer, container and port; stable
    /// under reordering of exposures.
    pub fn exposure_base(&self, s: &ir::Service, e: &ir::Exposure) -> String {
        format!(
            "{}{}{}{}",
            self.ids.base(Kind::Service, &s.name),
            self.ids.base(Kind::LoadBalancer, &e.load_balancer),
            pascal(&e.container),
            e.container_port
        )
    }

    /// The listener ports an exposure is served on.
    pub fn exposure_ports(lb: &ir::LoadBalancer, e: &ir::Exposure) -> Vec<u16> {
        lb.listeners
            .iter()
            .filter(|l| l.redirect_to.is_none())
            .filter(|l| e.listeners.is_empty() || e.listeners.contains(&l.port))
            .map(|l| l.port)
            .collect()
    }

    pub(super) fn emit_load_balancer(&mut self, lb: &'a ir::LoadBalancer) {
        let b = self.at(Kind::LoadBalancer, &lb.name, Owner::Shared);
        let Some(net) = self.net(&lb.network).cloned() else {
            return;
        };
        let sg = format!("{b}LoadBalancerSecurityGroup");
        let mut ingress = Vec::new();
        for l in &lb.listeners {
            let proto = if l.protocol == ListenerProtocol::Udp {
                "udp"
            } else {
                "tcp"
            };
            for cidr in &lb.ingress {
                let key = if cidr.contains(':') {
                    "CidrIpv6"
                } else {
                    "CidrIp"
                };
                ingress.push(json!({ "Description": format!("{} {} from {cidr}", l.protocol.as_str(), l.port),
                    "IpProtocol": proto, "FromPort": l.port, "ToPort": l.port, key: cidr }));
            }
        }
        let egress = net.cidr.clone().map(|cidr| {
            json!([{
            "Description": "To targets inside the VPC", "IpProtocol": "-1", "CidrIp": cidr }])
        });
        self.add(
            sg.clone(),
            json!({ "Type": "AWS::EC2::SecurityGroup", "Properties": props(json!({
                "GroupDescription": format!("Load balancer {}", lb.name),
                "VpcId": net.vpc,
                "SecurityGroupIngress": (!ingress.is_empty()).then_some(ingress),
                "SecurityGroupEgress": egress })) }),
        );
        let mut attributes = Vec::new();
        if lb.kind == LbKind::Alb {
            if let Some(t) = lb.idle_timeout {
                attributes
                    .push(json!({ "Key": "idle_timeout.timeout_seconds", "Value": t.to_string() }));
            }
            attributes.push(json!({ "Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true" }));
        }
        let created = matches!(
            self.ix.networks.get(lb.network.as_str()).map(|n| &n.kind),
            Some(NetworkKind::Created(_))
        );
        let id = format!("{b}LoadBalancer");
        let mut resource = json!({ "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer" });
        if created && lb.public {
            resource["DependsOn"] = json!(format!(
                "{}InternetGatewayAttachment",
                self.ids.base(Kind::Network, &lb.network)
            ));
        }
        resource["Properties"] = props(json!({
            "Type": match lb.kind { LbKind::Alb => "application", LbKind::Nlb => "network" },
            "Scheme": if lb.public { "internet-facing" } else { "internal" },
            "Subnets": if lb.public { net.public_subnets.clone() } else { net.private_subnets.clone() },
            "SecurityGroups": [get_att(&sg, "GroupId")],
            "LoadBalancerAttributes": (!attributes.is_empty()).then_some(attributes),
        }));
        self.add(id.clone(), resource);
        for l in &lb.listeners {
            self.emit_listener(lb, l, &id);
        }
        self.at(Kind::LoadBalancer, &lb.name, Owner::Shared);
        self.output(
            format!("{b}LoadBalancerDns"),
            &format!("DNS name of load balancer `{}`", lb.name),
            get_att(&id, "DNSName"),
        );
    }

    fn emit_listener(&mut self, lb: &ir::LoadBalancer, l: &ir::Listener, lb_id: &str) {
        let id = self.listener_id(&lb.name, l.port);
        let tls = matches!(l.protocol, ListenerProtocol::Https | ListenerProtocol::Tls);
        if tls && l.certificate.is_none() {
            self.diags
                .push(errors::https_without_certificate(&lb.name, l.port, l.span));
        }
        let targets: Vec<(usize, usize)> = self
            .ix
            .exposures
            .get(lb.name.as_str())
            .into_iter()
            .flatten()
            .copied()
            .filter(|&(i, j)| {
                let e = &self.p.services[i].exposures[j];
                l.redirect_to.is_none() && Self::exposure_ports(lb, e).contains(&l.port)
            })
            .collect();
        let default = if let Some(to) = l.redirect_to {
            let https = lb
                .listeners
                .iter()
                .any(|x| x.port == to && x.protocol == ListenerProtocol::Https);
            json!({ "Type": "redirect", "RedirectConfig": {
                "Protocol": if https { "HTTPS" } else { "HTTP" }, "Port": to.to_string(),
                "Host": "#{host}", "Path": "/#{path}", "Query": "#{query}", "StatusCode": "HTTP_301" } })
        } else {
            let catch_all = match lb.kind {
                // A service that shifts traffic needs a rule of its own.
                LbKind::Alb => targets.iter().copied().find(|&(i, j)| {
                    let e = &self.p.services[i].exposures[j];
                    e.paths.is_empty() && e.hosts.is_empty() && !shifts_traffic(&self.p.services[i])
                }),
                LbKind::Nlb if targets.len() == 1 => Some(targets[0]),
                LbKind::Nlb => {
                    self.diags.push(errors::nlb_listener_targets(
                        &lb.name,
                        l.port,
                        targets.len(),
                        l.span,
                    ));
                    None
                }
            };
            match catch_all {
                Some((i, j)) => {
                    let (s, e) = (&self.p.services[i], &self.p.services[i].exposures[j]);
                    let tg = format!("{}TargetGroup", self.exposure_base(s, e));
                    // Once: a replay of this load balancer finds it there.
                    let known = self.facts.defaults.listeners.get(&(i, j));
                    if !known.is_some_and(|l| l.contains(&id)) {
                        let listeners = self.facts.to_mut().defaults.listeners.entry((i, j));
                        listeners.or_default().push(id.clone());
                    }
                    json!({ "Type": "forward", "TargetGroupArn": r#ref(&tg) })
                }
                None => json!({ "Type": "fixed-response", "FixedResponseConfig": {
                    "StatusCode": "404", "ContentType": "text/plain", "MessageBody": "Not Found" } }),
            }
        };
        let properties = props(json!({
            "LoadBalancerArn": r#ref(lb_id),
            "Port": l.port,
            "Protocol": l.protocol.as_str(),
            "Certificates": l.certificate.as_ref().map(|c| json!([{ "CertificateArn": self.text(c) }])),
            "SslPolicy": tls.then_some("ELBSecurityPolicy-TLS13-1-2-2021-06"),
            "DefaultActions": [default],
        }));
        self.add(
            id,
            json!({ "Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": properties }),
        );
    }

    /// The target group and listener rules of one exposure; returns the IDs
    /// the service must depend on (its rules and default-forwarding listeners).
    pub(super) fn emit_exposure(&mut self, i: usize, s: &ir::Service, j: usize) -> Exposed {
        let e = &s.exposures[j];
        let lb = self.ix.load_balancer(&e.load_balancer);
        let task = self.ix.task(&s.task);
        let b = self.exposure_base(s, e);
        let default_listeners = self
            .facts
            .defaults
            .listeners
            .get(&(i, j))
            .cloned()
            .unwrap_or_default();
        let owner = if default_listeners.is_empty() {
            Owner::Service(i)
        } else {
            Owner::Shared
        };
        self.at(Kind::Service, &s.name, owner);
        let Some(net) = self.net(&lb.network).cloned() else {
            return Exposed {
                depends: default_listeners,
                ..Exposed::default()
            };
        };
        let h = &e.health;
        let health_path = e.written_health_path(lb.kind);
        let ports = Self::exposure_ports(lb, e);
        let udp = lb
            .listeners
            .iter()
            .any(|l| ports.first() == Some(&l.port) && l.protocol == ListenerProtocol::Udp);
        let protocol = match (lb.kind, udp) {
            (LbKind::Alb, _) => "HTTP",
            (LbKind::Nlb, true) => "UDP",
            (LbKind::Nlb, false) => "TCP",
        };
        let ip = task.network_mode == NetworkMode::Awsvpc;
        let http_check = health_path.is_some();
        let tg = format!("{b}TargetGroup");
        let target_group = json!({ "Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": props(json!({
                "VpcId": net.vpc,
                "Port": e.container_port,
                "Protocol": protocol,
                "TargetType": if ip { "ip" } else { "instance" },
                "HealthCheckEnabled": true,
                "HealthCheckProtocol": if http_check { "HTTP" } else { "TCP" },
                "HealthCheckPath": health_path,
                "HealthCheckPort": (!ip).then_some("traffic-port"),
                "HealthCheckIntervalSeconds": h.interval,
                "HealthCheckTimeoutSeconds": h.timeout,
                "HealthyThresholdCount": h.healthy_threshold,
                "UnhealthyThresholdCount": h.unhealthy_threshold,
                "Matcher": http_check.then(|| json!({ "HttpCode": &h.matcher })),
                "TargetGroupAttributes": [{ "Key": "deregistration_delay.timeout_seconds",
                                            "Value": e.deregistration_delay.to_string() }],
            })) });
        self.add(tg.clone(), target_group.clone());
        let mut out = Exposed {
            depends: default_listeners.clone(),
            ..Exposed::default()
        };
        if shifts_traffic(s) {
            if lb.kind == LbKind::Nlb {
                self.diags
                    .push(errors::traffic_shift_behind_nlb(&s.name, &lb.name, e.span));
            } else {
                let alternate = format!("{b}AlternateTargetGroup");
                self.add(alternate.clone(), target_group);
                out.alternate = Some(alternate);
            }
        }
        if lb.kind == LbKind::Nlb {
            return out;
        }
        let values = e.paths.len() + e.hosts.len();
        if values > 5 {
            self.diags
                .push(errors::too_many_conditions(&s.name, values, e.span));
        }
        self.at(Kind::Service, &s.name, Owner::Service(i));
        let mut conditions = Vec::new();
        if !e.paths.is_empty() {
            conditions.push(
                json!({ "Field": "path-pattern", "PathPatternConfig": { "Values": &e.paths } }),
            );
        }
        if !e.hosts.is_empty() {
            conditions.push(
                json!({ "Field": "host-header", "HostHeaderConfig": { "Values": &e.hosts } }),
            );
        }
        if conditions.is_empty() {
            conditions.push(
                json!({ "Field": "path-pattern", "PathPatternConfig": { "Values": ["/*"] } }),
            );
        }
        let test_conditions = conditions.clone();
        for port in ports {
            let listener = self.listener_id(&lb.name, port);
            if default_listeners.contains(&listener) {
                continue;
            }
            let conditions = conditions.clone();
            let rule = format!("{b}Rule{port}");
            let action = match &out.alternate {
                // ECS moves the weights during a deployment.
                Some(alt) => json!({ "Type": "forward", "ForwardConfig": { "TargetGroups": [
                    { "TargetGroupArn": r#ref(&tg), "Weight": 100 },
                    { "TargetGroupArn": r#ref(alt), "Weight": 0 }] } }),
                None => json!({ "Type": "forward", "TargetGroupArn": r#ref(&tg) }),
            };
            self.add(
                rule.clone(),
                json!({ "Type": "AWS::ElasticLoadBalancingV2::ListenerRule", "Properties": {
                    "ListenerArn": r#ref(&listener),
                    "Priority": e.priority,
                    "Conditions": conditions,
                    "Actions": [action] } }),
            );
            out.production_rule.get_or_insert(rule.clone());
            out.depends.push(rule);
        }
        if let (Some(alt), Some(port)) = (&out.alternate, e.traffic.test_listener) {
            let rule = format!("{b}TestRule{port}");
            self.add(
                rule.clone(),
                json!({ "Type": "AWS::ElasticLoadBalancingV2::ListenerRule", "Properties": {
                    "ListenerArn": r#ref(&self.listener_id(&lb.name, port)),
                    "Priority": e.priority,
                    "Conditions": test_conditions,
                    "Actions": [{ "Type": "forward", "ForwardConfig": { "TargetGroups": [
                        { "TargetGroupArn": r#ref(&tg), "Weight": 100 },
                        { "TargetGroupArn": r#ref(alt), "Weight": 0 }] } }] } }),
            );
            out.test_rule = Some(rule);
        }
        out
    }

    /// Target group of a service's first ALB exposure with its load balancer,
    /// for request-count scaling.
    pub fn first_alb_target(&self, s: &ir::Service) -> Option<(String, String)> {
        let e = s.exposures.first()?;
        let lb = self.ix.load_balancers.get(e.load_balancer.as_str())?;
        (lb.kind == LbKind::Alb).then(|| {
            (
                self.lb_id(&lb.name),
                format!("{}TargetGroup", self.exposure_base(s, e)),
            )
        })
    }
}
