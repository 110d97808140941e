//! Queue workers in the local manifest. No stand-in queue runs: a
//! consumer's tasks run as written, and the manifest says so
//! (`Service::queue`, which `wharf up` prints). The queue URL variable is
//! set to the AWS queue's URL when the program says where it is (an
//! existing queue's ARN, or a created queue's name with the program's
//! `account` and `region`), so a worker run locally can consume the real
//! queue with the developer's credentials; otherwise it is not set.

use crate::ir::{self, QueueKind};
use crate::manifest as m;

pub(super) fn consumers(
    program: &ir::Program,
    tasks: &mut [m::TaskDefinition],
    services: &mut [m::Service],
) {
    for (s, ms) in program.services.iter().zip(services.iter_mut()) {
        let Some(q) = &s.queue else { continue };
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
        if let Some(url) = &url {
            let family = &program.task(&s.task).family;
            let container = tasks
                .iter_mut()
                .filter(|t| &t.family == family)
                .flat_map(|t| t.containers.iter_mut())
                .find(|c| c.name == q.container);
            if let Some(c) = container {
                c.environment.insert(q.env.clone(), url.clone());
            }
        }
        ms.queue = Some(m::Queue {
            name,
            container: q.container.clone(),
            variable: q.env.clone(),
            url,
        });
    }
}
