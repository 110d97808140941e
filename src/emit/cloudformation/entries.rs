//! What the emitter keeps of each resource and output until its stack is
//! written. Stage: emit (CloudFormation). At 10,000 services that is about
//! 110,000 entries with 140,000 references, so they are held flat: every
//! name (logical ID, parameter, `GetAtt` attribute) once in one arena
//! (`Names`), each entry a few numbers, the references of all entries in
//! one vector. A map of `String` to an entry of boxed references took
//! 22 MB; this takes about 8.

use std::hash::BuildHasher;
use std::ops::Range;

use hashbrown::HashTable;
use serde_json::Value;

use super::{split, value, Owner};

/// A name interned in `Names`.
pub(crate) type Name = u32;

/// Names, each held once, in one string.
#[derive(Default, Clone)]
pub(crate) struct Names {
    text: String,
    /// Where each name ends in `text` (it starts where the one before ends).
    ends: Vec<u32>,
    /// Names by their text's hash.
    table: HashTable<Name>,
    hasher: foldhash::fast::RandomState,
}

impl Names {
    pub fn get(&self, s: &str) -> Option<Name> {
        let hash = self.hasher.hash_one(s);
        self.table.find(hash, |&n| self.str(n) == s).copied()
    }

    pub fn intern(&mut self, s: &str) -> Name {
        if let Some(n) = self.get(s) {
            return n;
        }
        let n = Name::try_from(self.ends.len()).expect("fewer than 2^32 names");
        self.text.push_str(s);
        self.ends
            .push(u32::try_from(self.text.len()).expect("names under 4 GiB"));
        let Names {
            text,
            ends,
            table,
            hasher,
        } = self;
        table.insert_unique(hasher.hash_one(s), n, |&m| {
            hasher.hash_one(name_in(text, ends, m))
        });
        n
    }

    pub fn str(&self, n: Name) -> &str {
        name_in(&self.text, &self.ends, n)
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }
}

/// Name `n` of an arena: it ends at `ends[n]` and starts where the one
/// before ends.
fn name_in<'t>(text: &'t str, ends: &[u32], n: Name) -> &'t str {
    let n = n as usize;
    let start = n.checked_sub(1).map_or(0, |p| ends[p] as usize);
    &text[start..ends[n] as usize]
}

/// One emitted resource or output: what the splitter needs to know of it
/// without its value. A small program's entries also hold their compact
/// JSON (`Entries::text`), and its one template is written from them.
/// Past CloudFormation's limits nothing holds the values: each stack's are
/// emitted again when it is written (`replay`), so at 10,000 services the
/// build holds neither 45 MB of texts nor 350 MB of `serde_json::Value`
/// trees, only a few stacks' at a time.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// Its owner (`Entry::owner`) in 32 bits: a service's index, a links
    /// part's with the top bit set, or all bits for the shared stack.
    owner: u32,
    /// Its logical ID.
    pub id: Name,
    /// Its references in `Entries::refs`.
    refs: (u32, u32),
    /// The length of its value in pretty JSON as a member of `Resources`
    /// or `Outputs` (`split::json_len` at depth 2).
    pub pretty_len: u32,
    /// The declaration that claimed its ID (`Ctx::claim`).
    pub claimer: u32,
    /// Whether it has a `DependsOn`.
    pub depends: bool,
}

const SHARED: u32 = u32::MAX;
const LINKS: u32 = 1 << 31;

impl Entry {
    /// As emitted; a links rule's already numbered by its part
    /// (`split::LINKS_PER_STACK` rules a stack).
    pub fn owner(&self) -> Owner {
        match self.owner {
            SHARED => Owner::Shared,
            o if o & LINKS != 0 => Owner::Links((o & !LINKS) as usize),
            o => Owner::Service(o as usize),
        }
    }
}

/// An owner in 32 bits (`Entry::owner`).
fn pack_owner(o: Owner) -> u32 {
    let small = |i: usize| {
        u32::try_from(i)
            .ok()
            .filter(|&i| i < LINKS)
            .expect("fewer than 2^31 services")
    };
    match o {
        Owner::Shared => SHARED,
        Owner::Links(k) => LINKS | small(k),
        Owner::Service(i) => small(i),
    }
}

/// A reference: the logical ID (or parameter) and the attribute a `GetAtt`
/// reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Reference {
    pub id: Name,
    pub attr: Option<Name>,
}

/// Resources or outputs in emission order, with their IDs' index.
#[derive(Default, Clone)]
pub(crate) struct Entries {
    list: Vec<Entry>,
    refs: Vec<Reference>,
    /// The entry of each name that is one's ID (`u32::MAX` if none).
    by_name: Vec<u32>,
    /// Compact JSON of each entry, while they are kept.
    texts: Vec<Box<str>>,
}

const NONE: u32 = u32::MAX;

impl Entries {
    /// Adds an entry under `id` (claimed: no entry has it), its references
    /// interned in `names`; keeps its text when `text`.
    pub fn push(
        &mut self,
        names: &mut Names,
        id: &str,
        owner: Owner,
        claimer: usize,
        value: &Value,
        text: bool,
    ) {
        let start = self.refs.len();
        value::for_each_ref(value, &mut |id, attr| {
            let r = Reference {
                id: names.intern(id),
                attr: attr.map(|a| names.intern(a)),
            };
            self.refs.push(r);
        });
        let id = names.intern(id);
        let k = u32::try_from(self.list.len()).expect("fewer than 2^32 entries");
        if self.by_name.len() < names.len() {
            self.by_name.resize(names.len(), NONE);
        }
        debug_assert_eq!(self.by_name[id as usize], NONE, "a claimed ID is new");
        self.by_name[id as usize] = k;
        let refs = (
            u32::try_from(start).expect("fewer than 2^32 references"),
            u32::try_from(self.refs.len()).expect("fewer than 2^32 references"),
        );
        self.list.push(Entry {
            owner: pack_owner(owner),
            id,
            refs,
            pretty_len: u32::try_from(split::json_len(value, 2)).unwrap_or(u32::MAX),
            claimer: u32::try_from(claimer).expect("fewer than 2^32 declarations"),
            depends: value.get("DependsOn").is_some(),
        });
        if text {
            self.texts.push(
                serde_json::to_string(value)
                    .expect("a value always serializes")
                    .into_boxed_str(),
            );
        }
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// The entry whose ID is `name`.
    pub fn get(&self, name: Name) -> Option<&Entry> {
        match self.by_name.get(name as usize) {
            Some(&k) if k != NONE => Some(&self.list[k as usize]),
            _ => None,
        }
    }

    /// The entry whose ID is `id`.
    pub fn find(&self, names: &Names, id: &str) -> Option<&Entry> {
        self.get(names.get(id)?)
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Entry> {
        self.list.iter()
    }

    pub fn range(&self, r: Range<usize>) -> &[Entry] {
        &self.list[r]
    }

    pub fn refs(&self, e: &Entry) -> &[Reference] {
        &self.refs[e.refs.0 as usize..e.refs.1 as usize]
    }

    /// Entry `k`'s text, if texts are kept.
    pub fn text(&self, k: usize) -> Option<&str> {
        self.texts.get(k).map(|t| &**t)
    }

    /// Frees the texts: the program is past one template.
    pub fn drop_texts(&mut self) {
        self.texts = Vec::new();
    }

    /// Entry `k`'s value, read back from its text.
    pub fn value(&self, k: usize) -> Option<Value> {
        let text = self.text(k)?;
        Some(serde_json::from_str(text).expect("an entry holds JSON that Wharf wrote"))
    }
}

impl std::ops::Index<usize> for Entries {
    type Output = Entry;

    fn index(&self, k: usize) -> &Entry {
        &self.list[k]
    }
}
