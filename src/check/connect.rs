//! Service Connect: the `connect` statement of a service, and the rules
//! that need the whole program (ECS API reference: `ServiceConnectConfiguration`,
//! `ServiceConnectService`, `ServiceConnectClientAlias`, `TimeoutConfiguration`).
//!
//! ```text
//! service orders in shop {
//!   task orders
//!   connect "internal" {
//!     serve api as "orders" port 80 discovery "orders-api" idle 60s request 15s
//!     uses "billing" port 8080
//!   }
//! }
//! service web in shop { task web; connect "internal" { uses "orders" } }
//! ```
//!
//! `read` reads the statement: the namespace (a name the stack creates, or
//! an existing namespace's ARN; none is E0706), the ports served (one
//! client alias each, names checked against Cloud Map's rules, E0701) and
//! the aliases called. `resolve` runs once every service is lowered: each
//! served port is a named port mapping of the task (E0700); discovery
//! names, and alias name and port pairs, are unique in their namespace
//! (E0702); a per-request timeout needs an HTTP, HTTP/2 or gRPC port
//! (E0707); each `uses` names an alias served in its namespace (E0703,
//! E0705; in an existing namespace, which may hold other stacks'
//! services, an alias none of the program's serves is not checked) on
//! that port (E0704), and is resolved to the serving service
//! and the port its tasks listen on, for security group rules and the
//! local runner. Linear in the number of served and used aliases.

use std::collections::HashMap;

use super::args::Words;
use super::read::{block, unknown_property};
use super::vocabulary::{Connect as Prop, Id};
use super::Cx;
use crate::ast::{Expr, Statement};
use crate::diag::{closest, Code, Diagnostic, Span};
use crate::ir::{self, ConnectNamespace};

/// Cloud Map's limits on the names (ServiceConnectService.discoveryName,
/// ServiceConnectClientAlias.dnsName).
const MAX_DISCOVERY_NAME: usize = 64;
const MAX_DNS_NAME: usize = 127;

/// `connect NAMESPACE { serve ...; uses ... }` in a service.
pub(super) fn read(cx: &mut Cx, w: &mut Words, s: &Statement) -> Option<ir::ServiceConnect> {
    let namespace = match w.positional() {
        Some(head) => namespace(cx, head)?,
        None => {
            cx.push(no_namespace(s.head.span));
            return None;
        }
    };
    let mut services = Vec::new();
    let mut uses = Vec::new();
    for b in block(s) {
        let Some(prop) = Prop::from_name(&b.head.name) else {
            unknown_property(cx, Id::Connect, b);
            continue;
        };
        let mut bw = Words::new(b);
        match prop {
            Prop::Serve => services.extend(serve(cx, &mut bw, b)),
            Prop::Uses => {
                let port = bw.keyword(cx, "port").and_then(|e| cx.port(e, false));
                if let Some(e) = bw.required(cx, "a client alias (\"orders\")") {
                    if let Some(dns_name) = cx.literal(e) {
                        uses.push(ir::ConnectUse {
                            dns_name,
                            // 0 until resolved: the alias's own port.
                            port: port.unwrap_or(0),
                            server: None,
                            span: e.span,
                        });
                    }
                }
            }
        }
        bw.finish(cx);
    }
    Some(ir::ServiceConnect {
        namespace,
        services,
        uses,
        span: s.head.span,
    })
}

fn namespace(cx: &mut Cx, head: &Expr) -> Option<ConnectNamespace> {
    let text = cx.text(head)?;
    let value = cx.scope.resolve(&text);
    if value.starts_with("arn:") {
        let ok = value
            .split(':')
            .nth(5)
            .is_some_and(|r| r.starts_with("namespace/ns-"))
            && value.split(':').nth(2) == Some("servicediscovery");
        if !ok {
            cx.push(
                Diagnostic::error(
                    Code::ConnectNamespace,
                    format!("`{value}` is not a Cloud Map namespace ARN"),
                    head.span,
                    "not arn:aws:servicediscovery:REGION:ACCOUNT:namespace/ns-ID",
                )
                .with_help("name the namespace by its ARN (`aws servicediscovery list-namespaces`), or by a bare name for a namespace the stack creates"),
            );
            return None;
        }
        return Some(ConnectNamespace::Existing(text));
    }
    if value.is_empty() || value.len() > 253 || value.chars().any(|c| !c.is_ascii_graphic()) {
        cx.push(
            Diagnostic::error(
                Code::ConnectName,
                format!("`{value}` cannot name a Cloud Map namespace"),
                head.span,
                "a namespace name",
            )
            .with_help("a namespace name is 1 to 253 printable characters without spaces, such as \"internal\""),
        );
        return None;
    }
    Some(ConnectNamespace::Created(value))
}

/// `serve PORT_NAME as "DNS" port N [discovery "NAME"] [ingress N] [idle D] [request D]`
fn serve(cx: &mut Cx, w: &mut Words, s: &Statement) -> Option<ir::ConnectService> {
    let dns = w.keyword(cx, "as");
    let port = w.keyword(cx, "port").and_then(|e| cx.port(e, false));
    let discovery = w.keyword(cx, "discovery");
    let ingress = w.keyword(cx, "ingress").and_then(|e| cx.port(e, false));
    let idle = w.keyword(cx, "idle").and_then(|e| cx.seconds(e));
    let request = w.keyword(cx, "request").and_then(|e| cx.seconds(e));
    let port_name = w.required(cx, "a port name of the task")?;
    let port_name = match port_name.as_ident() {
        Some(i) if !cx.scope.values.contains_key(&i.name) => i.name.clone(),
        _ => cx.literal(port_name)?,
    };
    let Some(dns) = dns else {
        cx.push(crate::check::errors::missing_word(
            "serve",
            "`as \"NAME\"`: the client alias other services call",
            s.span,
        ));
        return None;
    };
    let Some(port) = port else {
        if !s
            .words
            .iter()
            .any(|e| e.as_ident().is_some_and(|i| i.name == "port"))
        {
            cx.push(crate::check::errors::missing_word(
                "serve",
                "`port N`: the port clients call the alias on",
                s.span,
            ));
        }
        return None;
    };
    let dns_span = dns.span;
    let dns_name = cx.literal(dns)?;
    if let Err(problem) = check_name(&dns_name, MAX_DNS_NAME, true) {
        cx.push(bad_name("client alias", &dns_name, &problem, dns_span));
        return None;
    }
    let discovery_name = match discovery {
        Some(e) => {
            let name = cx.literal(e)?;
            if let Err(problem) = check_name(&name, MAX_DISCOVERY_NAME, false) {
                cx.push(bad_name("discovery name", &name, &problem, e.span));
                return None;
            }
            Some(name)
        }
        None => None,
    };
    Some(ir::ConnectService {
        port_name,
        discovery_name,
        dns_name,
        port,
        ingress_port_override: ingress,
        idle_timeout: idle,
        per_request_timeout: request,
        span: s.span,
    })
}

/// Cloud Map's rule for a discovery name (lowercase letters, digits, `_`,
/// `-`; not starting with `-`) and a DNS name (the same and `.`).
fn check_name(name: &str, max: usize, dots: bool) -> Result<(), String> {
    if name.is_empty() {
        return Err("it is empty".into());
    }
    if name.len() > max {
        return Err(format!("it is {} characters long, over {max}", name.len()));
    }
    if name.starts_with('-') {
        return Err("it starts with `-`".into());
    }
    if let Some(c) = name.chars().find(|&c| {
        !(c.is_ascii_lowercase()
            || c.is_ascii_digit()
            || c == '_'
            || c == '-'
            || (dots && c == '.'))
    }) {
        return Err(format!("`{c}` is not allowed"));
    }
    Ok(())
}

fn bad_name(what: &str, name: &str, problem: &str, span: Span) -> Diagnostic {
    let allowed = if what == "client alias" {
        "1 to 127 lowercase letters, digits, `_`, `-` and `.`"
    } else {
        "1 to 64 lowercase letters, digits, `_` and `-`"
    };
    Diagnostic::error(
        Code::ConnectName,
        format!("Service Connect {what} `{name}` is not one Cloud Map accepts"),
        span,
        problem.to_string(),
    )
    .with_help(format!(
        "a {what} is {allowed}, not starting with `-` (ECS API reference, ServiceConnectService)"
    ))
}

fn no_namespace(span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::ConnectNamespace,
        "Service Connect without a namespace".to_string(),
        span,
        "which Cloud Map namespace?",
    )
    .with_help("name one after `connect`: a bare name (\"internal\") for a namespace the stack creates, or an existing namespace's ARN")
}

/// A namespace as the rules compare them: the name, or the ARN's value.
fn key(cx: &Cx, ns: &ConnectNamespace) -> String {
    match ns {
        ConnectNamespace::Created(n) => n.clone(),
        ConnectNamespace::Existing(t) => cx.scope.resolve(t),
    }
}

/// A served alias, as `resolve` indexes it.
struct Served {
    service: usize,
    port: u16,
    /// The port its tasks listen on: the ingress override, else the
    /// container port (0 when the port name is unknown).
    target: u16,
    span: Span,
}

/// A `uses` found served: (service, use, alias port, server and port).
type Resolved = (usize, usize, u16, Option<(String, u16)>);

/// The rules that need every service lowered; fills each `uses`' server.
pub(super) fn resolve(cx: &mut Cx, program: &mut ir::Program) {
    if program.services.iter().all(|s| s.connect.is_none()) {
        return;
    }
    let tasks: HashMap<&str, &ir::Task> =
        program.tasks.iter().map(|t| (t.name.as_str(), t)).collect();
    // (namespace, alias) -> what serves it; (namespace, discovery name) -> span.
    let mut aliases: HashMap<(String, &str), Vec<Served>> = HashMap::new();
    let mut discovery: HashMap<(String, &str), Span> = HashMap::new();
    // For messages about an alias not served where it is called: the
    // namespace that serves it first, and each namespace's aliases, in
    // program order (deterministic, and built once).
    let mut first_served: HashMap<&str, (String, Span)> = HashMap::new();
    let mut by_namespace: HashMap<String, Vec<&str>> = HashMap::new();
    let mut diags = Vec::new();
    for (i, s) in program.services.iter().enumerate() {
        let Some(c) = &s.connect else { continue };
        let ns = key(cx, &c.namespace);
        let task = tasks.get(s.task.as_str()).copied();
        for sv in &c.services {
            let target = match task {
                Some(task) => match sv.target(task) {
                    Some((_, p)) => {
                        if sv.per_request_timeout.is_some() && p.app_protocol.is_none() {
                            diags.push(tcp_timeout(sv, p));
                        }
                        sv.ingress_port_override.unwrap_or(p.container_port)
                    }
                    None => {
                        diags.push(unknown_port_name(s, task, sv));
                        0
                    }
                },
                None => 0,
            };
            let name = sv.effective_discovery_name();
            if let Some(&first) = discovery.get(&(ns.clone(), name)) {
                diags.push(duplicate(
                    format!("Cloud Map service name `{name}` is used twice in namespace `{ns}`"),
                    sv.span,
                    first,
                    "give one a different `discovery` name: ECS creates one Cloud Map service per name",
                ));
            } else {
                discovery.insert((ns.clone(), name), sv.span);
            }
            first_served
                .entry(sv.dns_name.as_str())
                .or_insert_with(|| (ns.clone(), sv.span));
            let key = (ns.clone(), sv.dns_name.as_str());
            if !aliases.contains_key(&key) {
                by_namespace
                    .entry(ns.clone())
                    .or_default()
                    .push(sv.dns_name.as_str());
            }
            let served = aliases.entry(key).or_default();
            if let Some(first) = served.iter().find(|x| x.port == sv.port) {
                diags.push(duplicate(
                    format!(
                        "client alias `{}:{}` is served twice in namespace `{ns}`",
                        sv.dns_name, sv.port
                    ),
                    sv.span,
                    first.span,
                    "each alias name and port is unique in a namespace: change the name or the port of one",
                ));
            } else {
                served.push(Served {
                    service: i,
                    port: sv.port,
                    target,
                    span: sv.span,
                });
            }
        }
    }
    let mut resolved: Vec<Resolved> = Vec::new();
    for (i, s) in program.services.iter().enumerate() {
        let Some(c) = &s.connect else { continue };
        let ns = key(cx, &c.namespace);
        for (u, used) in c.uses.iter().enumerate() {
            let Some(served) = aliases.get(&(ns.clone(), used.dns_name.as_str())) else {
                // An existing namespace may hold services of other stacks:
                // an alias none of ours serves there may be theirs.
                if matches!(c.namespace, ConnectNamespace::Existing(_)) {
                    continue;
                }
                match first_served.get(used.dns_name.as_str()) {
                    Some((other, at)) => diags.push(
                        Diagnostic::error(
                            Code::ConnectOtherNamespace,
                            format!(
                                "service `{}` calls `{}`, which is served in namespace `{other}`, not `{ns}`",
                                s.name, used.dns_name
                            ),
                            used.span,
                            format!("called in namespace `{ns}`"),
                        )
                        .with_label(*at, format!("served in namespace `{other}`"))
                        .with_help("a task reaches only the aliases of its own namespace: put both services in one namespace"),
                    ),
                    None => {
                        let known: &[&str] = by_namespace.get(&ns).map_or(&[], Vec::as_slice);
                        let help = match closest(&used.dns_name, known.iter().copied()) {
                            Some(near) => format!("did you mean `{near}`?"),
                            None if known.is_empty() => format!(
                                "no service serves an alias in namespace `{ns}`: add `serve PORT_NAME as \"{}\" port N` to the service that answers",
                                used.dns_name
                            ),
                            None => format!("the aliases of namespace `{ns}`: {}", known.join(", ")),
                        };
                        diags.push(
                            Diagnostic::error(
                                Code::ConnectUnknownAlias,
                                format!(
                                    "service `{}` calls `{}`, which no service serves in namespace `{ns}`",
                                    s.name, used.dns_name
                                ),
                                used.span,
                                "no `serve ... as` gives this alias",
                            )
                            .with_help(help),
                        );
                    }
                }
                continue;
            };
            let found = if used.port == 0 {
                match served.as_slice() {
                    [one] => Some(one),
                    _ => {
                        diags.push(port_mismatch(s, used, served, true));
                        None
                    }
                }
            } else {
                let f = served.iter().find(|x| x.port == used.port);
                if f.is_none() {
                    diags.push(port_mismatch(s, used, served, false));
                }
                f
            };
            if let Some(f) = found {
                let server = &program.services[f.service];
                resolved.push((
                    i,
                    u,
                    f.port,
                    (f.target != 0).then(|| (server.name.clone(), f.target)),
                ));
            }
        }
    }
    for (i, u, port, server) in resolved {
        if let Some(c) = program.services[i].connect.as_mut() {
            c.uses[u].port = port;
            c.uses[u].server = server;
        }
    }
    for d in diags {
        cx.push(d);
    }
}

fn tcp_timeout(sv: &ir::ConnectService, p: &ir::PortMapping) -> Diagnostic {
    Diagnostic::error(
        Code::ConnectTimeout,
        format!(
            "a per-request timeout on port `{}`, which Service Connect proxies as TCP",
            sv.port_name
        ),
        sv.span,
        "`request` needs an HTTP, HTTP/2 or gRPC port",
    )
    .with_label(p.span, "this port has no `app_protocol`")
    .with_help("give the port `app_protocol http` (or `http2`, `grpc`), or keep only `idle`: ECS allows only the idle timeout for TCP (TimeoutConfiguration)")
}

fn unknown_port_name(s: &ir::Service, task: &ir::Task, sv: &ir::ConnectService) -> Diagnostic {
    let names: Vec<&str> = task
        .containers
        .iter()
        .flat_map(|c| &c.ports)
        .filter_map(|p| p.name.as_deref())
        .collect();
    let help = match closest(&sv.port_name, names.iter().copied()) {
        Some(near) => format!("did you mean `{near}`?"),
        None if names.is_empty() => format!(
            "name the port in task `{}`: `port 8080 name \"{}\"`",
            task.name, sv.port_name
        ),
        None => format!(
            "the named ports of task `{}`: {}",
            task.name,
            names.join(", ")
        ),
    };
    Diagnostic::error(
        Code::ConnectPortName,
        format!(
            "service `{}` serves port `{}`, which task `{}` does not name",
            s.name, sv.port_name, task.name
        ),
        sv.span,
        "no port mapping has this `name`",
    )
    .with_label(task.span, "the service's task")
    .with_help(help)
}

fn duplicate(message: String, span: Span, first: Span, help: &str) -> Diagnostic {
    Diagnostic::error(Code::ConnectDuplicate, message, span, "given again here")
        .with_label(first, "first here")
        .with_help(help.to_string())
}

fn port_mismatch(
    s: &ir::Service,
    used: &ir::ConnectUse,
    served: &[Served],
    unsaid: bool,
) -> Diagnostic {
    let mut ports: Vec<String> = served.iter().map(|x| x.port.to_string()).collect();
    ports.sort_unstable();
    let (message, label) = if unsaid {
        (
            format!(
                "service `{}` calls `{}` without a port, and it is served on ports {}",
                s.name,
                used.dns_name,
                ports.join(", ")
            ),
            "which port?".to_string(),
        )
    } else {
        (
            format!(
                "service `{}` calls `{}` on port {}, but it is served on port {}",
                s.name,
                used.dns_name,
                used.port,
                ports.join(", ")
            ),
            format!("port {} here", used.port),
        )
    };
    Diagnostic::error(Code::ConnectPortMismatch, message, used.span, label)
        .with_label(served[0].span, "served here")
        .with_help(format!(
            "call the alias on the port it is served on: `uses \"{}\" port {}`",
            used.dns_name, ports[0]
        ))
}

#[cfg(test)]
mod tests {
    use super::check_name;

    #[test]
    fn cloud_map_name_rules() {
        assert!(check_name("orders_v2-a", 64, false).is_ok());
        assert!(check_name("orders.internal", 127, true).is_ok());
        assert!(check_name("orders.internal", 64, false).is_err());
        assert!(check_name("-orders", 64, false).is_err());
        assert!(check_name("Orders", 64, false).is_err());
        assert!(check_name(&"a".repeat(64), 64, false).is_ok());
        assert!(check_name(&"a".repeat(65), 64, false).is_err());
        assert!(check_name("", 127, true).is_err());
    }
}
