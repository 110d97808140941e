//! Queue workers in the local manifest. No stand-in queue runs: a
//! consumer's tasks run as written, and the manifest says so
//! (`Service::queue`, which `wharf up` prints). The queue URL variable is
//! set to the AWS queue's URL when the program says where it is (an
//! existing queue's ARN, or a created queue's name with the program's
//! `account` and `region`), so a worker run locally can consume the real
//! queue with the developer's credentials; otherwise it is not set.

use crate::ir::{self, QueueKind};
use crate::manifest as m;
use std::collections::HashMap;

/// A consumer service's queue, as the manifest gives it.
pub(super) fn service_queue(program: &ir::Program, s: &ir::Service) -> Option<m::Queue> {
    let q = s.queue.as_ref()?;
    let (name, url) = match &q.kind {
        QueueKind::Existing(t) => {
            let arn = t.resolve(&program.inputs);
            match ir::parse_queue_arn(&arn) {
                Some((region, account, name)) => {
                    (name.to_string(), Some(ir::queue_url(region, account, name)))
                }
                None => (arn.clone(), None),
            }
        }
        QueueKind::Created(c) => (
            c.queue_name.clone(),
            program
                .region
                .as_deref()
                .zip(program.account.as_deref())
                .map(|(r, a)| ir::queue_url(r, a, &c.queue_name)),
        ),
    };
    Some(m::Queue {
        name,
        container: q.container.clone(),
        variable: q.env.clone(),
        url,
    })
}

/// The queue URL variables tasks' containers get, by task position:
/// (container, variable, URL), in service order. A consumer's variable
/// goes to the first task of its family with the container it names.
pub(super) fn variables(program: &ir::Program) -> HashMap<usize, Vec<(String, String, String)>> {
    let mut out: HashMap<usize, Vec<(String, String, String)>> = HashMap::new();
    if program.services.iter().all(|s| s.queue.is_none()) {
        return out;
    }
    // The first task of each (family, container), and each task's family
    // by name: looked up once per consumer, not searched.
    let mut first: HashMap<(&str, &str), usize> = HashMap::new();
    let mut family: HashMap<&str, &str> = HashMap::new();
    for (i, t) in program.tasks.iter().enumerate() {
        family.insert(&t.name, &t.family);
        for c in &t.containers {
            first.entry((&t.family, &c.name)).or_insert(i);
        }
    }
    for s in &program.services {
        let Some(q) = service_queue(program, s) else {
            continue;
        };
        let Some(url) = q.url else { continue };
        let Some(&family) = family.get(s.task.as_str()) else {
            continue;
        };
        if let Some(&i) = first.get(&(family, q.container.as_str())) {
            out.entry(i)
                .or_default()
                .push((q.container, q.variable, url));
        }
    }
    out
}

/// Sets a task's queue URL variables (`variables`).
pub(super) fn add_variables(task: &mut m::TaskDefinition, vars: &[(String, String, String)]) {
    for (container, variable, url) in vars {
        if let Some(c) = task.containers.iter_mut().find(|c| &c.name == container) {
            c.environment.insert(variable.clone(), url.clone());
        }
    }
}
