//! `ir::ServiceConnect` -> `serviceConnectConfiguration` (CreateService) or
//! `ServiceConnectConfiguration` (`AWS::ECS::Service`), in botocore member
//! order. The namespace is the backend's to name (an ARN, or a reference to
//! the namespace the stack creates) and comes in as a value.

use serde_json::Value;

use super::{Dialect, Fields};
use crate::ir;

pub(crate) fn service_connect<D: Dialect + ?Sized>(
    d: &D,
    c: &ir::ServiceConnect,
    namespace: Value,
) -> Value {
    let services = c
        .services
        .iter()
        .map(|s| {
            let alias = Fields::new(d, "ServiceConnectClientAlias")
                .set("port", s.port)
                .set("dnsName", s.dns_name.as_str())
                .build();
            let timeout =
                (s.idle_timeout.is_some() || s.per_request_timeout.is_some()).then(|| {
                    Fields::new(d, "TimeoutConfiguration")
                        .opt("idleTimeoutSeconds", s.idle_timeout)
                        .opt("perRequestTimeoutSeconds", s.per_request_timeout)
                        .build()
                });
            Fields::new(d, "ServiceConnectService")
                .set("portName", s.port_name.as_str())
                .opt("discoveryName", s.discovery_name.as_deref())
                .set("clientAliases", Value::Array(vec![alias]))
                .opt("ingressPortOverride", s.ingress_port_override)
                .opt("timeout", timeout)
                .build()
        })
        .collect();
    Fields::new(d, "ServiceConnectConfiguration")
        .set("enabled", true)
        .set("namespace", namespace)
        .list("services", services)
        .build()
}
