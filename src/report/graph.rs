//! The program as a picture: load balancers -> listeners -> (rules) ->
//! target groups -> services -> task definitions -> containers, with
//! dependsOn edges labelled by condition, callers, Service Connect calls, discovery names, and
//! clusters (with their capacity providers) and task definitions drawn as
//! groups. One [`Graph`] is built from the typed IR and rendered as Mermaid
//! or Graphviz DOT. Node ids are positional (`svc0`, `c3`), so any name is
//! safe in either syntax and output is deterministic.

use crate::ir::{self, CapacityProvider, Launch, LbKind};
use std::fmt::Write;

/// A node, an optional group it sits in, and its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub id: String,
    pub label: String,
    pub group: Option<usize>,
    pub shape: Shape,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Box,
    Rounded,
    /// Load balancers, discovery names: the edges of the system.
    Stadium,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub id: String,
    pub label: String,
    pub parent: Option<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub label: Option<String>,
    /// Dotted: a relation that is not a path of requests into the stack
    /// (callers, discovery, capacity).
    pub dotted: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Graph {
    pub groups: Vec<Group>,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

impl Graph {
    fn node(&mut self, id: String, label: String, group: Option<usize>, shape: Shape) -> String {
        self.nodes.push(Node {
            id: id.clone(),
            label,
            group,
            shape,
        });
        id
    }
    fn group(&mut self, id: String, label: String, parent: Option<usize>) -> usize {
        self.groups.push(Group { id, label, parent });
        self.groups.len() - 1
    }
    fn edge(&mut self, from: &str, to: &str, label: Option<String>, dotted: bool) {
        self.edges.push(Edge {
            from: from.to_string(),
            to: to.to_string(),
            label,
            dotted,
        });
    }
}

fn vcpu(units: u32) -> String {
    let s = format!("{:.4}", f64::from(units) / 1024.0);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Builds the graph of a checked program.
pub fn build(program: &ir::Program) -> Graph {
    let mut g = Graph::default();
    let index = ir::Index::new(program);

    // Clusters, each with a group of its capacity providers.
    let mut cluster_group = std::collections::HashMap::new();
    let mut provider_node = std::collections::HashMap::new();
    for (ci, c) in program.clusters.iter().enumerate() {
        let grp = g.group(format!("cluster{ci}"), format!("cluster {}", c.name), None);
        cluster_group.insert(c.name.as_str(), grp);
        if !c.capacity_providers.is_empty() {
            let cap = g.group(
                format!("capacity{ci}"),
                "capacity providers".to_string(),
                Some(grp),
            );
            for (pi, p) in c.capacity_providers.iter().enumerate() {
                let label = match p {
                    CapacityProvider::Ec2(e) => format!("{} (EC2 auto scaling group)", e.name),
                    other => other.name().to_string(),
                };
                let id = g.node(format!("cp{ci}_{pi}"), label, Some(cap), Shape::Rounded);
                provider_node.insert((c.name.as_str(), p.name().to_string()), id);
            }
        }
    }

    // Task definitions as groups of their containers.
    let mut task_node = std::collections::HashMap::new();
    let mut container_node = std::collections::HashMap::new();
    for (ti, t) in program.tasks.iter().enumerate() {
        let grp = g.group(
            format!("taskdef{ti}"),
            format!("task definition {}", t.family),
            None,
        );
        let mut label = format!("task {}", t.name);
        if let (Some(c), Some(m)) = (t.cpu, t.memory) {
            let _ = write!(label, "<br/>{} vCPU, {} MiB", vcpu(c), m);
        }
        let _ = write!(label, "<br/>{}", t.network_mode.as_str());
        let tid = g.node(format!("task{ti}"), label, Some(grp), Shape::Box);
        task_node.insert(t.name.as_str(), tid.clone());
        for (ki, c) in t.containers.iter().enumerate() {
            let role = match c.role {
                ir::ContainerRole::App => "container",
                ir::ContainerRole::Sidecar => "sidecar",
                ir::ContainerRole::Ambassador => "ambassador",
                ir::ContainerRole::Init => "init",
                ir::ContainerRole::LogRouter => "log router",
            };
            let mut label = format!("{role} {}", c.name);
            let ports: Vec<String> = c
                .ports
                .iter()
                .map(|p| format!(":{}", p.written_ports()))
                .collect();
            if !ports.is_empty() {
                let _ = write!(label, " {}", ports.join(" "));
            }
            if !c.essential {
                label.push_str("<br/>not essential");
            }
            let id = g.node(format!("c{ti}_{ki}"), label, Some(grp), Shape::Rounded);
            g.edge(&tid, &id, None, false);
            container_node.insert((t.name.as_str(), c.name.as_str()), id);
        }
        for c in &t.containers {
            for d in &c.depends_on {
                let from = &container_node[&(t.name.as_str(), c.name.as_str())];
                let to = &container_node[&(t.name.as_str(), d.container.as_str())];
                let (from, to) = (from.clone(), to.clone());
                g.edge(
                    &from,
                    &to,
                    Some(format!("dependsOn {}", d.condition.as_str())),
                    false,
                );
            }
        }
    }

    // Services, in their cluster's group.
    let mut service_node = std::collections::HashMap::new();
    for (si, s) in program.services.iter().enumerate() {
        let grp = cluster_group.get(s.cluster.as_str()).copied();
        let mut label = format!("service {}", s.name);
        match (s.desired_count, &s.autoscale) {
            (None, _) => label.push_str("<br/>DAEMON"),
            (Some(n), None) => {
                let _ = write!(label, "<br/>count {n}");
            }
            (Some(n), Some(a)) => {
                let _ = write!(label, "<br/>count {n}, autoscale {}..{}", a.min, a.max);
            }
        }
        if let Launch::Type(c) = &s.launch {
            let _ = write!(label, "<br/>launch {}", c.as_str());
        }
        let id = g.node(format!("svc{si}"), label, grp, Shape::Box);
        service_node.insert(s.name.as_str(), id.clone());
        g.edge(&id, &task_node[s.task.as_str()], None, false);
        let strategy: &[ir::StrategyItem] = match &s.launch {
            Launch::Strategy(items) => items,
            Launch::ClusterDefault => &index.cluster(&s.cluster).default_strategy,
            Launch::Type(_) => &[],
        };
        for item in strategy {
            if let Some(p) = provider_node.get(&(s.cluster.as_str(), item.provider.clone())) {
                let p = p.clone();
                g.edge(
                    &id,
                    &p,
                    Some(format!("weight {} base {}", item.weight, item.base)),
                    true,
                );
            }
        }
    }

    // Load balancers -> listeners -> rules -> target groups -> services.
    for (li, lb) in program.load_balancers.iter().enumerate() {
        let kind = match lb.kind {
            LbKind::Alb => "ALB",
            LbKind::Nlb => "NLB",
        };
        let reach = if lb.public {
            "internet-facing"
        } else {
            "internal"
        };
        let lb_id = g.node(
            format!("lb{li}"),
            format!("{kind} {}<br/>{reach}", lb.name),
            None,
            Shape::Stadium,
        );
        let mut listener_ids = Vec::new();
        for (ni, l) in lb.listeners.iter().enumerate() {
            let id = g.node(
                format!("lb{li}_l{ni}"),
                format!("listener {} {}", l.port, l.protocol.as_str()),
                None,
                Shape::Box,
            );
            g.edge(&lb_id, &id, None, false);
            listener_ids.push((l.port, id));
        }
        for (ni, l) in lb.listeners.iter().enumerate() {
            if let Some(to) = l.redirect_to {
                if let Some((_, target)) = listener_ids.iter().find(|(p, _)| *p == to) {
                    let (from, target) = (listener_ids[ni].1.clone(), target.clone());
                    g.edge(&from, &target, Some(format!("redirect to {to}")), false);
                }
            }
        }
        for (si, s) in program.services.iter().enumerate() {
            for (ei, e) in s.exposures.iter().enumerate() {
                if e.load_balancer != lb.name {
                    continue;
                }
                let tg = g.node(
                    format!("tg{si}_{ei}"),
                    format!(
                        "target group {}<br/>{}:{}",
                        s.name, e.container, e.container_port
                    ),
                    None,
                    Shape::Box,
                );
                let mut rule = Vec::new();
                for h in &e.hosts {
                    rule.push(format!("host {h}"));
                }
                for p in &e.paths {
                    rule.push(format!("path {p}"));
                }
                let rule = if lb.kind == LbKind::Nlb {
                    "forward".to_string()
                } else if rule.is_empty() {
                    format!("priority {}: any", e.priority)
                } else {
                    format!("priority {}: {}", e.priority, rule.join(", "))
                };
                for (ni, l) in lb.listeners.iter().enumerate() {
                    let applies = if e.listeners.is_empty() {
                        l.redirect_to.is_none()
                    } else {
                        e.listeners.contains(&l.port)
                    };
                    if applies {
                        let from = listener_ids[ni].1.clone();
                        g.edge(&from, &tg, Some(rule.clone()), false);
                    }
                }
                g.edge(&tg, &service_node[s.name.as_str()], None, false);
                let task = index.task(&s.task);
                if task.containers.iter().any(|c| c.name == e.container) {
                    let c = container_node[&(s.task.as_str(), e.container.as_str())].clone();
                    g.edge(&tg, &c, Some(format!("port {}", e.container_port)), true);
                }
            }
        }
    }

    // Callers and discovery names.
    for (si, s) in program.services.iter().enumerate() {
        let me = service_node[s.name.as_str()].clone();
        for c in &s.callers {
            let from = service_node[c.service.as_str()].clone();
            let label = if c.ports.is_empty() {
                "calls".to_string()
            } else {
                let ports: Vec<String> = c.ports.iter().map(|p| p.to_string()).collect();
                format!("calls port {}", ports.join(", "))
            };
            g.edge(&from, &me, Some(label), true);
        }
        if let Some(d) = &s.discovery {
            let id = g.node(
                format!("dns{si}"),
                format!("{}.{}", d.name, d.namespace),
                None,
                Shape::Stadium,
            );
            g.edge(&id, &me, Some("discovery".to_string()), true);
        }
        // The queue a worker consumes, and where its failed messages go.
        if let Some(q) = &s.queue {
            let (label, dead_letter) = match &q.kind {
                ir::QueueKind::Created(c) => (
                    format!("SQS queue {}", c.queue_name),
                    c.dead_letter.as_ref().map(|d| {
                        let name = match &d.target {
                            ir::DeadLetterTarget::Created { queue_name, .. } => queue_name.clone(),
                            ir::DeadLetterTarget::Existing(arn) => {
                                format!("{} (existing)", arn.resolve(&program.inputs))
                            }
                        };
                        (name, d.max_receives)
                    }),
                ),
                ir::QueueKind::Existing(_) => (format!("SQS queue {} (existing)", q.name), None),
            };
            let id = g.node(format!("queue{si}"), label, None, Shape::Stadium);
            g.edge(
                &id,
                &me,
                Some(format!("consumed by {}", q.container)),
                false,
            );
            if let Some((name, receives)) = dead_letter {
                let dlq = g.node(
                    format!("dlq{si}"),
                    format!("dead-letter queue {name}"),
                    None,
                    Shape::Stadium,
                );
                g.edge(&id, &dlq, Some(format!("after {receives} receives")), true);
            }
        }
        // Service Connect calls, resolved by the checker to their server.
        for u in s.connect.iter().flat_map(|c| &c.uses) {
            if let Some(to) = u
                .server
                .as_ref()
                .and_then(|(n, _)| service_node.get(n.as_str()))
            {
                let to = to.clone();
                g.edge(
                    &me,
                    &to,
                    Some(format!("connect {}:{}", u.dns_name, u.port)),
                    true,
                );
            }
        }
    }
    g
}

/// Each group's nodes and child groups, by index, built in one pass so
/// rendering stays linear in the size of the graph.
struct Members {
    nodes: Vec<Vec<usize>>,
    groups: Vec<Vec<usize>>,
}

impl Members {
    fn of(g: &Graph) -> Members {
        let mut m = Members {
            nodes: vec![Vec::new(); g.groups.len()],
            groups: vec![Vec::new(); g.groups.len()],
        };
        for (i, n) in g.nodes.iter().enumerate() {
            if let Some(gi) = n.group {
                m.nodes[gi].push(i);
            }
        }
        for (i, grp) in g.groups.iter().enumerate() {
            if let Some(p) = grp.parent {
                m.groups[p].push(i);
            }
        }
        m
    }
}

/// Mermaid label text: quotes and the characters Mermaid reads as markup
/// become entity codes; `<br/>` (the line break) is kept.
fn mermaid_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for part in s.split("<br/>").enumerate() {
        if part.0 > 0 {
            out.push_str("<br/>");
        }
        for ch in part.1.chars() {
            match ch {
                '"' => out.push_str("#quot;"),
                '<' => out.push_str("#lt;"),
                '>' => out.push_str("#gt;"),
                '#' => out.push_str("#35;"),
                _ => out.push(ch),
            }
        }
    }
    out
}

/// The graph as a Mermaid flowchart.
pub fn mermaid(g: &Graph) -> String {
    let members = Members::of(g);
    let mut out = String::from("flowchart LR\n");
    let node_line = |n: &Node, indent: &str| {
        let t = mermaid_text(&n.label);
        match n.shape {
            Shape::Box => format!("{indent}{}[\"{t}\"]\n", n.id),
            Shape::Rounded => format!("{indent}{}(\"{t}\")\n", n.id),
            Shape::Stadium => format!("{indent}{}([\"{t}\"])\n", n.id),
        }
    };
    fn group(
        g: &Graph,
        members: &Members,
        gi: usize,
        depth: usize,
        out: &mut String,
        node_line: &dyn Fn(&Node, &str) -> String,
    ) {
        let indent = "  ".repeat(depth);
        let grp = &g.groups[gi];
        let _ = writeln!(
            out,
            "{indent}subgraph {}[\"{}\"]",
            grp.id,
            mermaid_text(&grp.label)
        );
        let inner = "  ".repeat(depth + 1);
        for n in members.nodes[gi].iter().map(|&i| &g.nodes[i]) {
            out.push_str(&node_line(n, &inner));
        }
        for (ci, _) in g
            .groups
            .iter()
            .enumerate()
            .filter(|(_, c)| c.parent == Some(gi))
        {
            group(g, members, ci, depth + 1, out, node_line);
        }
        let _ = writeln!(out, "{indent}end");
    }
    for (gi, _) in g
        .groups
        .iter()
        .enumerate()
        .filter(|(_, c)| c.parent.is_none())
    {
        group(g, &members, gi, 1, &mut out, &node_line);
    }
    for n in g.nodes.iter().filter(|n| n.group.is_none()) {
        out.push_str(&node_line(n, "  "));
    }
    for e in &g.edges {
        let arrow = if e.dotted { "-.->" } else { "-->" };
        match &e.label {
            Some(l) => {
                let _ = writeln!(
                    out,
                    "  {} {arrow}|\"{}\"| {}",
                    e.from,
                    mermaid_text(l),
                    e.to
                );
            }
            None => {
                let _ = writeln!(out, "  {} {arrow} {}", e.from, e.to);
            }
        }
    }
    out
}

/// DOT string text: `"` and `\` escaped, `<br/>` as a line break.
fn dot_text(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace("<br/>", "\\n")
}

/// The graph in Graphviz DOT.
pub fn dot(g: &Graph) -> String {
    let members = Members::of(g);
    let mut out = String::from(
        "digraph wharf {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n",
    );
    let node_line = |n: &Node, indent: &str| {
        let shape = match n.shape {
            Shape::Box => "shape=box",
            Shape::Rounded => "shape=box, style=rounded",
            Shape::Stadium => "shape=ellipse",
        };
        format!(
            "{indent}{} [label=\"{}\", {shape}];\n",
            n.id,
            dot_text(&n.label)
        )
    };
    fn group(
        g: &Graph,
        members: &Members,
        gi: usize,
        depth: usize,
        out: &mut String,
        node_line: &dyn Fn(&Node, &str) -> String,
    ) {
        let indent = "  ".repeat(depth);
        let grp = &g.groups[gi];
        let _ = writeln!(out, "{indent}subgraph cluster_{} {{", grp.id);
        let inner = "  ".repeat(depth + 1);
        let _ = writeln!(out, "{inner}label=\"{}\";", dot_text(&grp.label));
        for n in members.nodes[gi].iter().map(|&i| &g.nodes[i]) {
            out.push_str(&node_line(n, &inner));
        }
        for (ci, _) in g
            .groups
            .iter()
            .enumerate()
            .filter(|(_, c)| c.parent == Some(gi))
        {
            group(g, members, ci, depth + 1, out, node_line);
        }
        let _ = writeln!(out, "{indent}}}");
    }
    for (gi, _) in g
        .groups
        .iter()
        .enumerate()
        .filter(|(_, c)| c.parent.is_none())
    {
        group(g, &members, gi, 1, &mut out, &node_line);
    }
    for n in g.nodes.iter().filter(|n| n.group.is_none()) {
        out.push_str(&node_line(n, "  "));
    }
    for e in &g.edges {
        let mut attrs = Vec::new();
        if let Some(l) = &e.label {
            attrs.push(format!("label=\"{}\"", dot_text(l)));
        }
        if e.dotted {
            attrs.push("style=dashed".to_string());
        }
        if attrs.is_empty() {
            let _ = writeln!(out, "  {} -> {};", e.from, e.to);
        } else {
            let _ = writeln!(out, "  {} -> {} [{}];", e.from, e.to, attrs.join(", "));
        }
    }
    out.push_str("}\n");
    out
}
