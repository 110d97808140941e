//! Logical IDs and parameter names. Stage: emit (CloudFormation). Input: Wharf
//! names; output: alphanumeric PascalCase identifiers. Invariant: an ID depends
//! only on the names that produce it, so only a rename changes one. When two
//! owners would produce the same ID (`my-app` and `my_app` both give `MyApp`),
//! both owners get a suffix hashed from their exact name; which owners collide
//! is found by the emitter and fed back here (see `mod.rs`).

use std::collections::BTreeSet;

/// What kind of Wharf declaration an ID belongs to. Two declarations of
/// different kinds may share a name (`task web`, `service web`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Input,
    Network,
    Cluster,
    CapacityProvider,
    LoadBalancer,
    Task,
    Service,
    LogGroup,
    Namespace,
    Job,
    Schedule,
}

/// The declaration that asked for an ID: its kind and Wharf name.
pub type OwnerKey = (Kind, String);

/// Maps Wharf names to ID bases, hashing the names known to collide.
#[derive(Debug, Default, Clone)]
pub struct Ids {
    hashed: BTreeSet<OwnerKey>,
}

impl Ids {
    pub fn new(hashed: BTreeSet<OwnerKey>) -> Ids {
        Ids { hashed }
    }

    /// The PascalCase base for a declaration, e.g. `web-api` -> `WebApi`.
    pub fn base(&self, kind: Kind, name: &str) -> String {
        let mut b = pascal(name);
        if self.hashed.contains(&(kind, name.to_string())) {
            b.push_str(&format!("{:08X}", fnv1a(name) as u32));
        }
        b
    }
}

/// `IMAGE_TAG` -> `ImageTag`, `web-api` -> `WebApi`, `/ecs/prod` -> `EcsProd`,
/// `imageTag` -> `ImageTag`. Words in capitals are lowered after their first
/// letter; mixed-case words keep their inner capitals. Never empty.
pub fn pascal(name: &str) -> String {
    let mut out = String::new();
    for word in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = word.chars();
        let Some(first) = chars.next() else { continue };
        out.push(first.to_ascii_uppercase());
        let rest: String = chars.collect();
        if word.chars().all(|c| !c.is_ascii_lowercase()) {
            out.push_str(&rest.to_ascii_lowercase());
        } else {
            out.push_str(&rest);
        }
    }
    if out.is_empty() {
        out.push('X');
    }
    out
}

/// FNV-1a: a tiny stable hash (std's hasher may change between releases).
fn fnv1a(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pascal_forms() {
        assert_eq!(pascal("IMAGE_TAG"), "ImageTag");
        assert_eq!(pascal("web-api"), "WebApi");
        assert_eq!(pascal("imageTag"), "ImageTag");
        assert_eq!(pascal("/ecs/prod/web"), "EcsProdWeb");
        assert_eq!(pascal("prod.local"), "ProdLocal");
        assert_eq!(pascal("--"), "X");
    }

    #[test]
    fn hashed_names_differ_and_are_stable() {
        let ids = Ids::new(
            [
                (Kind::Service, "my-app".to_string()),
                (Kind::Service, "my_app".to_string()),
            ]
            .into_iter()
            .collect(),
        );
        let a = ids.base(Kind::Service, "my-app");
        let b = ids.base(Kind::Service, "my_app");
        assert_ne!(a, b);
        assert!(a.starts_with("MyApp") && a.len() == 13, "{a}");
        assert_eq!(a, ids.base(Kind::Service, "my-app"));
        assert_eq!(ids.base(Kind::Task, "my-app"), "MyApp");
    }
}
