//! What the editor offers and explains, from the checker's vocabulary
//! (`check::vocabulary`, one table per block): the statements each block
//! reads, the words some properties choose from, the ECS or CloudFormation
//! field a property becomes and its reference row; plus the example lines
//! of docs/language.md (embedded, so hover shows what the documentation
//! shows).

use crate::check::vocabulary::{self as v, Id};
use std::collections::HashMap;
use std::sync::LazyLock;

/// The kind of block a statement stands in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Block {
    Top,
    Network,
    Cluster,
    Capacity,
    LoadBalancer,
    Task,
    /// `volume NAME docker { ... }` in a task.
    DockerVolume,
    Container,
    Local,
    /// `linux { ... }` in a container.
    Linux,
    Service,
    Expose,
    Queue,
    Connect,
    Input,
    Template,
    Environment,
    Job,
    Override,
    Schedule,
    /// A block whose statements are free (a `logs` or `firelens` option map).
    Options,
}

impl Block {
    /// The checker's vocabulary of this block.
    fn vocabulary(self) -> Option<&'static v::Block> {
        let id = match self {
            Block::Top => Id::Top,
            Block::Network => Id::Network,
            Block::Cluster => Id::Cluster,
            Block::Capacity => Id::Capacity,
            Block::LoadBalancer => Id::LoadBalancer,
            Block::Task => Id::Task,
            Block::DockerVolume => Id::DockerVolume,
            Block::Container => Id::Container,
            Block::Local => Id::Local,
            Block::Linux => Id::Linux,
            Block::Service => Id::Service,
            Block::Expose => Id::Expose,
            Block::Queue => Id::Queue,
            Block::Connect => Id::Connect,
            Block::Input => Id::Input,
            Block::Template => Id::Template,
            Block::Environment => Id::Environment,
            Block::Job => Id::Job,
            Block::Override => Id::Override,
            Block::Schedule => Id::Schedule,
            Block::Options => return None,
        };
        Some(id.block())
    }

    fn of(id: Id) -> Block {
        match id {
            Id::Top => Block::Top,
            Id::Input => Block::Input,
            Id::Network => Block::Network,
            Id::Cluster => Block::Cluster,
            Id::Capacity => Block::Capacity,
            Id::LoadBalancer => Block::LoadBalancer,
            Id::Task => Block::Task,
            Id::Container => Block::Container,
            Id::Local => Block::Local,
            Id::Linux => Block::Linux,
            Id::DockerVolume => Block::DockerVolume,
            Id::Service => Block::Service,
            Id::Expose => Block::Expose,
            Id::Queue => Block::Queue,
            Id::Connect => Block::Connect,
            Id::Template => Block::Template,
            Id::Environment => Block::Environment,
            Id::Job => Block::Job,
            Id::Override => Block::Override,
            Id::Schedule => Block::Schedule,
        }
    }

    /// The block a statement with this head opens, inside `self`.
    pub fn child(self, head: &str) -> Block {
        // A template's body is the body of a program or of a task.
        let found = match self {
            Block::Template => Id::Top
                .block()
                .child(head)
                .filter(|id| *id != Id::Input && *id != Id::Template && *id != Id::Environment)
                .or_else(|| Id::Task.block().child(head)),
            b => b.vocabulary().and_then(|voc| voc.child(head)),
        };
        found.map_or(Block::Options, Block::of)
    }

    /// The statements valid in this block, in the checker's order.
    pub fn heads(self) -> &'static [&'static str] {
        static HEADS: LazyLock<HashMap<Block, Vec<&'static str>>> = LazyLock::new(|| {
            v::BLOCKS
                .iter()
                .map(|b| (Block::of(b.id), b.names()))
                .collect()
        });
        match self {
            Block::Template => template_heads(),
            Block::Options => &[],
            b => HEADS.get(&b).map_or(&[], Vec::as_slice),
        }
    }

    /// The section of docs/language.md that documents this block's statements.
    fn doc_key(self) -> &'static str {
        match self {
            Block::Top | Block::Template | Block::Environment | Block::Options => "",
            Block::DockerVolume => "",
            Block::Network => "network",
            Block::Cluster => "cluster",
            Block::Capacity => "capacity",
            Block::LoadBalancer => "alb",
            Block::Task => "task",
            Block::Container => "container",
            Block::Local => "local",
            Block::Linux => "linux",
            Block::Service => "service",
            Block::Expose => "expose",
            Block::Queue => "queue",
            Block::Connect => "connect",
            Block::Input => "input",
            Block::Job => "job",
            Block::Override => "override",
            Block::Schedule => "schedule",
        }
    }

    /// The property `head` of this block, as the checker describes it.
    fn property(self, head: &str) -> Option<&'static v::Property> {
        self.vocabulary().and_then(|b| b.get(head))
    }
}

/// A template's body is any statement of the place it is used in: its
/// parameters, then what a program, a task, a container or a service takes.
fn template_heads() -> &'static [&'static str] {
    static HEADS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
        let mut v = vec!["param"];
        for h in [Block::Top, Block::Task, Block::Container, Block::Service]
            .iter()
            .flat_map(|b| b.heads())
        {
            if !v.contains(h) {
                v.push(h);
            }
        }
        v
    });
    &HEADS
}

/// `use` may stand anywhere a statement may.
pub const ANYWHERE: &[&str] = &["use"];

/// The words a property chooses from (its first positional word).
pub fn choices(block: Block, head: &str) -> &'static [&'static str] {
    block.property(head).map_or(&[], |p| p.choices)
}

pub use crate::check::vocabulary::{INPUT_TYPES, PARAM_TYPES};

/// Where a property ends up in what `wharf build` writes.
pub fn field(block: Block, head: &str) -> Option<&'static str> {
    block.property(head).and_then(|p| p.fills)
}

const LANGUAGE: &str = include_str!("../../docs/language.md");

/// The reference lines of docs/language.md for a statement: the lines of
/// its code examples, inside the block it belongs to, that start with it.
pub fn doc_lines(block: Block, head: &str) -> Vec<&'static str> {
    let key = block.doc_key();
    let mut out = Vec::new();
    let mut in_code = false;
    // The heads of the blocks open at this line of the example.
    let mut open: Vec<&str> = Vec::new();
    for line in LANGUAGE.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
            open.clear();
            continue;
        }
        if !in_code {
            continue;
        }
        let code = strip_comment(line).trim();
        let first = code.split_whitespace().next().unwrap_or("");
        let parent = open.last().copied().unwrap_or("");
        let parent = match parent {
            p if v::pattern(p).is_some() => "container",
            "nlb" => "alb",
            p => p,
        };
        if first == head && parent == key && !out.contains(&line.trim()) {
            out.push(line.trim());
        }
        let opens = code.matches('{').count();
        let closes = code.matches('}').count();
        if opens > closes {
            open.push(first);
        } else {
            for _ in 0..closes.saturating_sub(opens) {
                open.pop();
            }
        }
    }
    out
}

/// A statement's row of the reference table of its block in
/// docs/language.md: (what it takes, its default), from the vocabulary the
/// table is written from.
pub fn reference_row(block: Block, head: &str) -> Option<(String, String)> {
    let p = block.property(head)?;
    Some((p.takes.to_string(), p.default.to_string()))
}

/// A line without its `//` comment (a `//` inside a string is no comment).
fn strip_comment(line: &str) -> &str {
    let mut in_str = false;
    let b = line.as_bytes();
    for i in 0..b.len() {
        match b[i] {
            b'"' if i == 0 || b[i - 1] != b'\\' => in_str = !in_str,
            b'/' if !in_str && b.get(i + 1) == Some(&b'/') => return &line[..i],
            _ => {}
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_are_found_by_block() {
        let cpu = doc_lines(Block::Task, "cpu");
        assert_eq!(
            cpu,
            vec!["cpu 0.25vcpu                       // task-level cpu and memory"]
        );
        let vpc = doc_lines(Block::Network, "vpc");
        assert_eq!(
            vpc,
            vec!["vpc VPC_ID                         // literal \"vpc-...\" or a vpc_id input"]
        );
        assert!(doc_lines(Block::Expose, "path")[0].starts_with("path \"/api/*\""));
        assert!(!doc_lines(Block::Container, "memory_reservation").is_empty());
    }

    #[test]
    fn child_blocks_follow_the_vocabulary() {
        assert_eq!(Block::Top.child("alb"), Block::LoadBalancer);
        assert_eq!(Block::Environment.child("task"), Block::Task);
        assert_eq!(Block::Environment.child("input"), Block::Options);
        assert_eq!(Block::Task.child("log_router"), Block::Container);
        assert_eq!(Block::Task.child("volume"), Block::DockerVolume);
        assert_eq!(Block::Container.child("linux"), Block::Linux);
        assert_eq!(Block::Container.child("logs"), Block::Options);
        assert_eq!(Block::Service.child("expose"), Block::Expose);
        // A template's body is a program's or a task's.
        assert_eq!(Block::Template.child("service"), Block::Service);
        assert_eq!(Block::Template.child("sidecar"), Block::Container);
        assert_eq!(Block::Template.child("input"), Block::Options);
        assert!(Block::Linux.heads().contains(&"swappiness"));
    }

    #[test]
    fn choices_are_what_the_checker_accepts() {
        // The checker reads these from the same table: the editor offers
        // every word it accepts (docker volumes, journald, Windows).
        assert_eq!(
            choices(Block::Task, "volume"),
            ["efs", "fsx", "bind", "docker"]
        );
        assert!(choices(Block::Container, "logs").contains(&"journald"));
        assert!(choices(Block::Task, "os").contains(&"windows_server_2022_core"));
        assert_eq!(choices(Block::Linux, "init"), [] as [&str; 0]);
    }

    #[test]
    fn reference_rows_are_found_by_block() {
        assert_eq!(
            reference_row(Block::Network, "nat"),
            Some((
                "`none`, `single` or `per_az`".to_string(),
                "`single`".to_string()
            ))
        );
        let (takes, _) = reference_row(Block::LoadBalancer, "listener").unwrap();
        assert!(
            takes.starts_with("`PORT [http|https|tcp|tls|udp]"),
            "{takes}"
        );
        // `cpu` of a task and of a container are different rows.
        assert_ne!(
            reference_row(Block::Task, "cpu"),
            reference_row(Block::Container, "cpu")
        );
        assert_eq!(reference_row(Block::Options, "Name"), None);
    }
}
