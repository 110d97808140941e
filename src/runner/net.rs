//! Local networking of a run: load balancer listeners, target groups, service
//! discovery addresses and task addresses. Stage: runner. Input: the
//! manifest. Output: bound listeners and register/deregister of tasks.
//! Invariants: every listener binds 127.0.0.1; a discovery name gets its own
//! loopback address (`discovery_subnet` + n) so `name:port` works unchanged;
//! each task gets its own loopback address (its "ENI") while it lives.

use super::lb::{self, Route};
use super::state::{ListenerView, TargetView};
use super::targets::{Probe, TargetGroup};
use super::task::Task;
use super::{errors, RunnerError};
use crate::manifest::{LbKind, Manifest};
use std::collections::BTreeSet;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;

/// A discovery name served on its own loopback address.
pub struct DiscoveryEntry {
    pub service: String,
    pub name: String,
    pub addr: SocketAddr,
    group: Arc<TargetGroup>,
}

pub struct Network {
    groups: Vec<Arc<TargetGroup>>,
    discovery: Vec<DiscoveryEntry>,
    pub listeners: Vec<ListenerView>,
    pool: Mutex<AddressPool>,
}

/// Environment variable naming a discovery entry: `orders.internal` ->
/// `WHARF_SERVICE_ORDERS_INTERNAL`.
pub fn discovery_var(name: &str) -> String {
    let upper: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("WHARF_SERVICE_{upper}")
}

fn nth(subnet: Ipv4Addr, n: u32) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(subnet) + n)
}

async fn bind(addr: SocketAddr, what: &str) -> Result<TcpListener, RunnerError> {
    TcpListener::bind(addr)
        .await
        .map_err(|e| errors::port_in_use(addr, what, &e))
}

impl Network {
    pub async fn start(
        m: &Manifest,
        task_subnet: Ipv4Addr,
        discovery_subnet: Ipv4Addr,
        changed: Arc<dyn Fn() + Send + Sync>,
    ) -> Result<Network, RunnerError> {
        let mut groups = Vec::new();
        let mut listeners = Vec::new();
        for lbdef in &m.load_balancers {
            // Redirect listeners last: they need the local address of their target.
            let ordered = lbdef
                .listeners
                .iter()
                .filter(|l| l.redirect_to.is_none())
                .chain(lbdef.listeners.iter().filter(|l| l.redirect_to.is_some()));
            for l in ordered {
                if let Some(to) = l.redirect_to {
                    let target = listeners
                        .iter()
                        .find(|v: &&ListenerView| v.load_balancer == lbdef.name && v.port == to)
                        .and_then(|v| v.local_address.parse::<SocketAddr>().ok());
                    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, l.effective_local_port()));
                    let listener = bind(
                        addr,
                        &format!("listener {} of load balancer `{}`", l.port, lbdef.name),
                    )
                    .await?;
                    let local = listener
                        .local_addr()
                        .map_err(|e| errors::port_in_use(addr, "a listener", &e))?;
                    listeners.push(ListenerView {
                        load_balancer: lbdef.name.clone(),
                        port: l.port,
                        local_address: local.to_string(),
                        redirect_to: Some(to),
                    });
                    tokio::spawn(lb::serve_redirect(listener, to, target.map(|t| t.port())));
                    continue;
                }
                let mut routes = Vec::new();
                let mut tcp_group = None;
                for s in &m.services {
                    for e in s
                        .load_balancers
                        .iter()
                        .filter(|e| e.load_balancer == lbdef.name && e.listener_port == l.port)
                    {
                        let probe = match (lbdef.kind, &e.health_check.path) {
                            (LbKind::Alb, Some(_)) => Probe::Http(e.health_check.clone()),
                            _ => Probe::Tcp(e.health_check.clone()),
                        };
                        let group = TargetGroup::new(
                            format!("{}:{}", lbdef.name, l.port),
                            s.name.clone(),
                            e.container_port,
                            probe,
                            Duration::from_millis(e.deregistration_delay_ms),
                            changed.clone(),
                        );
                        groups.push(group.clone());
                        if e.rules.is_empty() {
                            routes.push(Route {
                                priority: u32::MAX,
                                path_patterns: vec![],
                                host_headers: vec![],
                                group: group.clone(),
                            });
                        }
                        for r in &e.rules {
                            routes.push(Route {
                                priority: r.priority,
                                path_patterns: r.path_patterns.clone(),
                                host_headers: r.host_headers.clone(),
                                group: group.clone(),
                            });
                        }
                        tcp_group.get_or_insert(group);
                    }
                }
                let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, l.effective_local_port()));
                let listener = bind(
                    addr,
                    &format!("listener {} of load balancer `{}`", l.port, lbdef.name),
                )
                .await?;
                let local = listener
                    .local_addr()
                    .map_err(|e| errors::port_in_use(addr, "a listener", &e))?;
                listeners.push(ListenerView {
                    load_balancer: lbdef.name.clone(),
                    port: l.port,
                    local_address: local.to_string(),
                    redirect_to: None,
                });
                match lbdef.kind {
                    LbKind::Alb => {
                        lb::sort_routes(&mut routes);
                        lb::spawn_http(listener, Arc::new(routes));
                    }
                    LbKind::Nlb => {
                        if let Some(group) = tcp_group {
                            tokio::spawn(lb::serve_tcp(listener, group));
                        }
                    }
                }
            }
        }
        // Discovery names and Service Connect aliases alike: each name gets
        // its own loopback address (an alias served on two ports shares
        // one), a TCP listener on the port clients call, and a target group
        // of the service's tasks on the container port.
        let mut discovery = Vec::new();
        let mut addresses: Vec<String> = Vec::new();
        for s in &m.services {
            let named = s
                .discovery
                .iter()
                .map(|d| {
                    (
                        d.name.as_str(),
                        d.port,
                        d.port,
                        format!("discovery:{}", d.name),
                    )
                })
                .chain(s.connect.iter().map(|a| {
                    (
                        a.name.as_str(),
                        a.local_port(),
                        a.container_port,
                        format!("connect:{}:{}", a.name, a.port),
                    )
                }));
            for (name, port, container_port, group_name) in named {
                let n = match addresses.iter().position(|a| a == name) {
                    Some(n) => n,
                    None => {
                        addresses.push(name.to_string());
                        addresses.len() - 1
                    }
                };
                let addr = SocketAddr::from((nth(discovery_subnet, n as u32 + 1), port));
                let what = match group_name.starts_with("connect:") {
                    true => "Service Connect alias",
                    false => "service discovery name",
                };
                let listener = bind(addr, &format!("{what} `{name}`")).await?;
                let group = TargetGroup::new(
                    group_name,
                    s.name.clone(),
                    container_port,
                    Probe::Tcp(crate::manifest::TargetHealthCheck {
                        path: None,
                        interval_ms: 500,
                        timeout_ms: 1000,
                        healthy_threshold: 2,
                        unhealthy_threshold: 2,
                        matcher: "200".into(),
                    }),
                    Duration::from_secs(5),
                    changed.clone(),
                );
                tokio::spawn(lb::serve_tcp(listener, group.clone()));
                discovery.push(DiscoveryEntry {
                    service: s.name.clone(),
                    name: name.to_string(),
                    addr,
                    group,
                });
            }
        }
        Ok(Network {
            groups,
            discovery,
            listeners,
            pool: Mutex::new(AddressPool::new(task_subnet)),
        })
    }

    pub fn discovery(&self) -> &[DiscoveryEntry] {
        &self.discovery
    }

    /// `WHARF_SERVICE_*` variables every container receives (a name on
    /// two ports: its first).
    pub fn discovery_env(&self) -> Vec<(String, String)> {
        let mut seen = BTreeSet::new();
        self.discovery
            .iter()
            .filter(|d| seen.insert(d.name.as_str()))
            .map(|d| (discovery_var(&d.name), d.addr.to_string()))
            .collect()
    }

    /// Hosts-file lines (`127.0.1.1 orders.internal`), one per name.
    pub fn hosts(&self) -> Vec<(String, Ipv4Addr)> {
        let mut seen = BTreeSet::new();
        self.discovery
            .iter()
            .filter(|d| seen.insert(d.name.as_str()))
            .filter_map(|d| match d.addr.ip() {
                std::net::IpAddr::V4(ip) => Some((d.name.clone(), ip)),
                std::net::IpAddr::V6(_) => None,
            })
            .collect()
    }

    /// Puts a RUNNING task behind its load balancers and discovery name.
    pub fn register(&self, task: &Task) {
        for g in self
            .groups
            .iter()
            .chain(self.discovery.iter().map(|d| &d.group))
        {
            if g.service == task.spec.service {
                g.register(
                    &task.spec.id,
                    SocketAddr::from((task.spec.address, g.container_port)),
                );
            }
        }
    }

    /// Drains the task from every group at once (DEACTIVATING); `cap` bounds
    /// the wait when the whole run is stopping.
    pub async fn deregister(&self, task: &Task, cap: Option<Duration>) {
        let handles: Vec<_> = self
            .groups
            .iter()
            .chain(self.discovery.iter().map(|d| &d.group))
            .filter(|g| g.service == task.spec.service)
            .map(|g| {
                let (g, id) = (g.clone(), task.spec.id.clone());
                tokio::spawn(async move { g.deregister(&id, cap).await })
            })
            .collect();
        for h in handles {
            let _ = h.await;
        }
    }

    /// Load balancer and discovery targets of a task, for views; a task
    /// counts as healthy only once every one of them is.
    pub fn targets_of(&self, task_id: &str) -> Vec<TargetView> {
        self.groups
            .iter()
            .chain(self.discovery.iter().map(|d| &d.group))
            .flat_map(|g| {
                g.targets()
                    .into_iter()
                    .filter(|t| t.task_id == task_id)
                    .map(|t| TargetView {
                        load_balancer: g.name.clone(),
                        address: t.addr.to_string(),
                        health: t.health(),
                    })
            })
            .collect()
    }

    pub fn allocate(&self, ports: &[u16]) -> Result<Ipv4Addr, String> {
        self.pool
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .allocate(ports)
    }

    pub fn release(&self, addr: Ipv4Addr) {
        self.pool
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .used
            .remove(&addr);
    }
}

/// Loopback addresses `subnet + 2 ..= subnet + 254` for tasks.
pub struct AddressPool {
    subnet: Ipv4Addr,
    used: BTreeSet<Ipv4Addr>,
}

impl AddressPool {
    pub fn new(subnet: Ipv4Addr) -> AddressPool {
        AddressPool {
            subnet,
            used: BTreeSet::new(),
        }
    }

    /// The lowest free address whose `ports` can all be bound right now;
    /// otherwise why not, naming the ports that are taken everywhere.
    pub fn allocate(&mut self, ports: &[u16]) -> Result<Ipv4Addr, String> {
        let mut ports = ports.to_vec();
        ports.sort_unstable();
        ports.dedup();
        let free = |ip: Ipv4Addr, p: u16| std::net::TcpListener::bind((ip, p)).is_ok();
        // The ports taken on every address tried so far (`None`: none
        // tried). They are tried first, and an address where one of them is
        // taken is given up at once, so a wide port range costs one full
        // scan, not one per address.
        let mut busy: Option<BTreeSet<u16>> = None;
        for n in 2..=254 {
            let ip = nth(self.subnet, n);
            if self.used.contains(&ip) {
                continue;
            }
            let taken: BTreeSet<u16> = match &busy {
                None => ports.iter().copied().filter(|p| !free(ip, *p)).collect(),
                Some(b) => {
                    let still: BTreeSet<u16> =
                        b.iter().copied().filter(|p| !free(ip, *p)).collect();
                    if !still.is_empty() || ports.iter().all(|p| free(ip, *p)) {
                        still
                    } else {
                        // Another port is taken here: none is taken everywhere.
                        busy = Some(BTreeSet::new());
                        continue;
                    }
                }
            };
            if taken.is_empty() {
                self.used.insert(ip);
                return Ok(ip);
            }
            busy = Some(match busy {
                None => taken,
                Some(b) => b.intersection(&taken).copied().collect(),
            });
        }
        Err(match busy {
            Some(b) if !b.is_empty() => {
                let list: Vec<String> = b.iter().map(u16::to_string).collect();
                format!(
                    "port {} is taken on every free loopback address (something listens on 0.0.0.0:{}? see `ss -ltnp`); the task cannot start until it is free",
                    list.join(", "),
                    list[0]
                )
            }
            Some(_) => "no loopback address has all of the task's ports free".to_string(),
            None => format!(
                "every task address {}.2-254 is in use",
                self.subnet
                    .to_string()
                    .rsplit_once('.')
                    .map_or("", |(a, _)| a)
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovery_variable_names() {
        assert_eq!(
            discovery_var("orders.internal"),
            "WHARF_SERVICE_ORDERS_INTERNAL"
        );
        assert_eq!(
            discovery_var("service-b.local"),
            "WHARF_SERVICE_SERVICE_B_LOCAL"
        );
    }

    #[test]
    fn pool_hands_out_distinct_addresses() {
        let mut pool = AddressPool::new(Ipv4Addr::new(127, 99, 3, 0));
        let a = pool.allocate(&[]).unwrap();
        let b = pool.allocate(&[]).unwrap();
        assert_eq!(a, Ipv4Addr::new(127, 99, 3, 2));
        assert_eq!(b, Ipv4Addr::new(127, 99, 3, 3));
    }

    #[test]
    fn pool_skips_an_address_whose_port_is_taken_and_names_a_port_taken_everywhere() {
        // Taken on the first address only: the next one is handed out.
        let first = Ipv4Addr::new(127, 99, 5, 2);
        let held = std::net::TcpListener::bind((first, 0)).unwrap();
        let port = held.local_addr().unwrap().port();
        let mut pool = AddressPool::new(Ipv4Addr::new(127, 99, 5, 0));
        assert_eq!(
            pool.allocate(&[port, port]),
            Ok(Ipv4Addr::new(127, 99, 5, 3))
        );
        // Taken on every address (a wildcard listener): named in the error.
        let everywhere = std::net::TcpListener::bind((Ipv4Addr::UNSPECIFIED, 0)).unwrap();
        let port = everywhere.local_addr().unwrap().port();
        let mut pool = AddressPool::new(Ipv4Addr::new(127, 99, 6, 0));
        let err = pool.allocate(&[port]).unwrap_err();
        assert!(
            err.starts_with(&format!(
                "port {port} is taken on every free loopback address"
            )),
            "{err}"
        );
    }
}
