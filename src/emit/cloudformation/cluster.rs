//! Clusters and cluster-wide resources. Stage: emit. Input: `ir::Cluster`,
//! `ir::LogGroup`, `ir::Namespace`; output: `AWS::ECS::Cluster` with its
//! container insights setting, an `AWS::ECS::CapacityProvider` per EC2 auto
//! scaling group (and what a created one needs, see `capacity`), `AWS::ECS::ClusterCapacityProviderAssociations` with the
//! default strategy, `AWS::Logs::LogGroup`s and Cloud Map private DNS
//! namespaces. All of these live in the shared stack, except log groups, which
//! go with the first service whose task writes to them.

use crate::emit::json::json;
use serde_json::Value;

use super::ids::Kind;
use super::value::{props, r#ref};
use super::{errors, Ctx, Owner};
use crate::diag::Span;
use crate::ir::{self, CapacityProvider, Insights};

impl<'a> Ctx<'a> {
    pub fn cluster_id(&self, name: &str) -> String {
        format!("{}Cluster", self.ids.base(Kind::Cluster, name))
    }

    pub fn associations_id(&self, cluster: &str) -> String {
        format!("{}CapacityProviders", self.ids.base(Kind::Cluster, cluster))
    }

    /// How a strategy names a provider: `FARGATE`/`FARGATE_SPOT` literally,
    /// an EC2 provider by `Ref` (which gives its generated name).
    pub fn provider_value(&self, provider: &str) -> Value {
        match provider {
            "FARGATE" | "FARGATE_SPOT" => json!(provider),
            name => r#ref(&format!(
                "{}CapacityProvider",
                self.ids.base(Kind::CapacityProvider, name)
            )),
        }
    }

    pub fn strategy(&self, items: &[ir::StrategyItem]) -> Value {
        Value::Array(
            items
                .iter()
                .map(|s| {
                    json!({ "CapacityProvider": self.provider_value(&s.provider),
                            "Weight": s.weight, "Base": s.base })
                })
                .collect(),
        )
    }

    pub(super) fn emit_cluster(&mut self, c: &'a ir::Cluster) {
        let b = self.at(Kind::Cluster, &c.name, Owner::Shared);
        let insights = match c.insights {
            Insights::Disabled => "disabled",
            Insights::Enabled => "enabled",
            Insights::Enhanced => "enhanced",
        };
        let cluster = format!("{b}Cluster");
        self.add(
            cluster.clone(),
            json!({ "Type": "AWS::ECS::Cluster", "Properties": {
                "ClusterName": &c.name,
                "ClusterSettings": [{ "Name": "containerInsights", "Value": insights }] } }),
        );
        for cp in &c.capacity_providers {
            if let CapacityProvider::Ec2(e) = cp {
                self.emit_capacity_provider(c, e);
            }
        }
        if !c.capacity_providers.is_empty() {
            self.at(Kind::Cluster, &c.name, Owner::Shared);
            let providers: Vec<Value> = c
                .capacity_providers
                .iter()
                .map(|p| self.provider_value(p.name()))
                .collect();
            self.add(
                format!("{b}CapacityProviders"),
                json!({ "Type": "AWS::ECS::ClusterCapacityProviderAssociations", "Properties": {
                    "Cluster": r#ref(&cluster),
                    "CapacityProviders": providers,
                    "DefaultCapacityProviderStrategy": self.strategy(&c.default_strategy) } }),
            );
        }
        self.at(Kind::Cluster, &c.name, Owner::Shared);
        self.output(
            format!("{b}ClusterName"),
            &format!("Name of ECS cluster `{}`", c.name),
            r#ref(&cluster),
        );
    }

    fn emit_capacity_provider(&mut self, c: &'a ir::Cluster, e: &'a ir::Ec2CapacityProvider) {
        let b = self.at(Kind::CapacityProvider, &e.name, Owner::Shared);
        if e.managed_termination_protection && e.target_capacity.is_none() {
            self.diags
                .push(errors::termination_protection_without_scaling(
                    &e.name, c.span,
                ));
        }
        let scaling = match e.target_capacity {
            Some(t) => json!({ "Status": "ENABLED", "TargetCapacity": t }),
            None => json!({ "Status": "DISABLED" }),
        };
        let protection = if e.managed_termination_protection {
            "ENABLED"
        } else {
            "DISABLED"
        };
        let group = match &e.created {
            Some(created) => self.emit_created_capacity(&b, c, e, created),
            None => self.text(&e.auto_scaling_group),
        };
        self.add(
            format!("{b}CapacityProvider"),
            json!({ "Type": "AWS::ECS::CapacityProvider", "Properties": {
                "AutoScalingGroupProvider": {
                    "AutoScalingGroupArn": group,
                    "ManagedScaling": scaling,
                    "ManagedTerminationProtection": protection } } }),
        );
    }

    pub fn log_group_id(&self, name: &str) -> String {
        format!("{}LogGroup", self.ids.base(Kind::LogGroup, name))
    }

    pub(super) fn emit_log_group(&mut self, g: &'a ir::LogGroup) {
        let owner = *self
            .ix
            .log_owner
            .get(g.name.as_str())
            .unwrap_or(&Owner::Shared);
        let b = self.at(Kind::LogGroup, &g.name, owner);
        self.add(
            format!("{b}LogGroup"),
            // Explicit Delete: a retained group would keep its name taken and
            // make the next create of this stack fail.
            json!({ "Type": "AWS::Logs::LogGroup",
                "DeletionPolicy": "Delete", "UpdateReplacePolicy": "Delete", "Properties": {
                "LogGroupName": &g.name, "RetentionInDays": g.retention_days } }),
        );
    }

    pub fn namespace_id(&self, name: &str) -> String {
        format!("{}Namespace", self.ids.base(Kind::Namespace, name))
    }

    pub(super) fn emit_namespace(&mut self, ns: &'a ir::Namespace) {
        let b = self.at(Kind::Namespace, &ns.name, Owner::Shared);
        let p = self.p;
        let user = self
            .ix
            .namespace_users
            .get(ns.name.as_str())
            .map(|&i| &p.services[i]);
        let vpc = match ns.network.as_deref().and_then(|n| self.net(n)) {
            Some(f) => Some(f.vpc.clone()),
            None => user.and_then(|s| self.vpc_of(s)),
        };
        self.at(Kind::Namespace, &ns.name, Owner::Shared);
        let Some(vpc) = vpc else {
            let span = user.map_or(Span::default(), |s| s.span);
            self.diags
                .push(errors::no_vpc(&format!("namespace `{}`", ns.name), span));
            return;
        };
        self.add(
            format!("{b}Namespace"),
            json!({ "Type": "AWS::ServiceDiscovery::PrivateDnsNamespace", "Properties": props(json!({
                "Name": &ns.name, "Vpc": vpc,
                "Description": format!("Wharf namespace `{}`", ns.name) })) }),
        );
    }
}
