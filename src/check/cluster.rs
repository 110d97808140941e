//! Lowers `cluster` declarations.
//!
//! ```text
//! cluster prod {
//!   capacity FARGATE_SPOT weight 70
//!   capacity FARGATE weight 30 base 2
//!   capacity workers asg ASG_ARN target 90% weight 1     // EC2 auto scaling group
//!   insights on
//!   network main
//! }
//! ```

use super::args::Words;
use super::read::{block, reference, set, unknown_property};
use super::vocabulary::{Cluster as Prop, Id, Kind};
use super::{errors, Cx};
use crate::ast::{Expr, Statement};
use crate::ir::{self, CapacityProvider, Insights, StrategyItem};

pub fn lower_cluster(cx: &mut Cx, stmt: &Statement) -> Option<ir::Cluster> {
    let name = super::scope::decl_name(cx, stmt)?.name;
    Words::new(stmt).skip(1).finish(cx);
    let mut providers: Vec<CapacityProvider> = Vec::new();
    let mut strategy = Vec::new();
    let mut insights = None;
    let mut network = None;
    let mut created_networks: Vec<(String, Option<String>)> = Vec::new();
    for s in block(stmt) {
        let Some(prop) = Prop::from_name(&s.head.name) else {
            unknown_property(cx, Id::Cluster, s);
            continue;
        };
        let mut w = Words::new(s);
        match prop {
            Prop::Capacity => {
                let made = if s.block.is_some() {
                    created_capacity(cx, &mut w, s).map(|(p, item, network)| {
                        if network.is_some() {
                            created_networks.push((p.name().to_string(), network));
                        }
                        (p, item)
                    })
                } else {
                    capacity(cx, &mut w, true)
                };
                if let Some((p, item)) = made {
                    if providers.iter().any(|q| q.name() == p.name()) {
                        cx.push(errors::duplicate_property(
                            &format!("capacity {}", p.name()),
                            s.span,
                        ));
                    } else {
                        providers.push(p);
                        strategy.extend(item);
                    }
                }
            }
            Prop::Insights => {
                let v = w.required(cx, "`on`, `off` or `enhanced`").and_then(|e| {
                    cx.choice(
                        e,
                        "a container insights setting",
                        Prop::Insights.property().choices,
                    )
                    .map(|c| match c {
                        "on" | "enabled" => Insights::Enabled,
                        "enhanced" => Insights::Enhanced,
                        _ => Insights::Disabled,
                    })
                });
                set(cx, &mut insights, s, v)
            }
            Prop::Network => {
                let v = w
                    .required(cx, "a network name")
                    .and_then(|e| reference(cx, e, Kind::Network));
                set(cx, &mut network, s, v)
            }
        }
        w.finish(cx);
    }
    if network.is_none() {
        if let [only] = cx.scope.names(Kind::Network).as_slice() {
            network = Some(only.to_string());
        }
    }
    // Created capacity is in its own network, else the cluster's.
    for p in &mut providers {
        let CapacityProvider::Ec2(ir::Ec2CapacityProvider {
            name: provider,
            created: Some(c),
            ..
        }) = p
        else {
            continue;
        };
        let own = created_networks
            .iter()
            .find(|(n, _)| n == provider)
            .and_then(|(_, net)| net.clone());
        match own.or_else(|| network.clone()) {
            Some(n) => c.network = n,
            None => cx.push(super::capacity::no_network(provider, c.span)),
        }
    }
    Some(ir::Cluster {
        name,
        network,
        capacity_providers: providers,
        default_strategy: strategy,
        // Container insights cost money per metric; off unless asked, as in ECS.
        insights: insights.unwrap_or(Insights::Disabled),
        span: stmt.words[0].span,
    })
}

/// `capacity NAME [asg ARN [target N%] [protect]] [weight N] [base N]`.
/// Returns the provider and, if weight or base is given, its strategy item.
pub fn capacity(
    cx: &mut Cx,
    w: &mut Words,
    allow_asg: bool,
) -> Option<(CapacityProvider, Option<StrategyItem>)> {
    let asg = if allow_asg {
        w.keyword(cx, "asg").and_then(|e| cx.text(e))
    } else {
        None
    };
    let target = if allow_asg {
        w.keyword(cx, "target").and_then(|e| {
            // ManagedScaling.TargetCapacity: a whole percentage, 1 to 100.
            let v = cx.percent_whole(e)?;
            if !(1..=100).contains(&v) {
                cx.push(errors::out_of_range(
                    "a target capacity",
                    &format!("{v}%"),
                    "1% to 100%",
                    e.span,
                ));
                return None;
            }
            Some(v)
        })
    } else {
        None
    };
    let protect = allow_asg && w.flag("protect");
    let (weight, base) = weight_and_base(cx, w);
    let name_expr = w.required(cx, "a capacity provider (FARGATE, FARGATE_SPOT or a name)")?;
    let name = provider_name(cx, name_expr)?;
    let provider = match (name.as_str(), asg) {
        ("FARGATE", None) => CapacityProvider::Fargate,
        ("FARGATE_SPOT", None) => CapacityProvider::FargateSpot,
        ("FARGATE" | "FARGATE_SPOT", Some(_)) => {
            cx.push(errors::fargate_with_asg(name_expr.span));
            return None;
        }
        (_, Some(asg)) => CapacityProvider::Ec2(ir::Ec2CapacityProvider {
            name: name.clone(),
            auto_scaling_group: asg,
            target_capacity: target,
            managed_termination_protection: protect,
            created: None,
        }),
        (_, None) => CapacityProvider::Ec2(ir::Ec2CapacityProvider {
            name: name.clone(),
            auto_scaling_group: ir::Text::default(),
            target_capacity: None,
            managed_termination_protection: false,
            created: None,
        }),
    };
    if let (CapacityProvider::Ec2(e), true) = (&provider, allow_asg) {
        if e.auto_scaling_group.parts.is_empty() {
            cx.push(errors::ec2_provider_without_asg(&name, name_expr.span));
            return None;
        }
    }
    let item = (weight.is_some() || base.is_some()).then(|| StrategyItem {
        provider: name,
        weight: weight.unwrap_or(1),
        base: base.unwrap_or(0),
    });
    Some((provider, item))
}

fn provider_name(cx: &mut Cx, e: &Expr) -> Option<String> {
    let n = cx.name(e, "a capacity provider name")?;
    let upper = n.to_ascii_uppercase();
    Some(if upper == "FARGATE" || upper == "FARGATE_SPOT" {
        upper
    } else {
        n
    })
}

fn bounded(cx: &mut Cx, e: &Expr, lo: u32, hi: u32, what: &str) -> Option<u32> {
    let v = cx.int(e)?;
    if v < lo || v > hi {
        cx.push(errors::out_of_range(
            what,
            &v.to_string(),
            &format!("{lo} to {hi}"),
            e.span,
        ));
        return None;
    }
    Some(v)
}

/// `capacity NAME [weight N] [base N] { instance_type ...; instances ... }`:
/// EC2 capacity Wharf creates (see `check::capacity`); also returns the
/// network its block names.
/// A strategy item's `weight` (CapacityProviderStrategyItem.Weight: 0 to
/// 1,000) and `base` (0 to 100,000), where given.
fn weight_and_base(cx: &mut Cx, w: &mut Words) -> (Option<u32>, Option<u32>) {
    let weight = w
        .keyword(cx, "weight")
        .and_then(|e| bounded(cx, e, 0, 1000, "a capacity weight"));
    let base = w
        .keyword(cx, "base")
        .and_then(|e| bounded(cx, e, 0, 100_000, "a capacity base"));
    (weight, base)
}

fn created_capacity(
    cx: &mut Cx,
    w: &mut Words,
    s: &Statement,
) -> Option<(CapacityProvider, Option<StrategyItem>, Option<String>)> {
    let (weight, base) = weight_and_base(cx, w);
    let name_expr = w.required(cx, "a capacity provider name")?;
    let name = provider_name(cx, name_expr)?;
    if name == "FARGATE" || name == "FARGATE_SPOT" {
        cx.push(errors::fargate_with_asg(name_expr.span));
        return None;
    }
    let written = super::capacity::read(cx, s)?;
    let provider = CapacityProvider::Ec2(ir::Ec2CapacityProvider {
        name: name.clone(),
        auto_scaling_group: ir::Text::default(),
        target_capacity: Some(written.target),
        managed_termination_protection: written.protect,
        created: Some(written.capacity),
    });
    let item = (weight.is_some() || base.is_some()).then(|| StrategyItem {
        provider: name,
        weight: weight.unwrap_or(1),
        base: base.unwrap_or(0),
    });
    Some((provider, item, written.network))
}
