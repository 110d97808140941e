//! Lowers `network` and `alb` / `nlb` declarations.
//!
//! ```text
//! network main { vpc VPC_ID; public_subnets PUBLIC; private_subnets PRIVATE }
//! network fresh { cidr "10.0.0.0/16"; azs 2; nat single; endpoints [ecr, s3, logs] }
//! alb web { public; network main; listener 80 http redirect 443; listener 443 https cert CERT }
//! ```

use super::args::Words;
use super::read::{block, has_statement, reference, set, unknown_property};
use super::scope::Binding;
use super::vocabulary::{Id, Kind, LoadBalancer, Network};
use super::{errors, Cx};
use crate::ast::{Expr, Statement};
use crate::ir::{
    self, InputType, LbKind, ListenerProtocol, NatMode, NetworkKind, SubnetRef, VpcEndpoint,
};

pub fn lower_network(cx: &mut Cx, stmt: &Statement) -> Option<ir::Network> {
    let name = super::scope::decl_name(cx, stmt)?.name;
    Words::new(stmt).skip(1).finish(cx);
    let mut vpc = None;
    let mut public = None;
    let mut private = None;
    let mut cidr = None;
    let mut azs = None;
    let mut nat = None;
    let mut endpoints = None;
    for s in block(stmt) {
        let Some(prop) = Network::from_name(&s.head.name) else {
            unknown_property(cx, Id::Network, s);
            continue;
        };
        let mut w = Words::new(s);
        match prop {
            Network::Vpc => {
                let v = w.required(cx, "a VPC ID").and_then(|e| cx.text(e));
                set(cx, &mut vpc, s, v)
            }
            Network::PublicSubnets => {
                let v = w.required(cx, "subnet IDs").and_then(|e| subnets(cx, e));
                set(cx, &mut public, s, v)
            }
            Network::PrivateSubnets => {
                let v = w.required(cx, "subnet IDs").and_then(|e| subnets(cx, e));
                set(cx, &mut private, s, v)
            }
            Network::Cidr => {
                let v = w
                    .required(cx, "a CIDR block")
                    .and_then(|e| cidr_block(cx, e));
                set(cx, &mut cidr, s, v)
            }
            Network::Azs => {
                let v = w.required(cx, "2 or 3").and_then(|e| {
                    let n = cx.int(e)?;
                    if !(2..=3).contains(&n) {
                        cx.push(errors::out_of_range(
                            "an availability zone count",
                            &n.to_string(),
                            "2 to 3",
                            e.span,
                        ));
                        return None;
                    }
                    Some(n as u8)
                });
                set(cx, &mut azs, s, v)
            }
            Network::Nat => {
                let v = w
                    .required(cx, "`none`, `single` or `per_az`")
                    .and_then(|e| {
                        cx.choice(e, "a NAT mode", Network::Nat.property().choices)
                            .map(|c| match c {
                                "none" => NatMode::None,
                                "single" => NatMode::Single,
                                _ => NatMode::PerAz,
                            })
                    });
                set(cx, &mut nat, s, v)
            }
            Network::Endpoints => {
                let v = w.required(cx, "a list of endpoints").and_then(|e| {
                    let items: Vec<Expr> = cx.list(e).into_iter().cloned().collect();
                    let mut out = Vec::new();
                    for item in &items {
                        let c = cx.choice(
                            item,
                            "a VPC endpoint",
                            Network::Endpoints.property().choices,
                        )?;
                        out.push(match c {
                            "ecr" => VpcEndpoint::Ecr,
                            "s3" => VpcEndpoint::S3,
                            "logs" => VpcEndpoint::Logs,
                            "secretsmanager" => VpcEndpoint::SecretsManager,
                            _ => VpcEndpoint::Ssm,
                        });
                    }
                    out.sort();
                    out.dedup();
                    Some(out)
                });
                set(cx, &mut endpoints, s, v)
            }
        }
        w.finish(cx);
    }
    let kind = match (vpc, cidr) {
        (Some(vpc), None) => {
            let (public, private) = match (public, private) {
                (Some(p), Some(q)) => (p, q),
                (Some(p), None) => (p.clone(), p),
                (None, Some(q)) => (q.clone(), q),
                (None, None) => {
                    // Subnets written but unreadable are reported already.
                    if !has_statement(
                        stmt,
                        &[
                            Network::PublicSubnets.name(),
                            Network::PrivateSubnets.name(),
                        ],
                    ) {
                        cx.push(errors::missing_property(
                            "network",
                            &name,
                            "private_subnets",
                            stmt,
                        ));
                    }
                    return None;
                }
            };
            NetworkKind::Existing {
                vpc,
                public_subnets: public,
                private_subnets: private,
            }
        }
        (None, Some(cidr)) => NetworkKind::Created(ir::CreatedVpc {
            cidr,
            azs: azs.unwrap_or(2),
            nat: nat.unwrap_or(NatMode::Single),
            endpoints: endpoints.unwrap_or_default(),
        }),
        (Some(_), Some(_)) => {
            cx.push(errors::network_both(&name, stmt.words[0].span));
            return None;
        }
        (None, None) => {
            if !has_statement(stmt, &[Network::Vpc.name(), Network::Cidr.name()]) {
                cx.push(errors::missing_property(
                    "network",
                    &name,
                    "vpc` or `cidr",
                    stmt,
                ));
            }
            return None;
        }
    };
    Some(ir::Network {
        name,
        kind,
        span: stmt.words[0].span,
    })
}

/// Subnets: a list of IDs or one `subnets` input.
pub fn subnets(cx: &mut Cx, e: &Expr) -> Option<SubnetRef> {
    if let Some(id) = e.as_ident() {
        if let Some(Binding::Input(i)) = cx.scope.values.get(&id.name) {
            if i.ty == InputType::SubnetIds {
                return Some(SubnetRef::Input(i.name.clone()));
            }
        }
    }
    cx.texts(e).map(SubnetRef::Ids)
}

fn cidr_block(cx: &mut Cx, e: &Expr) -> Option<String> {
    let s = cx.literal(e)?;
    let valid = s.split_once('/').is_some_and(|(ip, bits)| {
        ip.split('.').count() == 4
            && ip.split('.').all(|o| o.parse::<u8>().is_ok())
            && bits.parse::<u8>().is_ok_and(|b| (16..=28).contains(&b))
    });
    if !valid {
        cx.push(errors::bad_cidr(&s, e.span));
        return None;
    }
    Some(s)
}

pub fn lower_load_balancer(cx: &mut Cx, stmt: &Statement) -> Option<ir::LoadBalancer> {
    let name = super::scope::decl_name(cx, stmt)?.name;
    let kind = if stmt.head.name == "nlb" {
        LbKind::Nlb
    } else {
        LbKind::Alb
    };
    Words::new(stmt).skip(1).finish(cx);
    let mut public = false;
    let mut network = None;
    let mut listeners = Vec::new();
    let mut idle_timeout = None;
    let mut ingress = None;
    for s in block(stmt) {
        let Some(prop) = LoadBalancer::from_name(&s.head.name) else {
            unknown_property(cx, Id::LoadBalancer, s);
            continue;
        };
        let mut w = Words::new(s);
        match prop {
            LoadBalancer::Public => public = true,
            LoadBalancer::Internal => public = false,
            LoadBalancer::Network => {
                let v = w
                    .required(cx, "a network name")
                    .and_then(|e| reference(cx, e, Kind::Network));
                set(cx, &mut network, s, v)
            }
            LoadBalancer::IdleTimeout => {
                let v = w.required(cx, "a duration").and_then(|e| cx.seconds(e));
                set(cx, &mut idle_timeout, s, v)
            }
            LoadBalancer::Allow => {
                let v = w.required(cx, "a list of CIDR blocks").and_then(|e| {
                    let items: Vec<Expr> = cx.list(e).into_iter().cloned().collect();
                    items
                        .iter()
                        .map(|i| cx.ip_cidr(i))
                        .collect::<Option<Vec<_>>>()
                });
                set(cx, &mut ingress, s, v)
            }
            LoadBalancer::Listener => {
                if let Some(l) = listener(cx, &mut w, kind, s) {
                    listeners.push(l);
                }
            }
        }
        w.finish(cx);
    }
    let network = match network {
        Some(n) => n,
        None => match cx.scope.names(Kind::Network).as_slice() {
            [only] => only.to_string(),
            _ => {
                if !has_statement(stmt, &[LoadBalancer::Network.name()]) {
                    cx.push(errors::missing_property(
                        stmt.head.name.as_str(),
                        &name,
                        "network",
                        stmt,
                    ));
                }
                return None;
            }
        },
    };
    if listeners.is_empty() {
        if !has_statement(stmt, &[LoadBalancer::Listener.name()]) {
            cx.push(errors::missing_property(
                stmt.head.name.as_str(),
                &name,
                "listener",
                stmt,
            ));
        }
        return None;
    }
    let ingress = ingress.unwrap_or_else(|| {
        if public {
            vec!["0.0.0.0/0".to_string()]
        } else {
            Vec::new()
        }
    });
    Some(ir::LoadBalancer {
        name,
        kind,
        public,
        network: network.into(),
        listeners,
        idle_timeout,
        ingress,
        span: stmt.words[0].span,
    })
}

fn listener(cx: &mut Cx, w: &mut Words, kind: LbKind, s: &Statement) -> Option<ir::Listener> {
    let certificate = w.keyword(cx, "cert").and_then(|e| cx.text(e));
    let redirect_to = w.keyword(cx, "redirect").and_then(|e| cx.port(e, false));
    let protocol = w.one_of(&["http", "https", "tcp", "tls", "udp"]);
    let port = w.required(cx, "a port").and_then(|e| cx.port(e, false))?;
    let protocol = match (protocol, kind) {
        (Some("http"), _) => ListenerProtocol::Http,
        (Some("https"), _) => ListenerProtocol::Https,
        (Some("tcp"), _) => ListenerProtocol::Tcp,
        (Some("tls"), _) => ListenerProtocol::Tls,
        (Some(_), _) => ListenerProtocol::Udp,
        (None, LbKind::Alb) if port == 443 => ListenerProtocol::Https,
        (None, LbKind::Alb) => ListenerProtocol::Http,
        (None, LbKind::Nlb) => ListenerProtocol::Tcp,
    };
    Some(ir::Listener {
        port,
        protocol,
        certificate,
        redirect_to,
        span: s.span,
    })
}
