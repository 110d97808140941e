//! Service Connect: a service's `serviceConnectConfiguration` (see `ir`).
//!
//! `connect "internal" { serve api as "orders" port 80; uses "billing" }`
//! is one `ServiceConnect` on the service: the namespace, the ports it
//! serves under a client alias (a client-server service; none for a
//! client-only one) and the aliases it calls, each resolved by the checker
//! to the service that serves it.

use super::{Program, Service, Task, Text};
use crate::diag::Span;

#[derive(Debug, Clone, PartialEq)]
pub struct ServiceConnect {
    pub namespace: ConnectNamespace,
    /// `services[]`: empty for a client-only service.
    pub services: Vec<ConnectService>,
    /// The aliases this service calls (`uses`), resolved by the checker.
    pub uses: Vec<ConnectUse>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ConnectNamespace {
    /// A Cloud Map namespace the stack creates, by name: the private DNS
    /// namespace of `discovery` names when they use it, else an HTTP one.
    Created(String),
    /// An existing namespace, by ARN (or name, as ECS accepts either).
    Existing(Text),
}

/// `serve PORT_NAME as "DNS" port N [discovery "NAME"] [ingress N] [idle D] [request D]`
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectService {
    /// A `name` of a port mapping of the service's task.
    pub port_name: String,
    /// The Cloud Map service ECS creates; ECS's default: the port name.
    pub discovery_name: Option<String>,
    /// The one client alias: the name and port clients call.
    pub dns_name: String,
    pub port: u16,
    pub ingress_port_override: Option<u16>,
    pub idle_timeout: Option<u32>,
    pub per_request_timeout: Option<u32>,
    pub span: Span,
}

/// `uses "orders" [port 80]`: a call through Service Connect.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectUse {
    pub dns_name: String,
    /// The alias port: as written, else the alias's.
    pub port: u16,
    /// The service that serves the alias, and the port its tasks listen on
    /// for it (the ingress override, else the container port); filled by
    /// the checker.
    pub server: Option<(String, u16)>,
    pub span: Span,
}

impl ConnectService {
    /// The Cloud Map service name ECS uses: the discovery name, else the
    /// port name.
    pub fn effective_discovery_name(&self) -> &str {
        self.discovery_name.as_deref().unwrap_or(&self.port_name)
    }

    /// The container and container port of the named port mapping.
    pub fn target<'t>(&self, task: &'t Task) -> Option<(&'t str, &'t super::PortMapping)> {
        task.containers.iter().find_map(|c| {
            c.ports
                .iter()
                .find(|p| p.name.as_deref() == Some(self.port_name.as_str()))
                .map(|p| (c.name.as_str(), p))
        })
    }
}

impl ServiceConnect {
    /// The name of a namespace the stack creates.
    pub fn created_namespace(&self) -> Option<&str> {
        match &self.namespace {
            ConnectNamespace::Created(n) => Some(n),
            ConnectNamespace::Existing(_) => None,
        }
    }
}

impl Program {
    /// Namespaces Service Connect needs created that no `discovery` name
    /// creates already (those become `AWS::ServiceDiscovery::HttpNamespace`),
    /// each once, in the order services name them.
    pub fn connect_namespaces(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for name in self
            .services
            .iter()
            .filter_map(|s: &Service| s.connect.as_ref()?.created_namespace())
        {
            if !self.namespaces.iter().any(|n| n.name == name) && !out.contains(&name) {
                out.push(name);
            }
        }
        out
    }
}
