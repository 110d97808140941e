//! Service Connect. Stage: emit. Input: each service's `ir::ServiceConnect`;
//! output: the `AWS::ServiceDiscovery::HttpNamespace` of each namespace
//! Service Connect needs created that no `discovery` name creates (shared
//! stack), the namespace each service's `ServiceConnectConfiguration` names
//! (`Fn::GetAtt` of the created one, or the ARN as written), and one
//! `AWS::EC2::SecurityGroupIngress` per `uses` between awsvpc services:
//! from the caller's group to the server's, on the port the server's tasks
//! listen on (`Owner::Links`, as they refer to two services).

use crate::emit::json::json;
use serde_json::Value;

use super::ids::Kind;
use super::value::{get_att, props};
use super::{Ctx, Owner};
use crate::ir::{self, NetworkMode};

impl<'a> Ctx<'a> {
    /// Namespaces only Service Connect uses: HTTP namespaces (no VPC).
    pub(super) fn emit_connect_namespaces(&mut self) {
        for name in self.p.connect_namespaces() {
            let b = self.at(Kind::Namespace, name, Owner::Shared);
            self.add(
                format!("{b}Namespace"),
                json!({ "Type": "AWS::ServiceDiscovery::HttpNamespace", "Properties": props(json!({
                    "Name": name,
                    "Description": format!("Wharf Service Connect namespace `{name}`") })) }),
            );
        }
    }

    /// The namespace a service's `ServiceConnectConfiguration` names.
    pub(super) fn connect_namespace(&self, s: &ir::Service) -> Option<Value> {
        Some(match &s.connect.as_ref()?.namespace {
            ir::ConnectNamespace::Created(name) => get_att(&self.namespace_id(name), "Arn"),
            ir::ConnectNamespace::Existing(arn) => self.text(arn),
        })
    }

    /// Ingress rules from each service to the servers it `uses`.
    pub(super) fn emit_connect_rules(&mut self, s: &'a ir::Service) {
        let Some(c) = &s.connect else { return };
        if self.ix.task(&s.task).network_mode != NetworkMode::Awsvpc {
            return;
        }
        let client_b = self.ids.base(Kind::Service, &s.name);
        let mut done: Vec<(&str, u16)> = Vec::new();
        for used in &c.uses {
            let Some((server, port)) = &used.server else {
                continue;
            };
            let Some(&si) = self.ix.service_positions.get(server.as_str()) else {
                continue;
            };
            let target = &self.p.services[si];
            let awsvpc = self.ix.task(&target.task).network_mode == NetworkMode::Awsvpc;
            if !awsvpc || server == &s.name || done.contains(&(server.as_str(), *port)) {
                continue;
            }
            done.push((server.as_str(), *port));
            let b = self.at(Kind::Service, server, Owner::Links(0));
            self.add(
                format!("{b}From{client_b}Connect{port}Ingress"),
                json!({ "Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
                    "Description": format!("Service Connect from service {} to port {port}", s.name),
                    "GroupId": get_att(&self.service_sg_id(server), "GroupId"),
                    "SourceSecurityGroupId": get_att(&self.service_sg_id(&s.name), "GroupId"),
                    "IpProtocol": "tcp", "FromPort": port, "ToPort": port } }),
            );
        }
    }
}
