//! CloudFormation backend. Stage: emit. Input: a checked `ir::Program`;
//! output: one deployable stack (`<program>.json` or `.yaml`), or, past
//! CloudFormation's limits, a shared stack plus stacks of consecutive services
//! joined by exports, with `deploy-order.txt`.
//!
//! Emission builds every resource once into an ordered map, each tagged with
//! the stack that would own it if the program has to be split (`Owner`); the
//! `split` module then either writes it as one template or partitions it.
//! Logical IDs come from Wharf names (`ids`); when two names would give the
//! same ID, emission is repeated with those names hashed, so IDs stay a pure
//! function of the names. Output is deterministic: maps keep insertion order
//! and everything is emitted in declaration order. Lookups go through `Index`
//! maps built once, so emission is linear in the size of the program.

mod capacity;
mod cluster;
mod connect;
mod deploy;
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
use std::collections::BTreeSet;

use indexmap::IndexMap;
use serde_json::{json, Value};

use self::ids::{Ids, Kind, OwnerKey};
use self::value::{r#ref, sub};
use super::Artifact;
use crate::diag::Diagnostic;
use crate::ir::{self, InputType, Program, Text, TextPart};

pub use self::yaml::to_yaml;

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
    let built = build(program)?;
    split::write(program, built, format, sink)
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

/// One emitted resource or output, held as compact JSON until its stack is
/// written, with what the splitter needs to know of it without reading it
/// back. A `serde_json::Value` is several times its text (an ordered map
/// per object, a heap string per key): at 10,000 services the trees were
/// 350 MB, the compact texts are about 45 MB. A JSON stack is written by
/// re-indenting its entries' texts (`write_indented`), except for the
/// entries the split rewrites (references to other stacks), which are read
/// back.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub owner: Owner,
    /// Compact JSON (`serde_json::to_string`).
    pub text: Box<str>,
    /// Every ID (or parameter) it refers to, with the attribute of a
    /// `GetAtt` (`value::for_each_ref`), in order.
    pub refs: Box<[Reference]>,
    /// Its `DependsOn` entries.
    pub depends: Box<[Box<str>]>,
    /// The length of its value in pretty JSON as a member of `Resources`
    /// or `Outputs` (`split::json_len` at depth 2).
    pub pretty_len: usize,
}

/// A logical ID (or parameter) and the attribute a `GetAtt` reads.
pub(crate) type Reference = (Box<str>, Option<Box<str>>);

impl Entry {
    pub fn new(owner: Owner, value: &Value) -> Entry {
        let mut refs = Vec::new();
        value::for_each_ref(value, &mut |id, attr| {
            refs.push((id.into(), attr.map(Into::into)))
        });
        Entry {
            owner,
            text: serde_json::to_string(value)
                .expect("a value always serializes")
                .into_boxed_str(),
            pretty_len: split::json_len(value, 2),
            refs: refs.into_boxed_slice(),
            depends: value::depends_on(value)
                .into_iter()
                .map(String::into_boxed_str)
                .collect(),
        }
    }

    /// The value, read back.
    pub fn value(&self) -> Value {
        serde_json::from_str(&self.text).expect("an entry holds JSON that Wharf wrote")
    }
}

/// Emitted resources or outputs by logical ID, in emission order.
pub(crate) type Entries = crate::hash::IndexMap<String, Entry>;

/// Everything emitted, before it is cut into stacks.
pub(crate) struct Built {
    pub parameters: IndexMap<String, Value>,
    pub resources: Entries,
    pub outputs: Entries,
}

fn build(program: &Program) -> Result<Built, Vec<Diagnostic>> {
    let mut hashed = BTreeSet::new();
    loop {
        let ids = Ids::new(hashed.clone());
        let mut cx = Ctx::new(program, &ids);
        cx.emit_program();
        let before = hashed.len();
        hashed.extend(cx.collisions.iter().cloned());
        if cx.collisions.is_empty() || hashed.len() == before {
            if !cx.diags.is_empty() {
                crate::diag::sort(&mut cx.diags);
                return Err(cx.diags);
            }
            return Ok(Built {
                parameters: cx.used_parameters(),
                resources: cx.resources,
                outputs: cx.outputs,
            });
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
    pub ids: &'a Ids,
    pub ix: Index<'a>,
    pub resources: Entries,
    pub outputs: Entries,
    pub diags: Vec<Diagnostic>,
    pub nets: HashMap<&'a str, NetFacts>,
    pub defaults: lb::DefaultTargets,
    params: IndexMap<String, Value>,
    param_ids: HashMap<&'a str, String>,
    /// Derived `VpcOf...` parameters by what they stand for.
    vpc_params: HashMap<String, String>,
    owner: Owner,
    key: OwnerKey,
    who: HashMap<String, OwnerKey>,
    collisions: BTreeSet<OwnerKey>,
}

impl<'a> Ctx<'a> {
    fn new(p: &'a Program, ids: &'a Ids) -> Ctx<'a> {
        Ctx {
            p,
            ids,
            ix: Index::new(p),
            resources: Default::default(),
            outputs: Default::default(),
            diags: Vec::new(),
            nets: HashMap::default(),
            defaults: lb::DefaultTargets::default(),
            params: IndexMap::new(),
            param_ids: HashMap::default(),
            vpc_params: HashMap::default(),
            owner: Owner::Shared,
            key: (Kind::Input, String::new()),
            who: HashMap::default(),
            collisions: BTreeSet::new(),
        }
    }

    fn emit_program(&mut self) {
        self.emit_parameters();
        let p = self.p;
        for n in &p.networks {
            self.emit_network(n);
        }
        for c in &p.clusters {
            self.emit_cluster(c);
        }
        for g in &p.log_groups {
            self.emit_log_group(g);
        }
        for ns in &p.namespaces {
            self.emit_namespace(ns);
        }
        self.emit_connect_namespaces();
        for lb in &p.load_balancers {
            self.emit_load_balancer(lb);
        }
        for t in &p.tasks {
            self.emit_task(t);
        }
        for (i, s) in p.services.iter().enumerate() {
            self.emit_service(i, s);
        }
        for (i, s) in p.services.iter().enumerate() {
            self.emit_caller_rules(i, s);
        }
        for s in &p.services {
            self.emit_connect_rules(s);
        }
        for (i, s) in p.services.iter().enumerate() {
            self.emit_queue(i, s);
        }
        self.emit_capacity_rules();
        for j in &p.jobs {
            self.emit_job(j);
        }
        for s in &p.schedules {
            self.emit_schedule(s);
        }
    }

    /// Sets who owns the next resources: the declaration (for ID collisions)
    /// and the stack (for splitting).
    pub fn at(&mut self, kind: Kind, name: &str, owner: Owner) -> String {
        self.key = (kind, name.to_string());
        self.owner = owner;
        self.ids.base(kind, name)
    }

    /// Adds a resource `{Type, Properties, ...}` under the current owner.
    pub fn add(&mut self, id: String, value: Value) {
        let id = self.claim(id);
        self.resources.insert(id, Entry::new(self.owner, &value));
    }

    pub fn output(&mut self, id: String, description: &str, value: Value) {
        let id = self.claim(id);
        let value = json!({ "Description": description, "Value": value });
        self.outputs.insert(id, Entry::new(self.owner, &value));
    }

    /// Records who uses an ID. Two owners -> both hashed in the next round;
    /// one owner twice (e.g. two exposures of one port) -> a numbered suffix.
    fn claim(&mut self, id: String) -> String {
        match self.who.get(&id) {
            None => {
                self.who.insert(id.clone(), self.key.clone());
                id
            }
            Some(k) if *k != self.key => {
                self.collisions.insert(k.clone());
                self.collisions.insert(self.key.clone());
                let mut n = 2;
                while self.who.contains_key(&format!("{id}{n}")) {
                    n += 1;
                }
                format!("{id}{n}")
            }
            Some(_) => {
                let mut n = 2;
                while self.who.contains_key(&format!("{id}{n}")) {
                    n += 1;
                }
                let id = format!("{id}{n}");
                self.who.insert(id.clone(), self.key.clone());
                id
            }
        }
    }

    fn emit_parameters(&mut self) {
        let p = self.p;
        for input in &p.inputs {
            let id = self.at(Kind::Input, &input.name, Owner::Shared);
            let id = self.claim(id);
            let (ty, default) = match input.ty {
                InputType::String => ("String", json!(input.value)),
                InputType::Int => ("Number", json!(input.value)),
                InputType::Bool => ("String", json!(input.value)),
                InputType::VpcId => ("AWS::EC2::VPC::Id", json!(input.value)),
                InputType::SubnetIds => ("List<AWS::EC2::Subnet::Id>", json!(input.value)),
                InputType::SecurityGroupIds => {
                    ("List<AWS::EC2::SecurityGroup::Id>", json!(input.value))
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
            self.params.insert(id.clone(), v);
            self.param_ids.insert(&input.name, id);
        }
    }

    /// Parameters some resource or output refers to, in input order (an unused
    /// parameter is a cfn-lint warning).
    fn used_parameters(&self) -> IndexMap<String, Value> {
        let mut used: HashSet<&str> = HashSet::default();
        for e in self.resources.values().chain(self.outputs.values()) {
            for (id, _) in &e.refs {
                if self.params.contains_key(&**id) {
                    used.insert(id);
                }
            }
        }
        self.params
            .iter()
            .filter(|(k, _)| used.contains(k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// The parameter ID of an input.
    pub fn param(&self, input: &str) -> String {
        self.param_ids
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
        if let Some(id) = self.vpc_params.get(&owner) {
            return Some(r#ref(id));
        }
        let (saved_owner, saved_key) = (self.owner, self.key.clone());
        let base = self.at(Kind::Input, &owner, Owner::Shared);
        let id = self.claim(base);
        self.params.insert(
            id.clone(),
            json!({ "Type": "AWS::EC2::VPC::Id",
                    "Description": format!("VPC of the subnets in {what}: Wharf creates the services' security groups in it") }),
        );
        self.vpc_params.insert(owner, id.clone());
        self.owner = saved_owner;
        self.key = saved_key;
        Some(r#ref(&id))
    }

    pub fn net(&self, name: &str) -> Option<&NetFacts> {
        self.nets.get(name)
    }
}

/// The template around a set of resources: fixed key order.
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

/// A resource or output as it goes into a stack: its entry as emitted, or
/// a value the split rewrote (or added).
pub(crate) enum Member {
    Entry(Entry),
    Value(Value),
}

impl Member {
    fn into_value(self) -> Value {
        match self {
            Member::Entry(e) => e.value(),
            Member::Value(v) => v,
        }
    }
}

/// A stack in the chosen syntax, keys in `template`'s order. JSON is
/// written directly, each member's compact text re-indented as it is
/// copied: the same bytes as `emit::to_json` of the `template` value,
/// without building it.
pub(crate) fn render_stack(
    description: &str,
    parameters: IndexMap<String, Value>,
    resources: Vec<(String, Member)>,
    outputs: Vec<(String, Member)>,
    format: Format,
) -> String {
    use super::{newline_indent, write_indented, write_pretty, write_str};
    if format == Format::Yaml {
        let members = |m: Vec<(String, Member)>| -> IndexMap<String, Value> {
            m.into_iter().map(|(k, m)| (k, m.into_value())).collect()
        };
        let t = template(
            description,
            parameters,
            members(resources),
            members(outputs),
        );
        return to_yaml(&t);
    }
    let size: usize = resources
        .iter()
        .chain(&outputs)
        .map(|(k, m)| match m {
            Member::Entry(e) => k.len() + e.pretty_len + 10,
            Member::Value(_) => k.len() + 256,
        })
        .sum();
    let mut out = Vec::with_capacity(size + 4096);
    let key = |out: &mut Vec<u8>, k: &str| {
        newline_indent(out, 1);
        write_str(out, k);
        out.extend_from_slice(b": ");
    };
    let section = |out: &mut Vec<u8>, members: Vec<(String, Member)>| {
        if members.is_empty() {
            out.extend_from_slice(b"{}");
            return;
        }
        out.push(b'{');
        for (i, (k, m)) in members.into_iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            newline_indent(out, 2);
            write_str(out, &k);
            out.extend_from_slice(b": ");
            match m {
                Member::Entry(e) => write_indented(out, &e.text, 2),
                Member::Value(v) => write_pretty(out, &v, 2),
            }
        }
        newline_indent(out, 1);
        out.push(b'}');
    };
    out.push(b'{');
    key(&mut out, "AWSTemplateFormatVersion");
    write_str(&mut out, "2010-09-09");
    out.push(b',');
    key(&mut out, "Description");
    write_str(&mut out, description);
    if !parameters.is_empty() {
        out.push(b',');
        key(&mut out, "Parameters");
        write_pretty(
            &mut out,
            &Value::Object(parameters.into_iter().collect()),
            1,
        );
    }
    out.push(b',');
    key(&mut out, "Resources");
    section(&mut out, resources);
    if !outputs.is_empty() {
        out.push(b',');
        key(&mut out, "Outputs");
        section(&mut out, outputs);
    }
    newline_indent(&mut out, 0);
    out.extend_from_slice(b"}\n");
    String::from_utf8(out).expect("JSON text is UTF-8")
}
