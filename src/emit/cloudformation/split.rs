//! Writing stacks. Stage: emit (last step). Input: every emitted resource
//! tagged with its `Owner`; output: one template when it fits CloudFormation's
//! limits, else a shared stack, stacks of consecutive services and a links
//! stack, joined by `Export` / `Fn::ImportValue`, plus `deploy-order.txt`.
//!
//! Services are packed into stacks by their names (`pack`): a service starts
//! a new stack when a hash of its name is 0 modulo `SERVICES_PER_STACK`, or
//! when the stack it would join would pass a limit. So the cuts depend on the
//! services' names, not on their positions: adding, removing or renaming a
//! service moves services (which CloudFormation deletes and recreates) only
//! within its own stack and, when a limit cut it, the stacks up to the next
//! service whose name starts one; every other stack keeps its name and
//! services. A stack is named after its first service. About 32
//! services a stack instead of one: 30 times fewer files and stacks to write
//! and deploy, and fewer exports (a reference inside a stack is a `Ref`).
//! A reference to a resource in
//! another stack becomes an import of an export named `<program>-<Id>[-<Attr>]`;
//! a `DependsOn` on one is dropped, since the deploy order already creates it
//! first. Ownership rules in the emitter guarantee that references only point
//! to earlier stacks (shared < services in declaration order < links).

use crate::hash::{HashMap, HashSet};
use std::collections::{BTreeMap, BTreeSet};

use crate::emit::json::json;
use indexmap::IndexMap;
use serde_json::{Map, Value};

use super::value::{depends_on, get_att, r#ref, sub_vars};
use super::{
    errors, render_stack, replay, Built, Entries, Format, Index, Kept, Member, Name, Names, Owner,
    Reference, StackWriter,
};
use crate::diag::{Diagnostic, Span};
use crate::emit::Artifact;
use crate::ir::names::NameKind;
use crate::ir::Program;

pub const MAX_RESOURCES: usize = 500;
pub const MAX_PARAMETERS: usize = 200;
pub const MAX_OUTPUTS: usize = 200;
/// Template body size limit for a template read from S3.
pub const MAX_BYTES: usize = 1_048_576;
/// Rules per links stack: well under the resource limit, and small enough
/// that its exports stay few.
pub const LINKS_PER_STACK: usize = 400;
/// A service whose name hashes to 0 modulo this starts a new stack: the
/// mean number of services per stack where no limit cuts first.
pub const SERVICES_PER_STACK: u64 = 32;

/// Writes the program's stack(s) to `sink`, one at a time; stops when the
/// sink says so. Past the limits the stacks come in deploy order (see
/// `split`).
pub(super) fn write(
    p: &Program,
    ix: &Index<'_>,
    built: &Built<'_>,
    format: Format,
    sink: &mut dyn FnMut(Artifact) -> bool,
) -> Result<(), Vec<Diagnostic>> {
    // Entries hold their texts only while the counts fit; only then is the
    // program rendered whole to learn its size.
    let (r, pa, o) = (
        built.resources.len(),
        built.parameters.len(),
        built.outputs.len(),
    );
    if built.texts && r <= MAX_RESOURCES && pa <= MAX_PARAMETERS && o <= MAX_OUTPUTS {
        let members = |m: &Entries| -> Vec<(String, Member)> {
            m.iter()
                .enumerate()
                .filter_map(|(k, e)| {
                    let text = m.text(k)?.into();
                    let id = built.names.str(e.id).to_string();
                    Some((id, Member::Text(text, e.pretty_len as usize)))
                })
                .collect()
        };
        let contents = render_stack(
            &format!("Wharf stack `{}`: ECS clusters, tasks and services", p.name),
            built.parameters.clone(),
            members(&built.resources),
            members(&built.outputs),
            format,
        );
        if limit_exceeded(r, pa, o, contents.len()).is_none() {
            sink(Artifact {
                path: format!("{}.{}", p.name, format.extension()),
                contents,
            });
            return Ok(());
        }
    }
    split(p, ix, built, format, sink)
}

/// The first limit a template exceeds, in words: its resource, parameter
/// and output counts and the size of its rendered text.
pub fn limit_exceeded(r: usize, pa: usize, o: usize, bytes: usize) -> Option<String> {
    if r > MAX_RESOURCES {
        Some(format!("{r} resources (limit {MAX_RESOURCES})"))
    } else if pa > MAX_PARAMETERS {
        Some(format!("{pa} parameters (limit {MAX_PARAMETERS})"))
    } else if o > MAX_OUTPUTS {
        Some(format!("{o} outputs (limit {MAX_OUTPUTS})"))
    } else if bytes > MAX_BYTES {
        Some(format!("{bytes} bytes (limit {MAX_BYTES})"))
    } else {
        None
    }
}

/// Where each entry goes: the stack of its owner, a service's being its
/// stack's first service's.
struct Placement<'a> {
    names: &'a Names,
    resources: &'a Entries,
    /// The first service of each service's stack.
    first: Vec<usize>,
}

impl Placement<'_> {
    fn stack(&self, owner: Owner) -> Owner {
        match owner {
            Owner::Service(i) => Owner::Service(self.first[i]),
            o => o,
        }
    }

    /// The stack of the resource named `name`, if it is one.
    fn stack_of_name(&self, name: Name) -> Option<Owner> {
        self.resources.get(name).map(|e| self.stack(e.owner()))
    }
}

/// Rewrites references to other stacks' resources in one stack's values.
struct Rewriter<'a> {
    prefix: &'a str,
    placement: &'a Placement<'a>,
    /// The stack being written.
    current: Owner,
}

/// What every stack's rendering reads.
struct Stacks<'a> {
    p: &'a Program,
    ix: &'a Index<'a>,
    built: &'a Built<'a>,
    /// See `Stacks::fallback`.
    fallback: std::sync::OnceLock<Option<Built<'a>>>,
    prefix: String,
    placement: Placement<'a>,
    links_parts: usize,
    format: Format,
}

/// One stack to write: which entries it holds, the items that emit them,
/// and its exports.
#[derive(Default)]
struct Job {
    owner: Option<Owner>,
    resources: Vec<usize>,
    outputs: Vec<usize>,
    /// Indices into `Built::records`, in order.
    plan: Vec<usize>,
    exports: IndexMap<(String, Option<String>), String>,
}

/// A written stack: its name, file and text, or what is wrong with it.
struct Rendered {
    name: String,
    file: String,
    contents: String,
    diags: Vec<Diagnostic>,
}

/// Cuts the program into stacks and writes them. Which stack holds and
/// exports what is known from the entries (owners and references) before
/// any value is emitted again (references only point to earlier stacks:
/// shared < services in declaration order < links), so the stacks are then
/// independent: each one's items are replayed, its values rewritten and
/// rendered on one of a few threads, and handed to the sink in order (first
/// to last) by this one, then freed: the program's values are never all in
/// memory at once.
fn split(
    p: &Program,
    ix: &Index<'_>,
    built: &Built<'_>,
    format: Format,
    sink: &mut dyn FnMut(Artifact) -> bool,
) -> Result<(), Vec<Diagnostic>> {
    let prefix = stack_name(&p.name);
    let placement = Placement {
        names: &built.names,
        resources: &built.resources,
        first: pack(p, built, &prefix),
    };
    let mut jobs: BTreeMap<Owner, Job> = BTreeMap::new();
    let mut links_parts = 0;
    for (k, e) in built.resources.iter().enumerate() {
        let o = placement.stack(e.owner());
        if let Owner::Links(part) = o {
            links_parts = links_parts.max(part + 1);
        }
        jobs.entry(o).or_default().resources.push(k);
    }
    for (k, e) in built.outputs.iter().enumerate() {
        let o = placement.stack(e.owner());
        jobs.entry(o).or_default().outputs.push(k);
    }
    // The items each stack replays: those that emitted one of its entries.
    if !built.texts {
        for r in 0..built.records.len() {
            let (res, out) = built.ranges(r);
            let owners = built
                .resources
                .range(res)
                .iter()
                .chain(built.outputs.range(out))
                .map(|e| placement.stack(e.owner()));
            for o in owners {
                let plan = &mut jobs.entry(o).or_default().plan;
                if plan.last() != Some(&r) {
                    plan.push(r);
                }
            }
        }
    }
    // Exports and imports, in the order a rewrite of the stacks from the
    // last to the first meets the references (`Rewriter::rewrite` and
    // `value::for_each_ref` walk a value alike), which is the order of each
    // stack's export outputs.
    let mut exports: HashMap<Owner, IndexMap<(String, Option<String>), String>> =
        HashMap::default();
    let mut imports: HashMap<Owner, BTreeSet<Owner>> = HashMap::default();
    for (&o, job) in jobs.iter().rev() {
        let entries = job
            .resources
            .iter()
            .map(|&k| (&built.resources, k))
            .chain(job.outputs.iter().map(|&k| (&built.outputs, k)));
        for (list, k) in entries {
            for r in list.refs(&list[k]) {
                let Some(owner) = placement.stack_of_name(r.id).filter(|&x| x != o) else {
                    continue;
                };
                let (id, attr) = (built.names.str(r.id), r.attr.map(|a| built.names.str(a)));
                exports
                    .entry(owner)
                    .or_default()
                    .entry((id.to_string(), attr.map(str::to_string)))
                    .or_insert_with(|| export_name(&prefix, id, attr));
                imports.entry(o).or_default().insert(owner);
            }
        }
    }
    let jobs: Vec<Job> = jobs
        .into_iter()
        .map(|(owner, mut job)| {
            job.owner = Some(owner);
            job.exports = exports.remove(&owner).unwrap_or_default();
            job
        })
        .collect();
    let stacks = Stacks {
        p,
        ix,
        built,
        fallback: std::sync::OnceLock::new(),
        prefix,
        placement,
        links_parts,
        format,
    };
    let mut diags = Vec::new();
    // Per stack written, in order: its owner, name and file.
    let mut written: Vec<(Owner, String, String)> = Vec::new();
    let mut stopped = false;
    let mut take = |owner: Owner, r: Rendered| {
        diags.extend(r.diags);
        // After an error nothing more is written: the build fails.
        if diags.is_empty() && !stopped {
            let path = r.file.clone();
            stopped = !sink(Artifact {
                path,
                contents: r.contents,
            });
        }
        written.push((owner, r.name, r.file));
        !stopped
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, 4)
        .min(jobs.len());
    if threads <= 1 {
        for job in jobs {
            let (owner, r) = stacks.render(job);
            if !take(owner, r) {
                break;
            }
        }
    } else {
        let count = jobs.len();
        let queue = std::sync::Mutex::new(jobs.into_iter().enumerate());
        std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::channel();
            let next_job = || queue.lock().map(|mut q| q.next()).unwrap_or(None);
            for _ in 1..threads {
                let (tx, stacks) = (tx.clone(), &stacks);
                scope.spawn(move || {
                    while let Some((i, job)) = next_job() {
                        if tx.send((i, stacks.render(job))).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(tx);
            // This thread renders too, and hands the stacks over in order:
            // one that comes early waits for those before it (a few, about
            // one per thread).
            let mut pending = BTreeMap::new();
            let mut next = 0;
            while next < count {
                match next_job() {
                    Some((i, job)) => {
                        pending.insert(i, stacks.render(job));
                        pending.extend(rx.try_iter());
                    }
                    None => match rx.recv() {
                        Ok((i, r)) => {
                            pending.insert(i, r);
                        }
                        // Every other thread has ended: nothing more comes.
                        Err(_) => break,
                    },
                }
                while let Some((owner, r)) = pending.remove(&next) {
                    next += 1;
                    if !take(owner, r) {
                        return;
                    }
                }
            }
        });
    }
    if stopped {
        return Ok(());
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    // A stack deploys one step after the last stack it imports from.
    let mut steps: HashMap<Owner, usize> = HashMap::default();
    let mut order = Vec::new();
    for (o, name, file) in written {
        let step = 1 + imports
            .get(&o)
            .into_iter()
            .flatten()
            .filter_map(|i| steps.get(i))
            .max()
            .copied()
            .unwrap_or(0);
        steps.insert(o, step);
        order.push((step, name, file));
    }
    sink(Artifact {
        path: "deploy-order.txt".into(),
        contents: deploy_order(&p.name, &order),
    });
    Ok(())
}

/// Hands a stack's entries to `keep`, read back from their texts.
fn read_back(built: &Built<'_>, job: &Job, keep: &mut Kept<'_>) {
    for (resource, ks, entries) in [
        (true, &job.resources, &built.resources),
        (false, &job.outputs, &built.outputs),
    ] {
        for &k in ks {
            if let Some(v) = entries.value(k) {
                keep(resource, k, v);
            }
        }
    }
}

/// The export a stack gives another's import of `id` (and `attr`).
fn export_name(prefix: &str, id: &str, attr: Option<&str>) -> String {
    match attr {
        Some(a) => format!("{prefix}-{id}-{a}"),
        None => format!("{prefix}-{id}"),
    }
}

impl Stacks<'_> {
    /// Hands a stack's entries to `keep`, in order: read back from their
    /// texts, or emitted again by its items.
    fn values(&self, job: &Job, o: Owner, keep: &mut Kept<'_>) -> bool {
        let built = self.built;
        if built.texts {
            read_back(built, job, keep);
            return true;
        }
        let want = |owner: Owner| self.placement.stack(owner) == o;
        replay(self.p, self.ix, built, &job.plan, &want, keep)
    }

    /// The program emitted once more, every entry keeping its text: what a
    /// stack is written from if its replay ever gave other entries than the
    /// first emission (which `tests/cfn_replay.rs` holds never to happen),
    /// so that a wrong stack is never written.
    fn fallback(&self) -> Option<&Built<'_>> {
        self.fallback
            .get_or_init(|| super::build(self.p, self.ix, true).ok())
            .as_ref()
    }

    /// One stack: its header, then its values as they are emitted again,
    /// rewritten where they refer to another stack, then its outputs and
    /// exports.
    fn render(&self, job: Job) -> (Owner, Rendered) {
        let o = job.owner.expect("every job has its stack");
        let (p, built) = (self.p, self.built);
        let names = &built.names;
        let rw = Rewriter {
            prefix: &self.prefix,
            placement: &self.placement,
            current: o,
        };
        let (name, description, span) = match o {
            Owner::Shared => (
                format!("{}-shared", self.prefix),
                format!(
                    "Wharf stack `{}` (shared): network, clusters, load balancers, namespaces",
                    p.name
                ),
                p.clusters.first().map_or(Span::default(), |c| c.span),
            ),
            Owner::Service(i) => {
                let first = &self.placement.first;
                // The stack's services run from `i` to the last one packed with it.
                let last = (i..first.len())
                    .take_while(|&j| first[j] == i)
                    .last()
                    .unwrap_or(i);
                let description = if last == i {
                    format!("Wharf stack `{}`: service `{}`", p.name, p.services[i].name)
                } else {
                    format!(
                        "Wharf stack `{}`: {} services, `{}` to `{}`",
                        p.name,
                        last - i + 1,
                        p.services[i].name,
                        p.services[last].name
                    )
                };
                (
                    format!("{}-{}", self.prefix, stack_name(&p.services[i].name)),
                    description,
                    p.services[i].span,
                )
            }
            Owner::Links(k) => (
                if self.links_parts > 1 {
                    format!("{}-links-{}", self.prefix, k + 1)
                } else {
                    format!("{}-links", self.prefix)
                },
                format!(
                    "Wharf stack `{}` (links): security group rules between services",
                    p.name
                ),
                Span::default(),
            ),
        };
        // Parameters some member refers to (rewriting changes no parameter
        // reference); unused ones would be cfn-lint warnings.
        let mut used: HashSet<&str> = HashSet::default();
        let entries = job
            .resources
            .iter()
            .map(|&k| (&built.resources, k))
            .chain(job.outputs.iter().map(|&k| (&built.outputs, k)));
        let mut size = 0;
        for (list, k) in entries {
            size += list[k].pretty_len as usize + 16;
            for r in list.refs(&list[k]) {
                if let Some((param, _)) = built.parameters.get_key_value(names.str(r.id)) {
                    used.insert(param.as_str());
                }
            }
        }
        let parameters: IndexMap<String, Value> = built
            .parameters
            .iter()
            .filter(|(k, _)| used.contains(k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        // The stack's resources are written as they come; if they turn out
        // not to be its entries, it is written again from the fallback.
        let write = |feed: &mut dyn FnMut(&mut Kept<'_>) -> bool| {
            let mut w = StackWriter::new(&description, &parameters, self.format, size);
            let mut outputs = Vec::new();
            let (mut expected_resources, mut expected_outputs) =
                (job.resources.iter(), job.outputs.iter());
            let mut same = true;
            same &= feed(&mut |resource, k, mut v| {
                let (list, expected) = match resource {
                    true => (&built.resources, &mut expected_resources),
                    false => (&built.outputs, &mut expected_outputs),
                };
                if expected.next() != Some(&k) {
                    same = false;
                    return;
                }
                let e = &list[k];
                if list.refs(e).iter().any(|r| rw.foreign_name(r.id).is_some()) {
                    rw.rewrite(&mut v);
                }
                // A `DependsOn` keeps this stack's resources, as a list.
                if resource && e.depends {
                    rw.drop_foreign_depends(&mut v);
                }
                let id = names.str(e.id);
                match resource {
                    true => w.resource(id, Member::Value(v)),
                    false => outputs.push((id.to_string(), Member::Value(v))),
                }
            });
            same &= expected_resources.next().is_none() && expected_outputs.next().is_none();
            (w, outputs, same)
        };
        let (mut w, mut outputs, same) = write(&mut |keep| self.values(&job, o, keep));
        debug_assert!(same, "a stack's values are its entries");
        if !same {
            if let Some(fallback) = self.fallback() {
                (w, outputs, _) = write(&mut |keep| {
                    read_back(fallback, &job, keep);
                    true
                });
            }
        }
        for ((id, attr), export) in job.exports {
            let value = match &attr {
                Some(a) => get_att(&id, a),
                None => r#ref(&id),
            };
            outputs.push((
                format!("{id}{}Export", attr.as_deref().unwrap_or("")),
                Member::Value(json!({ "Value": value, "Export": { "Name": export } })),
            ));
        }
        let counts = (job.resources.len(), parameters.len(), outputs.len());
        let contents = w.finish(outputs);
        let mut diags = Vec::new();
        if let Err(problem) = NameKind::Stack.check(&name) {
            diags.push(errors::derived_stack_name(&name, &problem, span));
        }
        if let Some(what) = limit_exceeded(counts.0, counts.1, counts.2, contents.len()) {
            diags.push(errors::stack_too_large(&name, &what, span));
        }
        let file = format!("{name}.{}", self.format.extension());
        (
            o,
            Rendered {
                name,
                file,
                contents,
                diags,
            },
        )
    }
}

/// What one service adds to the stack it joins, counted before the split
/// rewrites anything: exact counts, and bytes as an upper bound of its
/// rendered JSON (each reference to another stack as the longest import it
/// can become, each resource another stack refers to as an export).
#[derive(Default)]
struct Weight<'a> {
    resources: usize,
    /// Its outputs plus the exports other stacks may import from it.
    outputs: usize,
    bytes: usize,
    parameters: Vec<&'a str>,
}

/// The stack of every service, as the index of its stack's first service.
/// A service starts a new stack when the FNV-1a hash of its name is 0
/// modulo `SERVICES_PER_STACK` (so the cuts move with names, not positions),
/// or when joining the current one would pass a limit: 500 resources, 200
/// outputs (counting every export it may need), 200 parameters or 1 MiB
/// (bounded above, so the rendered template fits). One pass over the
/// program; a service past a limit on its own is a stack of its own, which
/// `split` reports (E0504).
fn pack(p: &Program, built: &Built, prefix: &str) -> Vec<usize> {
    let n = p.services.len();
    let names = &built.names;
    let mut w: Vec<Weight> = (0..n).map(|_| Weight::default()).collect();
    let mut exported: HashSet<Reference> = HashSet::default();
    let entries = built
        .resources
        .iter()
        .map(|e| (&built.resources, e, true))
        .chain(built.outputs.iter().map(|e| (&built.outputs, e, false)));
    for (list, e, is_resource) in entries {
        let own = match e.owner() {
            Owner::Service(i) => Some(i),
            _ => None,
        };
        if let Some(i) = own {
            if is_resource {
                w[i].resources += 1;
            } else {
                w[i].outputs += 1;
            }
            w[i].bytes += 2 * 2 + str_len(names.str(e.id)) + 2 + e.pretty_len as usize + 2;
        }
        for r in list.refs(e) {
            let rid = names.str(r.id);
            if let Some(i) = own {
                if built.parameters.contains_key(rid) {
                    w[i].parameters.push(rid);
                }
            }
            let Some(o) = built.resources.get(r.id).map(|x| x.owner()) else {
                continue;
            };
            if o == e.owner() {
                continue;
            }
            let name = prefix.len() + rid.len() + r.attr.map_or(0, |a| names.str(a).len()) + 2;
            if let Some(i) = own {
                // `{"Ref": id}` or a `${id}` becoming an import, with its
                // `Fn::Sub` local, at any depth.
                w[i].bytes += 160 + 2 * name;
            }
            if let Owner::Service(j) = o {
                if exported.insert(*r) {
                    w[j].outputs += 1;
                    w[j].bytes += 200 + 3 * name;
                }
            }
        }
    }
    let header = 256 + p.name.len() * 2 + 64;
    let param_len = |id: &str| member_len(id, &built.parameters[id], 2);
    let mut first = vec![0; n];
    let mut stack = Weight::default();
    let mut params: HashSet<&str> = HashSet::default();
    let mut start = 0;
    for i in 0..n {
        let own = &w[i];
        let new_params: HashSet<&str> = own
            .parameters
            .iter()
            .copied()
            .filter(|id| !params.contains(id))
            .collect();
        let added_bytes: usize = new_params.iter().map(|id| param_len(id)).sum();
        let fits = stack.resources + own.resources <= MAX_RESOURCES
            && stack.outputs + own.outputs <= MAX_OUTPUTS
            && params.len() + new_params.len() <= MAX_PARAMETERS
            && stack.bytes + own.bytes + added_bytes <= MAX_BYTES;
        let named_cut = fnv1a(p.services[i].name.as_bytes()).is_multiple_of(SERVICES_PER_STACK);
        if i > 0 && (named_cut || !fits) {
            start = i;
            stack = Weight {
                bytes: header,
                ..Weight::default()
            };
            params.clear();
            for id in &own.parameters {
                if params.insert(id) {
                    stack.bytes += param_len(id);
                }
            }
        } else {
            if i == 0 {
                stack.bytes = header;
            }
            stack.bytes += added_bytes;
            params.extend(new_params);
        }
        stack.resources += own.resources;
        stack.outputs += own.outputs;
        stack.bytes += own.bytes;
        first[i] = start;
    }
    first
}

/// 64-bit FNV-1a: a hash that never changes between runs, builds or
/// platforms (the standard library's may).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The bytes of `"key": value,` and its line break in pretty JSON, the
/// member at `depth` (as `emit::to_json` writes it).
fn member_len(key: &str, v: &Value, depth: usize) -> usize {
    2 * depth + str_len(key) + 2 + json_len(v, depth) + 2
}

/// The length of `v` in `emit::to_json`'s pretty JSON at `depth`.
pub(super) fn json_len(v: &Value, depth: usize) -> usize {
    match v {
        Value::Null | Value::Bool(true) => 4,
        Value::Bool(false) => 5,
        Value::Number(n) => n.to_string().len(),
        Value::String(s) => str_len(s),
        Value::Array(a) if a.is_empty() => 2,
        Value::Object(m) if m.is_empty() => 2,
        Value::Array(a) => {
            a.iter()
                .map(|x| 1 + 2 * (depth + 1) + json_len(x, depth + 1) + 1)
                .sum::<usize>()
                + 1
                + 2 * depth
                + 1
        }
        Value::Object(m) => {
            m.iter()
                .map(|(k, x)| member_len(k, x, depth + 1))
                .sum::<usize>()
                + 2 * depth
                + 2
        }
    }
}

fn str_len(s: &str) -> usize {
    if crate::emit::needs_escape(s) {
        serde_json::to_string(s).map_or(s.len() * 6 + 2, |t| t.len())
    } else {
        s.len() + 2
    }
}

fn deploy_order(program: &str, order: &[(usize, String, String)]) -> String {
    let mut s = format!(
        "# Deploy order for Wharf program `{program}`: {} stacks joined by exports.\n\
         # Deploy the stacks of each step after every stack of the previous step has\n\
         # finished; stacks within one step are independent. Delete in reverse order.\n\
         # Example: aws cloudformation deploy --stack-name STACK --template-file TEMPLATE \\\n\
         #            --capabilities CAPABILITY_IAM\n\
         #\n\
         # step stack template\n",
        order.len()
    );
    let mut sorted: Vec<&(usize, String, String)> = order.iter().collect();
    sorted.sort_by_key(|(step, _, _)| *step);
    for (step, name, file) in sorted {
        s.push_str(&format!("{step} {name} {file}\n"));
    }
    s
}

/// A CloudFormation stack (and export) name part: letters, digits, hyphens.
fn stack_name(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        out.insert(0, 'w');
    }
    out
}

impl Rewriter<'_> {
    fn foreign(&self, id: &str) -> Option<Owner> {
        self.foreign_name(self.placement.names.get(id)?)
    }

    fn foreign_name(&self, name: Name) -> Option<Owner> {
        self.placement
            .stack_of_name(name)
            .filter(|o| *o != self.current)
    }

    /// The IDs of a `DependsOn` that this stack holds: the deploy order
    /// already creates the others first.
    fn local<'s>(&self, ids: impl IntoIterator<Item = &'s str>) -> Vec<&'s str> {
        ids.into_iter()
            .filter(|id| self.foreign(id).is_none())
            .collect()
    }

    /// The import of another stack's export of `id` (and `attr`).
    fn import(&self, id: &str, attr: Option<&str>) -> Value {
        json!({ "Fn::ImportValue": export_name(self.prefix, id, attr) })
    }

    /// Retargets, in place, every reference to a resource of another stack
    /// (an import); the rest of the value is left as it is.
    fn rewrite(&self, v: &mut Value) {
        if let Some(new) = self.replacement(v) {
            *v = new;
            return;
        }
        match v {
            Value::Object(m) => m.values_mut().for_each(|x| self.rewrite(x)),
            Value::Array(a) => a.iter_mut().for_each(|x| self.rewrite(x)),
            _ => {}
        }
    }

    /// The value that replaces an intrinsic function naming another stack's
    /// resource, if `v` is one.
    fn replacement(&self, v: &Value) -> Option<Value> {
        let Value::Object(m) = v else { return None };
        if m.len() != 1 {
            return None;
        }
        let (k, arg) = m.iter().next()?;
        match (k.as_str(), arg) {
            ("Ref", Value::String(id)) => {
                self.foreign(id)?;
                Some(self.import(id, None))
            }
            ("Fn::GetAtt", Value::Array(a)) if a.len() == 2 => {
                let (id, attr) = (a[0].as_str()?, a[1].as_str()?);
                self.foreign(id)?;
                Some(self.import(id, Some(attr)))
            }
            // Rebuilt only when it names another stack's resource: the
            // rebuilt text of one that does not is the same.
            ("Fn::Sub", Value::String(s)) => {
                let mut foreign = false;
                sub_vars(s, &[], &mut |id, _| foreign |= self.foreign(id).is_some());
                foreign.then(|| self.rewrite_sub(s, Map::new()))
            }
            ("Fn::Sub", Value::Array(a)) if a.len() == 2 => {
                let mut locals = a[1].clone();
                self.rewrite(&mut locals);
                let locals = match locals {
                    Value::Object(m) => m,
                    _ => Map::new(),
                };
                Some(self.rewrite_sub(a[0].as_str()?, locals))
            }
            _ => None,
        }
    }

    fn rewrite_sub(&self, s: &str, mut locals: Map<String, Value>) -> Value {
        let mut out = String::new();
        let mut rest = s;
        while let Some(i) = rest.find("${") {
            out.push_str(&rest[..i + 2]);
            rest = &rest[i + 2..];
            let Some(end) = rest.find('}') else { break };
            let var = &rest[..end];
            let (id, attr) = match var.split_once('.') {
                Some((id, a)) => (id, Some(a)),
                None => (var, None),
            };
            let local = format!("{id}{}", attr.unwrap_or(""));
            match (locals.contains_key(var), self.foreign(id)) {
                (false, Some(_)) if !var.starts_with('!') => {
                    let import = self.import(id, attr);
                    locals.insert(local.clone(), import);
                    out.push_str(&local);
                }
                _ => out.push_str(var),
            }
            out.push('}');
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        if locals.is_empty() {
            json!({ "Fn::Sub": out })
        } else {
            json!({ "Fn::Sub": [out, locals] })
        }
    }

    fn drop_foreign_depends(&self, resource: &mut Value) {
        let deps = depends_on(resource);
        if deps.is_empty() {
            return;
        }
        let local = self.local(deps.iter().map(String::as_str));
        let m = resource.as_object_mut().expect("resources are objects");
        match local.len() {
            0 => {
                m.shift_remove("DependsOn");
            }
            _ => {
                m.insert("DependsOn".into(), json!(local));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `json_len` is the length `emit::to_json` writes, at any depth.
    #[test]
    fn json_len_is_the_written_length() {
        let v = json!({
            "empty": {}, "none": [], "null": null, "yes": true, "no": false,
            "n": [0, 1, -7, 0.25, 1e300],
            "s": ["plain", "q\"uote", "tab\tnl\n", "é ✓", ""],
            "nested": { "a": [ { "b": [[]] , "c": {"d": {"Ref": "X"}} } ] },
        });
        assert_eq!(json_len(&v, 0) + 1, crate::emit::to_json(&v).len());
        let wrapped = json!({ "a": { "b": v.clone() } });
        let member = member_len("b", &v, 2);
        // `{\n  "a": {` and a line break, the member without its comma,
        // `\n  }\n}\n`.
        assert_eq!(10 + member - 1 + 7, crate::emit::to_json(&wrapped).len());
    }

    /// A JSON stack written from its members' texts has the bytes of
    /// `emit::to_json` of the `template` value, with and without
    /// parameters and outputs.
    #[test]
    fn render_stack_is_to_json_of_the_template() {
        use crate::emit::cloudformation::template;
        let a = json!({ "Type": "AWS::SQS::Queue", "Properties": { "Tags": [], "Name": "q\"x", "N": [1, 0.5, {}] } });
        let b = json!({ "Type": "AWS::Logs::LogGroup", "DependsOn": ["A"], "Properties": { "R": { "Ref": "P" } } });
        let out = json!({ "Description": "d", "Value": { "Fn::GetAtt": ["A", "Arn"] } });
        let params: IndexMap<String, Value> =
            [("P".to_string(), json!({ "Type": "String", "Default": "x" }))].into();
        for (params, outputs) in [
            (params.clone(), vec![("O".to_string(), out.clone())]),
            (IndexMap::new(), vec![]),
        ] {
            let members = |v: &[(&str, &Value)], text: bool| -> Vec<(String, Member)> {
                v.iter()
                    .map(|(k, v)| {
                        let m = if text {
                            {
                                let text = serde_json::to_string(v).unwrap();
                                Member::Text(text.into(), json_len(v, 2))
                            }
                        } else {
                            Member::Value((*v).clone())
                        };
                        (k.to_string(), m)
                    })
                    .collect()
            };
            let resources = [("A", &a), ("B", &b)];
            let outs: Vec<(&str, &Value)> = outputs.iter().map(|(k, v)| (k.as_str(), v)).collect();
            let expected = crate::emit::to_json(&template(
                "desc",
                params.clone(),
                resources
                    .iter()
                    .map(|(k, v)| (k.to_string(), (*v).clone()))
                    .collect(),
                outputs.iter().cloned().collect(),
            ));
            for text in [true, false] {
                let got = render_stack(
                    "desc",
                    params.clone(),
                    members(&resources, text),
                    members(&outs, !text),
                    Format::Json,
                );
                assert_eq!(got, expected);
            }
        }
    }

    #[test]
    fn stack_names_are_valid() {
        assert_eq!(stack_name("my_app"), "my-app");
        assert_eq!(stack_name("1st"), "w1st");
    }
}
