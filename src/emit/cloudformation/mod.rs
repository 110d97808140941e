//! CloudFormation backend. Stage: emit. Input: a checked `ir::Program`;
//! output: one deployable stack (`<program>.json` or `.yaml`), or, past
//! CloudFormation's limits, a shared stack plus stacks of consecutive services
//! joined by exports, with `deploy-order.txt`.
//!
//! Emission runs by items (`Item`: one declaration's resources), recording
//! each resource (`entries`) with the stack that would own it if the
//! program has to be split (`Owner`), its references and its size; a small
//! program's resources also keep their JSON, and `split` writes them as one
//! template. Past the limits `split` packs services into stacks from those
//! records, then writes each stack from a replay of the items that emitted
//! its resources (`replay`), so no more than a few stacks' values are ever
//! in memory. Logical IDs come from Wharf names (`ids`); when two names
//! would give the same ID, emission is repeated with those names hashed, so
//! IDs stay a pure function of the names. Output is deterministic: maps keep
//! insertion order and everything is emitted in declaration order. Lookups
//! go through `Index` maps built once, so emission is linear in the size of
//! the program.

mod capacity;
mod cluster;
mod connect;
mod deploy;
mod entries;
mod errors;
mod iam;
mod ids;
mod lb;
mod network;
mod queue;
mod schedule;
mod service;
mod split;
mod task;
mod value;
mod yaml;

use crate::hash::{HashMap, HashSet};
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::ops::Range;

use crate::emit::json::json;
use indexmap::IndexMap;
use serde_json::Value;

use self::ids::{Ids, Kind, OwnerKey};
use self::value::{r#ref, sub};
use super::Artifact;
use crate::diag::Diagnostic;
use crate::ir::{self, InputType, Program, Text, TextPart};

pub use self::yaml::to_yaml;
pub(crate) use entries::{Entries, Name, Names, Reference};

/// The template syntax to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Yaml,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Yaml => "yaml",
        }
    }
}

/// Builds the stack(s) for a program. Errors are constructs CloudFormation
/// cannot express and stacks past its limits; see `errors.rs`.
pub fn emit_cloudformation(
    program: &Program,
    format: Format,
) -> Result<Vec<Artifact>, Vec<Diagnostic>> {
    let mut artifacts = Vec::new();
    emit_cloudformation_into(program, format, &mut |a| {
        artifacts.push(a);
        true
    })?;
    Ok(artifacts)
}

/// [`emit_cloudformation`], handing each file to `sink` as soon as it is
/// rendered (a split program's stacks in order, `deploy-order.txt` at the
/// end), so that only a few stacks' texts are held at a time; stops when
/// `sink` returns false.
pub fn emit_cloudformation_into(
    program: &Program,
    format: Format,
    sink: &mut dyn FnMut(Artifact) -> bool,
) -> Result<(), Vec<Diagnostic>> {
    let ix = Index::new(program);
    let built = build(program, &ix, false)?;
    split::write(program, &ix, &built, format, sink)
}

/// The invariant a split program's stacks rest on, checked: emitting every
/// item again (`replay`) gives, entry for entry, the JSON the first
/// emission gave, each `add` matching its first ID. `Ok` with the number of
/// entries compared (none for a program the backend rejects), or the first
/// that differs. For the tests: a build checks it in debug builds only
/// (`debug_assert!`s in `replay`).
pub fn replay_matches_emission(program: &Program) -> Result<usize, String> {
    let ix = Index::new(program);
    let Ok(built) = build(program, &ix, true) else {
        return Ok(0);
    };
    let plan: Vec<usize> = (0..built.records.len()).collect();
    let (mut resources, mut outputs) = (Vec::new(), Vec::new());
    replay(
        program,
        &ix,
        &built,
        &plan,
        &|_| true,
        &mut |resource, k, v| match resource {
            true => resources.push((k, v)),
            false => outputs.push((k, v)),
        },
    );
    let mut compared = 0;
    for (what, entries, values) in [
        ("resource", &built.resources, &resources),
        ("output", &built.outputs, &outputs),
    ] {
        if values.len() != entries.len() {
            return Err(format!(
                "{} {what}s emitted, {} replayed",
                entries.len(),
                values.len()
            ));
        }
        for (i, (k, v)) in values.iter().enumerate() {
            let text = serde_json::to_string(v).expect("a value serializes");
            let id = built.names.str(entries[i].id);
            if *k != i || entries.text(i) != Some(text.as_str()) {
                return Err(format!("{what} {id} replayed as {text}"));
            }
            compared += 1;
        }
    }
    Ok(compared)
}

/// Which stack a resource belongs to when the program is split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Owner {
    /// Network, clusters, load balancers, namespaces, target groups that
    /// listeners forward to by default.
    Shared,
    /// Index into `Program::services`.
    Service(usize),
    /// Security group rules between services (they refer to two services);
    /// the emitter uses part 0, the splitter cuts it into parts of at most
    /// `split::LINKS_PER_STACK` rules.
    Links(usize),
}

/// Everything emitted, before it is cut into stacks.
pub(crate) struct Built<'a> {
    /// The logical IDs, with the names that collide hashed.
    pub ids: Ids,
    /// Every logical ID, parameter and attribute an entry names.
    pub names: Names,
    /// What emission learned that later items read: the state a replay
    /// starts from.
    pub facts: Facts<'a>,
    /// The parameters some entry refers to.
    pub parameters: IndexMap<String, Value>,
    pub resources: Entries,
    pub outputs: Entries,
    /// Every item that emitted an entry, in order, with the ends of its
    /// ranges of `resources` and `outputs` (each starts where the previous
    /// item's ends).
    pub records: Vec<Record>,
    /// True when every entry holds its text.
    pub texts: bool,
}

/// One emitted item and where its entries end.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Record {
    pub item: Item,
    pub resources_end: usize,
    pub outputs_end: usize,
}

impl Built<'_> {
    /// The ranges of `resources` and `outputs` record `r`'s item emitted.
    pub fn ranges(&self, r: usize) -> (Range<usize>, Range<usize>) {
        let (rs, os) = match r.checked_sub(1) {
            Some(prev) => (
                self.records[prev].resources_end,
                self.records[prev].outputs_end,
            ),
            None => (0, 0),
        };
        let x = self.records[r];
        (rs..x.resources_end, os..x.outputs_end)
    }
}

/// State one item's emission leaves for later ones: the networks' IDs, the
/// listeners' default targets, the parameters and their IDs. A replay finds
/// it complete and changes none of it.
#[derive(Clone, Default)]
pub(crate) struct Facts<'a> {
    nets: HashMap<&'a str, NetFacts>,
    defaults: lb::DefaultTargets,
    params: IndexMap<String, Value>,
    param_ids: HashMap<&'a str, String>,
    vpc_params: HashMap<String, String>,
    /// The AMI parameter of each created capacity, by cluster and capacity
    /// name: claimed once, so that a replay names the same one.
    amis: HashMap<(&'a str, &'a str), String>,
}

/// Emits the program once. Entries keep their texts while the program may
/// fit one template, and all of them with `all_texts` or when a collision
/// survives hashing: the ID a claim gives then depends on every claim before
/// it, which a replay of one stack's items does not make (see `Ctx::claim`).
fn build<'a>(
    program: &'a Program,
    ix: &'a Index<'a>,
    mut all_texts: bool,
) -> Result<Built<'a>, Vec<Diagnostic>> {
    let mut hashed = BTreeSet::new();
    loop {
        let mut cx = Ctx::new(program, Cow::Owned(Ids::new(hashed.clone())), ix);
        cx.keep_texts = true;
        cx.all_texts = all_texts;
        cx.emit_program();
        let before = hashed.len();
        hashed.extend(cx.collisions.iter().cloned());
        if cx.collisions.is_empty() || hashed.len() == before {
            if !cx.diags.is_empty() {
                crate::diag::sort(&mut cx.diags);
                return Err(cx.diags);
            }
            if !cx.collisions.is_empty() && !cx.keep_texts {
                all_texts = true;
                continue;
            }
            let parameters = cx.used_parameters();
            let texts = cx.keep_texts;
            return Ok(Built {
                facts: cx.facts.into_owned(),
                parameters,
                resources: cx.resources,
                outputs: cx.outputs,
                records: cx.records,
                texts,
                ids: cx.ids.into_owned(),
                names: cx.names,
            });
        }
    }
}

/// A unit of emission: one declaration's resources (or one pass's), emitted
/// together. Emitting an item depends only on the program and the `Facts`
/// of the items before it, so a stack's entries can be emitted again by
/// replaying only the items that emitted them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Item {
    Network(usize),
    Cluster(usize),
    LogGroup(usize),
    Namespace(usize),
    ConnectNamespaces,
    LoadBalancer(usize),
    Task(usize),
    Service(usize),
    CallerRules(usize),
    ConnectRules(usize),
    Queue(usize),
    CapacityRules,
    Job(usize),
    Schedule(usize),
}

/// Every item of a program, in emission order.
fn items(p: &Program) -> impl Iterator<Item = Item> + '_ {
    let each = |n: usize, f: fn(usize) -> Item| (0..n).map(f);
    let s = p.services.len();
    each(p.networks.len(), Item::Network)
        .chain(each(p.clusters.len(), Item::Cluster))
        .chain(each(p.log_groups.len(), Item::LogGroup))
        .chain(each(p.namespaces.len(), Item::Namespace))
        .chain(std::iter::once(Item::ConnectNamespaces))
        .chain(each(p.load_balancers.len(), Item::LoadBalancer))
        .chain(each(p.tasks.len(), Item::Task))
        .chain(each(s, Item::Service))
        .chain(each(s, Item::CallerRules))
        .chain(each(s, Item::ConnectRules))
        .chain(each(s, Item::Queue))
        .chain(std::iter::once(Item::CapacityRules))
        .chain(each(p.jobs.len(), Item::Job))
        .chain(each(p.schedules.len(), Item::Schedule))
}

/// An entry a replay kept: a resource (else an output), its index into
/// `Built::resources` (or `outputs`) and its value.
pub(crate) type Kept<'s> = dyn FnMut(bool, usize, Value) + 's;

/// Emits again the entries of the items `plan` names (indices into
/// `built.records`), handing those whose owner `want` accepts to `keep`, in
/// order, as they are emitted. False if an item's adds were not, in number
/// and IDs, those of its first emission.
pub(crate) fn replay(
    p: &Program,
    ix: &Index<'_>,
    built: &Built<'_>,
    plan: &[usize],
    want: &dyn Fn(Owner) -> bool,
    keep: &mut Kept<'_>,
) -> bool {
    // The state every stack's replay reads, shared, not copied: a copy per
    // stack would cost the stacks times the inputs.
    let mut cx = Ctx::new(p, Cow::Borrowed(&built.ids), ix);
    cx.facts = Cow::Borrowed(&built.facts);
    cx.replay = Some(Replay {
        names: &built.names,
        resources: &built.resources,
        outputs: &built.outputs,
        next: (0, 0),
        end: (0, 0),
        want,
        keep,
        same: true,
    });
    for &r in plan {
        let (res, out) = built.ranges(r);
        if let Some(rp) = cx.replay.as_mut() {
            rp.next = (res.start, out.start);
            rp.end = (res.end, out.end);
        }
        cx.emit_item(built.records[r].item);
        if let Some(rp) = cx.replay.as_mut() {
            rp.same &= rp.next == rp.end;
        }
        debug_assert!(
            cx.replay.as_ref().is_some_and(|rp| rp.same),
            "a replay of {:?} emits what it first did",
            built.records[r].item
        );
    }
    cx.replay.is_some_and(|rp| rp.same)
}

/// A replay in progress: which first-emitted entry the next `add` (and
/// `output`) stands for.
struct Replay<'r> {
    names: &'r Names,
    resources: &'r Entries,
    outputs: &'r Entries,
    next: (usize, usize),
    end: (usize, usize),
    want: &'r dyn Fn(Owner) -> bool,
    keep: &'r mut Kept<'r>,
    /// Whether every add so far stood for its first emission's entry.
    same: bool,
}

impl Replay<'_> {
    fn keep(&mut self, resource: bool, base: &str, value: Value) {
        let (entries, next, end) = if resource {
            (self.resources, &mut self.next.0, self.end.0)
        } else {
            (self.outputs, &mut self.next.1, self.end.1)
        };
        let k = *next;
        if k >= end {
            self.same = false;
            return;
        }
        *next += 1;
        let e = &entries[k];
        if !self.names.str(e.id).starts_with(base) {
            self.same = false;
            return;
        }
        if (self.want)(e.owner()) {
            (self.keep)(resource, k, value);
        }
    }
}

/// What the stack emitter looks up, built once per emission: the program's
/// declarations by name (`ir::Index`, as every backend has them, reached
/// through `Deref`) and where each resource goes when the program is split.
pub(crate) struct Index<'a> {
    pub ir: ir::Index<'a>,
    /// The stack a task definition goes to: its first service's.
    pub task_owner: HashMap<&'a str, Owner>,
    /// The stack a log group goes to: the earliest owner of a task using it.
    pub log_owner: HashMap<&'a str, Owner>,
    /// Exposures per load balancer: (service index, exposure index).
    pub exposures: HashMap<&'a str, Vec<(usize, usize)>>,
    /// Tasks run by a service with ECS Exec enabled.
    pub exec_tasks: HashSet<&'a str>,
    /// The first service registering in each Cloud Map namespace.
    pub namespace_users: HashMap<&'a str, usize>,
    /// The services consuming a queue, by the task they run, in order.
    pub queue_consumers: HashMap<&'a str, Vec<usize>>,
}

impl<'a> std::ops::Deref for Index<'a> {
    type Target = ir::Index<'a>;

    fn deref(&self) -> &ir::Index<'a> {
        &self.ir
    }
}

impl<'a> Index<'a> {
    fn new(p: &'a Program) -> Index<'a> {
        let mut task_owner = HashMap::default();
        let mut exposures: HashMap<&str, Vec<(usize, usize)>> = HashMap::default();
        let mut queue_consumers: HashMap<&str, Vec<usize>> = HashMap::default();
        for (i, s) in p.services.iter().enumerate() {
            if s.queue.is_some() {
                queue_consumers.entry(s.task.as_str()).or_default().push(i);
            }
            task_owner
                .entry(s.task.as_str())
                .or_insert(Owner::Service(i));
            for (j, e) in s.exposures.iter().enumerate() {
                exposures
                    .entry(e.load_balancer.as_str())
                    .or_default()
                    .push((i, j));
            }
        }
        let mut log_owner: HashMap<&str, Owner> = HashMap::default();
        for t in &p.tasks {
            let owner = *task_owner.get(t.name.as_str()).unwrap_or(&Owner::Shared);
            for c in &t.containers {
                if let Some(g) = c.log.as_ref().and_then(|l| l.group.as_deref()) {
                    let e = log_owner.entry(g).or_insert(owner);
                    *e = (*e).min(owner);
                }
            }
        }
        Index {
            ir: ir::Index::new(p),
            task_owner,
            log_owner,
            exposures,
            exec_tasks: p
                .services
                .iter()
                .filter(|s| s.execute_command)
                .map(|s| s.task.as_str())
                .collect(),
            namespace_users: {
                let mut m = HashMap::default();
                for (i, s) in p.services.iter().enumerate() {
                    if let Some(d) = &s.discovery {
                        m.entry(d.namespace.as_str()).or_insert(i);
                    }
                }
                m
            },
            queue_consumers,
        }
    }
}

/// IDs and values of one network, as the rest of the template refers to it.
#[derive(Debug, Clone)]
pub(crate) struct NetFacts {
    pub vpc: Value,
    pub public_subnets: Value,
    pub private_subnets: Value,
    /// The VPC CIDR, when the stack creates the VPC.
    pub cidr: Option<Value>,
}

/// The emitter's state: what has been emitted so far and under which owner.
pub(crate) struct Ctx<'a> {
    pub p: &'a Program,
    pub ids: Cow<'a, Ids>,
    pub ix: &'a Index<'a>,
    pub resources: Entries,
    pub outputs: Entries,
    names: Names,
    pub diags: Vec<Diagnostic>,
    /// Borrowed by a replay, which changes none of it.
    facts: Cow<'a, Facts<'a>>,
    owner: Owner,
    /// The declaration asking for IDs now, by index into `keys`.
    key: usize,
    /// Every declaration that asked for an ID, once.
    keys: indexmap::IndexSet<OwnerKey>,
    /// Who claimed each parameter ID (resources and outputs say it in
    /// their entries).
    param_claims: HashMap<String, usize>,
    collisions: BTreeSet<OwnerKey>,
    /// Each item that emitted an entry, and where its entries end.
    records: Vec<Record>,
    /// Whether entries keep their texts: until the program passes a
    /// template's counts, unless `all_texts`.
    keep_texts: bool,
    all_texts: bool,
    /// Links rules emitted so far.
    links: usize,
    /// Set when emitting a stack's entries again: adds go to it.
    replay: Option<Replay<'a>>,
}

impl<'a> Ctx<'a> {
    fn new(p: &'a Program, ids: Cow<'a, Ids>, ix: &'a Index<'a>) -> Ctx<'a> {
        Ctx {
            p,
            ids,
            ix,
            resources: Default::default(),
            outputs: Default::default(),
            names: Names::default(),
            diags: Vec::new(),
            facts: Cow::Owned(Facts::default()),
            owner: Owner::Shared,
            key: 0,
            keys: [(Kind::Input, String::new())].into_iter().collect(),
            param_claims: HashMap::default(),
            collisions: BTreeSet::new(),
            records: Vec::new(),
            keep_texts: false,
            all_texts: false,
            links: 0,
            replay: None,
        }
    }

    fn emit_program(&mut self) {
        self.emit_parameters();
        for item in items(self.p) {
            self.emit_item(item);
            let ends = (self.resources.len(), self.outputs.len());
            let last = self
                .records
                .last()
                .map_or((0, 0), |r| (r.resources_end, r.outputs_end));
            if ends != last {
                self.records.push(Record {
                    item,
                    resources_end: ends.0,
                    outputs_end: ends.1,
                });
            }
        }
    }

    fn emit_item(&mut self, item: Item) {
        let p = self.p;
        match item {
            Item::Network(i) => self.emit_network(&p.networks[i]),
            Item::Cluster(i) => self.emit_cluster(&p.clusters[i]),
            Item::LogGroup(i) => self.emit_log_group(&p.log_groups[i]),
            Item::Namespace(i) => self.emit_namespace(&p.namespaces[i]),
            Item::ConnectNamespaces => self.emit_connect_namespaces(),
            Item::LoadBalancer(i) => self.emit_load_balancer(&p.load_balancers[i]),
            Item::Task(i) => self.emit_task(&p.tasks[i]),
            Item::Service(i) => self.emit_service(i, &p.services[i]),
            Item::CallerRules(i) => self.emit_caller_rules(i, &p.services[i]),
            Item::ConnectRules(i) => self.emit_connect_rules(&p.services[i]),
            Item::Queue(i) => self.emit_queue(i, &p.services[i]),
            Item::CapacityRules => self.emit_capacity_rules(),
            Item::Job(i) => self.emit_job(&p.jobs[i]),
            Item::Schedule(i) => self.emit_schedule(&p.schedules[i]),
        }
    }

    /// Sets who owns the next resources: the declaration (for ID collisions)
    /// and the stack (for splitting).
    pub fn at(&mut self, kind: Kind, name: &str, owner: Owner) -> String {
        self.key = match self.keys.get_index_of(&(kind, name.to_string())) {
            Some(k) => k,
            None => self.keys.insert_full((kind, name.to_string())).0,
        };
        self.owner = owner;
        self.ids.base(kind, name)
    }

    /// Adds a resource `{Type, Properties, ...}` under the current owner.
    pub fn add(&mut self, id: String, value: Value) {
        if let Some(r) = &mut self.replay {
            r.keep(true, &id, value);
            return;
        }
        let id = self.claim(id, false);
        let owner = match self.owner {
            Owner::Links(_) => {
                self.links += 1;
                Owner::Links((self.links - 1) / split::LINKS_PER_STACK)
            }
            o => o,
        };
        let keep = self.keep_texts;
        self.resources
            .push(&mut self.names, &id, owner, self.key, &value, keep);
        self.fits_one_template();
    }

    pub fn output(&mut self, id: String, description: &str, value: Value) {
        let value = json!({ "Description": description, "Value": value });
        if let Some(r) = &mut self.replay {
            r.keep(false, &id, value);
            return;
        }
        let id = self.claim(id, false);
        let keep = self.keep_texts;
        self.outputs
            .push(&mut self.names, &id, self.owner, self.key, &value, keep);
        self.fits_one_template();
    }

    /// Drops the entries' texts once the program cannot be one template.
    fn fits_one_template(&mut self) {
        if self.keep_texts
            && !self.all_texts
            && (self.resources.len() > split::MAX_RESOURCES
                || self.outputs.len() > split::MAX_OUTPUTS)
        {
            self.keep_texts = false;
            self.resources.drop_texts();
            self.outputs.drop_texts();
        }
    }

    /// Whether resource `id` was emitted (by an earlier item).
    pub fn emitted(&self, id: &str) -> bool {
        match &self.replay {
            Some(r) => r.resources.find(r.names, id).is_some(),
            None => self.resources.find(&self.names, id).is_some(),
        }
    }

    /// Records who uses an ID (a parameter's, with `param`; a resource or
    /// output says it in its entry). Two owners -> both hashed in the next
    /// round; one owner twice (e.g. two exposures of one port) -> a
    /// numbered suffix.
    ///
    /// A replay claims nothing: its entries take their first IDs, and the
    /// parameters an item claims (a VPC's, a capacity's AMI) are facts it
    /// finds already claimed.
    fn claim(&mut self, id: String, param: bool) -> String {
        if self.replay.is_some() {
            return id;
        }
        let id = match self.claimed_by(&id) {
            None => id,
            Some(k) => {
                if k != self.key {
                    self.collisions.insert(self.keys[k].clone());
                    self.collisions.insert(self.keys[self.key].clone());
                }
                let mut n = 2;
                while self.claimed_by(&format!("{id}{n}")).is_some() {
                    n += 1;
                }
                format!("{id}{n}")
            }
        };
        if param {
            self.param_claims.insert(id.clone(), self.key);
        }
        id
    }

    /// The declaration that claimed an ID, by index into `keys`.
    fn claimed_by(&self, id: &str) -> Option<usize> {
        self.names
            .get(id)
            .and_then(|n| self.resources.get(n).or_else(|| self.outputs.get(n)))
            .map(|e| e.claimer as usize)
            .or_else(|| self.param_claims.get(id).copied())
    }

    fn emit_parameters(&mut self) {
        let p = self.p;
        for input in &p.inputs {
            let id = self.at(Kind::Input, &input.name, Owner::Shared);
            let id = self.claim(id, true);
            let (ty, default) = match input.ty {
                InputType::String => ("String", json!(&input.value)),
                InputType::Int => ("Number", json!(&input.value)),
                InputType::Bool => ("String", json!(&input.value)),
                InputType::VpcId => ("AWS::EC2::VPC::Id", json!(&input.value)),
                InputType::SubnetIds => ("List<AWS::EC2::Subnet::Id>", json!(&input.value)),
                InputType::SecurityGroupIds => {
                    ("List<AWS::EC2::SecurityGroup::Id>", json!(&input.value))
                }
            };
            let description = input
                .description
                .clone()
                .unwrap_or_else(|| format!("Wharf input `{}`", input.name));
            // A secret input has no default (its value would sit in the
            // template) and is NoEcho (masked in describe-stacks and the
            // console); it is given at deploy time.
            let mut v = match input.secret {
                Some(_) => json!({ "Type": ty, "Description": description, "NoEcho": true }),
                None => json!({ "Type": ty, "Description": description, "Default": default }),
            };
            if input.ty == InputType::Bool {
                v["AllowedValues"] = json!(["true", "false"]);
            }
            let facts = self.facts.to_mut();
            facts.params.insert(id.clone(), v);
            facts.param_ids.insert(&input.name, id);
        }
    }

    /// Parameters some resource or output refers to, in input order (an unused
    /// parameter is a cfn-lint warning).
    fn used_parameters(&self) -> IndexMap<String, Value> {
        let mut used: HashSet<&str> = HashSet::default();
        for entries in [&self.resources, &self.outputs] {
            for e in entries.iter() {
                for r in entries.refs(e) {
                    let id = self.names.str(r.id);
                    if self.facts.params.contains_key(id) {
                        used.insert(id);
                    }
                }
            }
        }
        self.facts
            .params
            .iter()
            .filter(|(k, _)| used.contains(k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// The parameter ID of an input.
    pub fn param(&self, input: &str) -> String {
        self.facts
            .param_ids
            .get(input)
            .cloned()
            .unwrap_or_else(|| ids::pascal(input))
    }

    /// A Text as a template value: a literal string, `Ref` of a parameter when
    /// the text is exactly one input, else `Fn::Sub`.
    pub fn text(&self, t: &Text) -> Value {
        if let Some(s) = t.as_literal() {
            return Value::String(s);
        }
        if let [TextPart::Input(name)] = t.parts.as_slice() {
            return r#ref(&self.param(name));
        }
        let mut s = String::new();
        for part in &t.parts {
            match part {
                TextPart::Lit(l) => s.push_str(&value::escape_sub(l)),
                TextPart::Input(name) => {
                    s.push_str("${");
                    s.push_str(&self.param(name));
                    s.push('}');
                }
            }
        }
        sub(s)
    }

    pub fn texts(&self, ts: &[Text]) -> Value {
        Value::Array(ts.iter().map(|t| self.text(t)).collect())
    }

    /// True when a text is exactly one list-typed input (subnets, groups).
    pub fn is_list_input(&self, t: &Text) -> bool {
        match t.parts.as_slice() {
            [TextPart::Input(name)] => self.ix.inputs.get(name.as_str()).is_some_and(|i| {
                matches!(i.ty, InputType::SubnetIds | InputType::SecurityGroupIds)
            }),
            _ => false,
        }
    }

    pub fn subnets(&self, s: &ir::SubnetRef) -> Value {
        match s {
            ir::SubnetRef::Ids(ids) => self.texts(ids),
            ir::SubnetRef::Input(name) => r#ref(&self.param(name)),
        }
    }

    /// The network a service runs in: its own, else its cluster's, else the
    /// program's only network.
    pub fn service_network(&self, s: &ir::Service) -> Option<&'a str> {
        let p = self.p;
        s.network
            .as_ref()
            .and_then(|n| n.network.as_deref())
            .or_else(|| {
                self.ix
                    .clusters
                    .get(s.cluster.as_str())
                    .and_then(|c| c.network.as_deref())
            })
            .or_else(|| (p.networks.len() == 1).then(|| p.networks[0].name.as_str()))
            .and_then(|n| self.ix.networks.get(n).map(|n| n.name.as_str()))
    }

    /// The VPC a service's security group goes in: its network's, else a
    /// `VpcOf<Input>` parameter for the VPC of the subnets it names (a
    /// template cannot look a VPC up from subnet IDs).
    pub fn vpc_of(&mut self, s: &ir::Service) -> Option<Value> {
        if let Some(f) = self.service_network(s).and_then(|n| self.net(n)) {
            return Some(f.vpc.clone());
        }
        let (owner, what) = match s.network.as_ref()?.subnets.as_ref()? {
            ir::SubnetRef::Input(name) => (format!("vpc of {name}"), format!("input `{name}`")),
            ir::SubnetRef::Ids(_) => (
                "vpc of service subnets".to_string(),
                "the services' subnet IDs".to_string(),
            ),
        };
        if let Some(id) = self.facts.vpc_params.get(&owner) {
            return Some(r#ref(id));
        }
        let (saved_owner, saved_key) = (self.owner, self.key);
        let base = self.at(Kind::Input, &owner, Owner::Shared);
        let id = self.claim(base, true);
        self.facts.to_mut().params.insert(
            id.clone(),
            json!({ "Type": "AWS::EC2::VPC::Id",
                    "Description": format!("VPC of the subnets in {what}: Wharf creates the services' security groups in it") }),
        );
        self.facts.to_mut().vpc_params.insert(owner, id.clone());
        self.owner = saved_owner;
        self.key = saved_key;
        Some(r#ref(&id))
    }

    pub fn net(&self, name: &str) -> Option<&NetFacts> {
        self.facts.nets.get(name)
    }
}

/// The template around a set of resources, as a value, in the key order
/// `StackWriter` writes (the tests hold the writer to it).
#[cfg(test)]
pub(crate) fn template(
    description: &str,
    parameters: IndexMap<String, Value>,
    resources: IndexMap<String, Value>,
    outputs: IndexMap<String, Value>,
) -> Value {
    let mut t = serde_json::Map::new();
    t.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
    t.insert("Description".into(), json!(description));
    // Moved, not `json!(...)`: that would serialize every value again.
    let object = |m: IndexMap<String, Value>| Value::Object(m.into_iter().collect());
    if !parameters.is_empty() {
        t.insert("Parameters".into(), object(parameters));
    }
    t.insert("Resources".into(), object(resources));
    if !outputs.is_empty() {
        t.insert("Outputs".into(), object(outputs));
    }
    Value::Object(t)
}

/// A resource or output as it goes into a stack: its entry's text, or a
/// value (emitted again, rewritten or added by the split).
pub(crate) enum Member {
    /// Compact JSON and its length in pretty JSON as a member.
    Text(Box<str>, usize),
    Value(Value),
}

impl Member {
    fn into_value(self) -> Value {
        match self {
            Member::Text(t, _) => {
                serde_json::from_str(&t).expect("an entry holds JSON that Wharf wrote")
            }
            Member::Value(v) => v,
        }
    }
}

/// A stack in the chosen syntax, keys in `template`'s order: the bytes of
/// `emit::to_json` or `to_yaml` of the `template` value, without building
/// it (`StackWriter`).
pub(crate) fn render_stack(
    description: &str,
    parameters: IndexMap<String, Value>,
    resources: Vec<(String, Member)>,
    outputs: Vec<(String, Member)>,
    format: Format,
) -> String {
    let size: usize = resources
        .iter()
        .map(|(k, m)| match m {
            Member::Text(_, len) => k.len() + len + 10,
            Member::Value(_) => k.len() + 256,
        })
        .sum();
    let mut w = StackWriter::new(description, &parameters, format, size);
    for (k, m) in resources {
        w.resource(&k, m);
    }
    w.finish(outputs)
}

/// Writes a stack member by member: its header and parameters, then each
/// resource as it comes (a split stack's as its items are replayed, so no
/// stack's values are held whole), then its outputs. JSON members are
/// written from their compact text (re-indented) or their value; YAML
/// members from their value.
pub(crate) struct StackWriter {
    out: Vec<u8>,
    format: Format,
    resources: usize,
}

impl StackWriter {
    pub fn new(
        description: &str,
        parameters: &IndexMap<String, Value>,
        format: Format,
        size: usize,
    ) -> StackWriter {
        use super::{write_pretty, write_str};
        let mut out = Vec::with_capacity(size + 4096);
        match format {
            Format::Json => {
                out.push(b'{');
                json_key(&mut out, "AWSTemplateFormatVersion");
                write_str(&mut out, "2010-09-09");
                out.push(b',');
                json_key(&mut out, "Description");
                write_str(&mut out, description);
                if !parameters.is_empty() {
                    out.push(b',');
                    json_key(&mut out, "Parameters");
                    write_pretty(
                        &mut out,
                        &Value::Object(parameters.clone().into_iter().collect()),
                        1,
                    );
                }
                out.push(b',');
                json_key(&mut out, "Resources");
                out.push(b'{');
            }
            Format::Yaml => {
                let mut head = serde_json::Map::new();
                head.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
                head.insert("Description".into(), json!(description));
                if !parameters.is_empty() {
                    let params = parameters.clone().into_iter().collect();
                    head.insert("Parameters".into(), Value::Object(params));
                }
                out.extend_from_slice(to_yaml(&Value::Object(head)).as_bytes());
            }
        }
        StackWriter {
            out,
            format,
            resources: 0,
        }
    }

    /// Appends a resource.
    pub fn resource(&mut self, id: &str, m: Member) {
        self.resources += 1;
        let first = self.resources == 1;
        member(&mut self.out, self.format, "Resources", first, id, m);
    }

    /// Appends the outputs and ends the stack.
    pub fn finish(mut self, outputs: Vec<(String, Member)>) -> String {
        let out = &mut self.out;
        match self.format {
            Format::Json => {
                if self.resources > 0 {
                    super::newline_indent(out, 1);
                }
                out.push(b'}');
                if !outputs.is_empty() {
                    out.push(b',');
                    json_key(out, "Outputs");
                    out.push(b'{');
                    for (i, (k, m)) in outputs.into_iter().enumerate() {
                        member(out, Format::Json, "Outputs", i == 0, &k, m);
                    }
                    super::newline_indent(out, 1);
                    out.push(b'}');
                }
                super::newline_indent(out, 0);
                out.extend_from_slice(b"}\n");
            }
            Format::Yaml => {
                if self.resources == 0 {
                    out.extend_from_slice(b"Resources: {}\n");
                }
                for (i, (k, m)) in outputs.into_iter().enumerate() {
                    member(out, Format::Yaml, "Outputs", i == 0, &k, m);
                }
            }
        }
        String::from_utf8(self.out).expect("the stack's text is UTF-8")
    }
}

/// `"key": ` on a new line at depth 1.
fn json_key(out: &mut Vec<u8>, k: &str) {
    super::newline_indent(out, 1);
    super::write_str(out, k);
    out.extend_from_slice(b": ");
}

/// One member of `section` (`Resources` or `Outputs`), after the section's
/// opening (JSON) or starting it when `first` (YAML).
fn member(out: &mut Vec<u8>, format: Format, section: &str, first: bool, k: &str, m: Member) {
    use super::{newline_indent, write_indented, write_pretty, write_str};
    match format {
        Format::Json => {
            if !first {
                out.push(b',');
            }
            newline_indent(out, 2);
            write_str(out, k);
            out.extend_from_slice(b": ");
            match m {
                Member::Text(t, _) => write_indented(out, &t, 2),
                Member::Value(v) => write_pretty(out, &v, 2),
            }
        }
        Format::Yaml => {
            if first {
                out.extend_from_slice(section.as_bytes());
                out.extend_from_slice(b":\n");
            }
            yaml::write_member(out, k, &m.into_value(), 2);
        }
    }
}
