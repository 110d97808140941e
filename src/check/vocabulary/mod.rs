//! The vocabulary of the language, written once: for every block, the
//! statements (properties) it takes, each with what it takes, its default,
//! what it becomes in ECS or CloudFormation, an example, the ECS member it
//! fills and the words it chooses from. One table per block drives
//!
//! - the checker's dispatch: each block's properties are an enum
//!   (`Container::Image`, ...), which the lowering `match`es exhaustively,
//!   so a property added here is one the compiler asks the checker to read;
//! - "unknown property" (E0208): "did you mean" over the names and the ECS
//!   members they fill, else a short list of what the block takes;
//! - the words a property chooses from (the checker's E0304 and the
//!   editor's completion);
//! - environment overrides: which statements are named by their first word;
//! - the container patterns (`container`, `sidecar`, `ambassador`, `init`,
//!   `log_router`): the `Pattern` table, with the role each gives;
//! - the language server's completion and hover;
//! - the reference tables of docs/language.md (`reference_table`, which
//!   `tests/docs_reference.rs` compares with the page);
//! - the importer, which writes the property that fills an ECS member.
//!
//! Adding an ordinary container property: a row in `blocks.rs` (then
//! `WHARF_BLESS_DOCS=1 cargo test --test docs_reference` writes its
//! reference row), an arm in `check::container` or `check::settings` (the
//! compiler points to it), the IR field it sets, and what the backends and
//! the importer write of it.

use crate::ir::ContainerRole;
use std::collections::HashSet;
use std::sync::LazyLock;

/// One statement a block takes.
#[derive(Debug, Clone, Copy)]
pub struct Property {
    /// The statement's head (`memory_reservation`).
    pub name: &'static str,
    /// What it takes, as the reference says it.
    pub takes: &'static str,
    /// Its default, as the reference says it.
    pub default: &'static str,
    /// What it becomes in what `wharf build` writes.
    pub becomes: &'static str,
    /// A statement that uses it (Wharf source).
    pub example: &'static str,
    /// The field it fills, in a few words (the language server's hover and
    /// completion detail); `None` where `becomes` says all.
    pub fills: Option<&'static str>,
    /// The ECS member it fills when that differs from its name
    /// (`memoryReservation`): "did you mean" knows a misspelt member, and
    /// the importer writes the property of each member it reads.
    pub ecs: &'static str,
    /// The words it chooses from, which the editor offers after it. Where
    /// the checker reads one of a fixed set (`nat`, `logs`, `launch`, ...)
    /// this is that set: anything else is E0304, listing these; for a few
    /// properties (`deploy`, `placement`) it is the keywords they take.
    pub choices: &'static [&'static str],
    /// Statements with this head are told apart by their first word (`env A`,
    /// `env B`): an environment's override replaces only the one it names.
    pub named: bool,
    /// The block its `{ ... }` opens, when that block has a vocabulary.
    pub opens: Option<Id>,
    /// A top-level declaration: the kind of thing it declares.
    pub declares: Option<Kind>,
}

impl Property {
    /// The ECS member it fills: `ecs`, or its own name when they agree.
    pub fn member(&self) -> &'static str {
        if self.ecs.is_empty() {
            self.name
        } else {
            self.ecs
        }
    }

    const NONE: Property = Property {
        name: "",
        takes: "",
        default: "",
        becomes: "",
        example: "",
        fills: None,
        ecs: "",
        choices: &[],
        named: false,
        opens: None,
        declares: None,
    };
}

const BOOL: &[&str] = &["on", "off"];

/// Declares a block's properties: an enum with one variant per property
/// (what the checker matches on) and the table of their descriptions, in
/// the order the help and the reference list them.
macro_rules! properties {
    ($enum:ident => $table:ident {
        $($variant:ident : $name:literal { $($field:ident : $value:expr),* $(,)? }),* $(,)?
    }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $enum {
            $($variant),*
        }

        pub const $table: &[Property] = &[
            $(Property { name: $name, $($field: $value,)* ..Property::NONE }),*
        ];

        impl $enum {
            /// The property with this head, if the block takes it.
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $($name => Some(Self::$variant),)*
                    _ => None,
                }
            }

            pub fn property(self) -> &'static Property {
                &$table[self as usize]
            }

            pub fn name(self) -> &'static str {
                self.property().name
            }
        }
    };
}

mod blocks;
pub use blocks::*;

/// The blocks that have a vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Id {
    Top,
    Input,
    Network,
    Cluster,
    Capacity,
    LoadBalancer,
    Task,
    Container,
    Local,
    Linux,
    DockerVolume,
    Service,
    Expose,
    Queue,
    Connect,
    Job,
    Override,
    Schedule,
    Template,
    Environment,
}

/// A block: where it stands (for messages), where it is documented, and
/// its properties (some blocks are read by two modules: a part each).
#[derive(Debug)]
pub struct Block {
    pub id: Id,
    /// Where a statement of it is, in a message: "in a container".
    pub place: &'static str,
    /// The heading of its reference table in docs/language.md.
    pub section: &'static str,
    pub parts: &'static [&'static [Property]],
}

/// Every block, in the order of docs/language.md.
pub const BLOCKS: &[Block] = &[
    Block {
        id: Id::Top,
        place: "at the top level",
        section: "Top level",
        parts: &[TOP],
    },
    Block {
        id: Id::Input,
        place: "in an input",
        section: "input",
        parts: &[INPUT],
    },
    Block {
        id: Id::Network,
        place: "in a network",
        section: "network",
        parts: &[NETWORK],
    },
    Block {
        id: Id::Cluster,
        place: "in a cluster",
        section: "cluster",
        parts: &[CLUSTER],
    },
    Block {
        id: Id::Capacity,
        place: "in `capacity`",
        section: "capacity",
        parts: &[CAPACITY],
    },
    Block {
        id: Id::LoadBalancer,
        place: "in a load balancer",
        section: "alb / nlb",
        parts: &[LOAD_BALANCER],
    },
    Block {
        id: Id::Task,
        place: "in a task",
        section: "task",
        parts: &[TASK, PATTERN, TASK_SETTING],
    },
    Block {
        id: Id::DockerVolume,
        place: "in a docker volume",
        section: "docker volume",
        parts: &[DOCKER_VOLUME],
    },
    Block {
        id: Id::Container,
        place: "in a container",
        section: "container (and the pattern blocks)",
        parts: &[CONTAINER, CONTAINER_SETTING],
    },
    Block {
        id: Id::Linux,
        place: "in `linux`",
        section: "linux",
        parts: &[LINUX],
    },
    Block {
        id: Id::Local,
        place: "in `local`",
        section: "local",
        parts: &[LOCAL],
    },
    Block {
        id: Id::Service,
        place: "in a service",
        section: "service",
        parts: &[SERVICE],
    },
    Block {
        id: Id::Expose,
        place: "in `expose`",
        section: "expose",
        parts: &[EXPOSE],
    },
    Block {
        id: Id::Queue,
        place: "in `queue`",
        section: "queue",
        parts: &[QUEUE],
    },
    Block {
        id: Id::Connect,
        place: "in `connect`",
        section: "connect",
        parts: &[CONNECT],
    },
    Block {
        id: Id::Job,
        place: "in a job",
        section: "job",
        parts: &[JOB],
    },
    Block {
        id: Id::Override,
        place: "in `override`",
        section: "override",
        parts: &[OVERRIDE],
    },
    Block {
        id: Id::Schedule,
        place: "in a schedule",
        section: "schedule",
        parts: &[SCHEDULE],
    },
    Block {
        id: Id::Template,
        place: "in a template",
        section: "Templates and the stdlib",
        parts: &[TEMPLATE],
    },
    Block {
        id: Id::Environment,
        place: "in an environment",
        section: "Environments",
        parts: &[ENVIRONMENT],
    },
];

impl Id {
    pub fn block(self) -> &'static Block {
        BLOCKS
            .iter()
            .find(|b| b.id == self)
            .expect("every block is in BLOCKS")
    }
}

impl Block {
    /// Its properties, in the order the help and the reference list them.
    pub fn properties(&self) -> impl Iterator<Item = &'static Property> + '_ {
        self.parts.iter().flat_map(|p| p.iter())
    }

    pub fn get(&self, name: &str) -> Option<&'static Property> {
        self.properties().find(|p| p.name == name)
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.properties().map(|p| p.name).collect()
    }

    /// The block the statement `head` opens inside this one.
    pub fn child(&self, head: &str) -> Option<Id> {
        self.get(head).and_then(|p| p.opens)
    }

    /// The reference table of docs/language.md for this block: a header and
    /// a row per property (`|` in a cell written `\|`).
    pub fn reference_table(&self) -> String {
        let cell = |s: &str| s.replace('|', "\\|");
        let mut out = String::from(
            "| statement | takes | default | becomes | example |\n| --- | --- | --- | --- | --- |\n",
        );
        for p in self.properties() {
            out.push_str(&format!(
                "| `{}` | {} | {} | {} | `{}` |\n",
                p.name,
                cell(p.takes),
                cell(p.default),
                cell(p.becomes),
                cell(p.example)
            ));
        }
        out
    }
}

/// The container patterns: the statements of a task that open a container
/// block, each giving the container its role.
impl Pattern {
    pub fn role(self) -> ContainerRole {
        match self {
            Pattern::Container => ContainerRole::App,
            Pattern::Sidecar => ContainerRole::Sidecar,
            Pattern::Ambassador => ContainerRole::Ambassador,
            Pattern::Init => ContainerRole::Init,
            Pattern::LogRouter => ContainerRole::LogRouter,
        }
    }
}

/// The container pattern a head names (`sidecar`), if any.
pub fn pattern(head: &str) -> Option<Pattern> {
    Pattern::from_name(head)
}

/// The kind of declaration a top-level head introduces.
pub fn decl_kind(head: &str) -> Option<Kind> {
    Top::from_name(head).and_then(|t| t.property().declares)
}

/// Whether statements with this head are named by their first word in any
/// block (see `Property::named`).
pub fn named(head: &str) -> bool {
    static NAMED: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
        BLOCKS
            .iter()
            .flat_map(Block::properties)
            .filter(|p| p.named)
            .map(|p| p.name)
            .collect()
    });
    NAMED.contains(head)
}

/// The kinds of top-level declarations, in the order they are lowered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Network,
    Cluster,
    LoadBalancer,
    Task,
    Service,
    Job,
    Schedule,
}

impl Kind {
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Network => "network",
            Kind::Cluster => "cluster",
            Kind::LoadBalancer => "load balancer",
            Kind::Task => "task",
            Kind::Service => "service",
            Kind::Job => "job",
            Kind::Schedule => "schedule",
        }
    }
}

/// ECS `OSFamily` values, as Wharf writes them (`os windows_server_2022_core`).
pub const OS_FAMILIES: &[&str] = &[
    "linux",
    "windows_server_2016_full",
    "windows_server_2019_full",
    "windows_server_2019_core",
    "windows_server_2022_full",
    "windows_server_2022_core",
    "windows_server_2025_full",
    "windows_server_2025_core",
    "windows_server_2004_core",
    "windows_server_20h2_core",
];

/// The input types (`input NAME: TYPE`).
pub const INPUT_TYPES: &[&str] = &[
    "string",
    "int",
    "bool",
    "vpc_id",
    "subnets",
    "security_groups",
];

/// The template parameter types (`param NAME: TYPE`).
pub const PARAM_TYPES: &[&str] = &[
    "string", "name", "int", "bool", "port", "duration", "size", "cpu", "percent", "list", "range",
    "any",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_block_names_each_property_once() {
        for b in BLOCKS {
            let names = b.names();
            for (i, n) in names.iter().enumerate() {
                assert!(!names[..i].contains(n), "`{n}` twice in {:?}", b.id);
            }
        }
    }

    #[test]
    fn named_statements_are_those_environments_tell_apart() {
        let mut named: Vec<&str> = BLOCKS
            .iter()
            .flat_map(Block::properties)
            .filter(|p| p.named)
            .map(|p| p.name)
            .collect();
        named.sort();
        named.dedup();
        assert_eq!(
            named,
            [
                "ambassador",
                "caller",
                "capacity",
                "container",
                "driver_opt",
                "env",
                "expose",
                "init",
                "label",
                "listener",
                "log_router",
                "mount",
                "override",
                "secret",
                "sidecar",
                "tag",
                "ulimit",
                "volume"
            ]
        );
        assert!(named.iter().all(|n| super::named(n)));
        assert!(!super::named("cpu"));
    }

    #[test]
    fn the_enums_index_their_tables() {
        assert_eq!(Container::from_name("image"), Some(Container::Image));
        assert_eq!(Container::MemoryReservation.name(), "memory_reservation");
        assert_eq!(ContainerSetting::CredentialSpec.name(), "credential_spec");
        assert_eq!(Service::Tag.name(), "tag");
        assert_eq!(Container::from_name("volume"), None);
    }

    #[test]
    fn the_patterns_are_statements_of_a_task() {
        for p in PATTERN {
            assert!(Id::Task.block().get(p.name).is_some(), "{}", p.name);
            assert_eq!(p.opens, Some(Id::Container));
        }
        assert_eq!(
            pattern("init").map(Pattern::role),
            Some(ContainerRole::Init)
        );
        assert_eq!(pattern("volume"), None);
    }
}
