//! `ir::Cluster` -> `CreateCluster` input, and each EC2 auto scaling group
//! capacity provider -> `CreateCapacityProvider` input (a cluster can only
//! name a provider that already exists). Keys in botocore member order; the
//! `containerInsights` setting and managed scaling, termination protection
//! and draining are always written.

use serde_json::Value;

use super::{enabled, resolve, service::strategy_item, Obj};
use crate::ir;

pub(crate) fn emit_cluster(_program: &ir::Program, cluster: &ir::Cluster) -> Value {
    let insights = match cluster.insights {
        ir::Insights::Disabled => "disabled",
        ir::Insights::Enabled => "enabled",
        ir::Insights::Enhanced => "enhanced",
    };
    Obj::new()
        .set("clusterName", cluster.name.as_str())
        .set(
            "settings",
            vec![Obj::new()
                .set("name", "containerInsights")
                .set("value", insights)
                .build()],
        )
        .list(
            "capacityProviders",
            cluster
                .capacity_providers
                .iter()
                .map(|p| Value::from(p.name()))
                .collect(),
        )
        .list(
            "defaultCapacityProviderStrategy",
            cluster.default_strategy.iter().map(strategy_item).collect(),
        )
        .build()
}

/// Managed scaling is on exactly when a target capacity is given; managed
/// draining is ECS's default (on) written out.
pub(crate) fn emit_capacity_provider(
    program: &ir::Program,
    provider: &ir::Ec2CapacityProvider,
) -> Value {
    let scaling = Obj::new()
        .set("status", enabled(provider.target_capacity.is_some()))
        .opt("targetCapacity", provider.target_capacity)
        .build();
    Obj::new()
        .set("name", provider.name.as_str())
        .set(
            "autoScalingGroupProvider",
            Obj::new()
                .set(
                    "autoScalingGroupArn",
                    resolve(program, &provider.auto_scaling_group),
                )
                .set("managedScaling", scaling)
                .set(
                    "managedTerminationProtection",
                    enabled(provider.managed_termination_protection),
                )
                .set("managedDraining", "ENABLED")
                .build(),
        )
        .build()
}
