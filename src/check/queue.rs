//! Queue workers: the `queue` statement of a service, and what follows from
//! it once the whole program is lowered.
//!
//! ```text
//! service thumbs in jobs {
//!   task thumbs
//!   queue uploads { visibility 5m; dead_letter 5; env UPLOADS_URL }
//!   autoscale 1..20 backlog 100
//! }
//! ```
//!
//! `read` reads the statement (a queue Wharf creates, named by a bare name,
//! or an existing one, by ARN); `resolve` runs after lowering: it picks the
//! container the URL goes to and checks the variable is free there (E0495), checks backlog scaling
//! has a queue and Container Insights to read (E0494), and makes the task's
//! role one Wharf generates when the task has none, so the consume rights
//! have a role to go to. `name` names the created queues `<stack>-<name>`
//! once the stack name is final (E0496).

use std::collections::HashMap;

use super::args::Words;
use super::read::{block, set, unknown_property};
use super::vocabulary::{Id, Queue as Prop};
use super::Cx;
use crate::ast::{ExprKind, Statement};
use crate::diag::{Code, Diagnostic, Span};
use crate::ir::{self, DeadLetter, DeadLetterTarget, QueueKind};

/// SQS's limits (CreateQueue attributes, Amazon SQS API Reference).
const MAX_VISIBILITY: u32 = 43_200;
const MIN_RETENTION: u32 = 60;
const MAX_RETENTION: u32 = 1_209_600;
const MAX_WAIT: u32 = 20;
const MAX_RECEIVES: u32 = 1_000;
/// A created dead-letter queue keeps messages SQS's longest: 14 days.
const DEAD_LETTER_RETENTION: u32 = MAX_RETENTION;
/// `maxReceiveCount` when the source names none (CDK's queue processing
/// services use 3 as well).
const DEFAULT_RECEIVES: u32 = 3;
pub const DEFAULT_ENV: &str = "QUEUE_URL";

/// `dead_letter N [retention D] [arn ARN]` as read: receives, retention,
/// an existing queue's ARN, and the statement's span.
type DeadLetterWords = (u32, Option<u32>, Option<ir::Text>, Span);

/// `queue NAME|ARN { ... }` in a service.
pub(super) fn read(cx: &mut Cx, w: &mut Words, s: &Statement) -> Option<ir::ServiceQueue> {
    let head = w.required(cx, "a queue name, or an SQS queue ARN")?;
    let bound = head
        .as_ident()
        .is_some_and(|i| cx.scope.values.contains_key(&i.name));
    let existing = bound || matches!(cx.value(head).kind, ExprKind::Str(_));
    let mut env = None;
    let mut container = None;
    let mut fifo = None;
    let mut visibility = None;
    let mut retention = None;
    let mut wait = None;
    let mut dead_letter: Option<Option<DeadLetterWords>> = None;
    let mut created_only: Vec<Span> = Vec::new();
    for b in block(s) {
        let Some(prop) = Prop::from_name(&b.head.name) else {
            unknown_property(cx, Id::Queue, b);
            continue;
        };
        let mut bw = Words::new(b);
        match prop {
            Prop::Env => {
                let v = bw
                    .required(cx, "a variable name")
                    .and_then(|e| match &e.kind {
                        ExprKind::Path(p) => Some(p.dotted()),
                        _ => cx.literal(e),
                    });
                set(cx, &mut env, b, v)
            }
            Prop::Container => {
                let v = bw
                    .required(cx, "a container name")
                    .and_then(|e| cx.name(e, "a container name").map(|n| (n, e.span)));
                set(cx, &mut container, b, v)
            }
            Prop::Fifo => {
                created_only.push(b.head.span);
                set(cx, &mut fifo, b, Some(true))
            }
            Prop::Visibility => {
                created_only.push(b.head.span);
                let v = seconds_in(cx, &mut bw, "visibility timeout", 0, MAX_VISIBILITY);
                set(cx, &mut visibility, b, v)
            }
            Prop::Retention => {
                created_only.push(b.head.span);
                let v = seconds_in(cx, &mut bw, "retention", MIN_RETENTION, MAX_RETENTION);
                set(cx, &mut retention, b, v)
            }
            Prop::Wait => {
                created_only.push(b.head.span);
                let v = seconds_in(cx, &mut bw, "receive wait time", 0, MAX_WAIT);
                set(cx, &mut wait, b, v)
            }
            Prop::DeadLetter => {
                created_only.push(b.head.span);
                let v = dead_letter_of(cx, &mut bw, b);
                set(cx, &mut dead_letter, b, v)
            }
        }
        bw.finish(cx);
    }
    let container = container.map(|(n, span)| (n, Some(span)));
    let env = env.unwrap_or_else(|| DEFAULT_ENV.to_string());
    if !valid_env_name(&env) {
        cx.push(bad_env_name(&env, s.span));
    }
    let span = head.span;
    let (name, kind) = if existing {
        let arn = cx.text(head)?;
        let value = cx.scope.resolve(&arn);
        let Some((_, _, queue_name)) = ir::parse_queue_arn(&value) else {
            cx.push(bad_arn(&value, "an SQS queue ARN", span));
            return None;
        };
        if let Some(&at) = created_only.first() {
            cx.push(
                Diagnostic::error(
                    Code::QueueReference,
                    "settings of a queue Wharf does not create".to_string(),
                    at,
                    "this queue exists already: Wharf cannot change it",
                )
                .with_label(span, "the queue, named by its ARN")
                .with_help(
                    "set `fifo`, `visibility`, `retention`, `wait` and `dead_letter` where the queue is created, or give a bare name so Wharf creates it",
                ),
            );
            return None;
        }
        (queue_name.to_string(), QueueKind::Existing(arn))
    } else {
        let name = cx.name(head, "a queue name, or an SQS queue ARN")?;
        let fifo = fifo.unwrap_or(false);
        let dead_letter = match dead_letter {
            Some(None) => None,
            Some(Some((max_receives, retention, arn, at))) => Some(DeadLetter {
                max_receives,
                target: match arn {
                    Some(arn) => {
                        let value = cx.scope.resolve(&arn);
                        if !value.is_empty() && value.ends_with(".fifo") != fifo {
                            cx.push(fifo_mismatch(fifo, &value, at, span));
                        }
                        DeadLetterTarget::Existing(arn)
                    }
                    None => DeadLetterTarget::Created {
                        queue_name: String::new(),
                        retention: retention.unwrap_or(DEAD_LETTER_RETENTION),
                    },
                },
            }),
            None => Some(DeadLetter {
                max_receives: DEFAULT_RECEIVES,
                target: DeadLetterTarget::Created {
                    queue_name: String::new(),
                    retention: DEAD_LETTER_RETENTION,
                },
            }),
        };
        let created = ir::CreatedQueue {
            // Named by `resolve`, which knows the stack.
            queue_name: String::new(),
            fifo,
            visibility_timeout: visibility,
            retention,
            receive_wait: wait,
            dead_letter,
        };
        (name, QueueKind::Created(created))
    };
    // The container is resolved against the task by `resolve`; a name the
    // source gives keeps its span in the queue's for the error.
    let (container, _) = container.unwrap_or_default();
    Some(ir::ServiceQueue {
        name,
        kind,
        env,
        container,
        span,
    })
}

/// `dead_letter N [retention D] [arn ARN]` or `dead_letter off`.
fn dead_letter_of(cx: &mut Cx, w: &mut Words, s: &Statement) -> Option<Option<DeadLetterWords>> {
    let retention = w.keyword(cx, "retention");
    let arn = w.keyword(cx, "arn");
    let first = w.required(cx, "a number of receives (1 to 1000), or `off`")?;
    if first.as_ident().is_some_and(|i| i.name == "off") {
        return Some(None);
    }
    let receives = cx.int(first)?;
    let receives = in_range(cx, "maxReceiveCount", receives, 1, MAX_RECEIVES, first.span)?;
    let retention = match retention {
        Some(e) => {
            let v = cx.seconds(e)?;
            Some(in_range(
                cx,
                "dead-letter retention",
                v,
                MIN_RETENTION,
                MAX_RETENTION,
                e.span,
            )?)
        }
        None => None,
    };
    let arn = match arn {
        Some(e) => {
            let t = cx.text(e)?;
            let value = cx.scope.resolve(&t);
            if ir::parse_queue_arn(&value).is_none() {
                cx.push(bad_arn(&value, "the dead-letter queue's SQS ARN", e.span));
                return None;
            }
            if retention.is_some() {
                cx.push(
                    Diagnostic::error(
                        Code::QueueReference,
                        "a retention for a dead-letter queue Wharf does not create",
                        e.span,
                        "this dead-letter queue exists already",
                    )
                    .with_help("leave out `retention`, or leave out `arn` so Wharf creates the dead-letter queue"),
                );
                return None;
            }
            Some(t)
        }
        None => None,
    };
    Some(Some((receives, retention, arn, s.head.span)))
}

/// A duration in whole seconds, from `min` to `max` (an SQS attribute).
fn seconds_in(cx: &mut Cx, w: &mut Words, what: &str, min: u32, max: u32) -> Option<u32> {
    let e = w.required(cx, "a duration")?;
    let v = cx.seconds(e)?;
    in_range(cx, what, v, min, max, e.span)
}

fn in_range(cx: &mut Cx, what: &str, v: u32, min: u32, max: u32, span: Span) -> Option<u32> {
    if (min..=max).contains(&v) {
        return Some(v);
    }
    cx.push(
        Diagnostic::error(
            Code::QueueRange,
            format!("SQS {what} of {v} is outside {min} to {max}"),
            span,
            "SQS refuses this value",
        )
        .with_help(match what {
            "maxReceiveCount" => {
                "give 1 to 1000 receives before a message moves to the dead-letter queue"
                    .to_string()
            }
            "receive wait time" => "give 0 s to 20 s (20 s is the longest long poll)".to_string(),
            "visibility timeout" => "give 0 s to 12 h (43,200 s)".to_string(),
            _ => "give 60 s to 336 h (14 days, 1,209,600 s)".to_string(),
        }),
    );
    None
}

fn bad_arn(value: &str, what: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::QueueReference,
        format!("`{value}` is not {what}"),
        span,
        "expected arn:aws:sqs:REGION:ACCOUNT:NAME",
    )
    .with_help("give the queue's ARN, such as \"arn:aws:sqs:us-east-1:123456789012:jobs\" (a FIFO queue's name ends in .fifo), or a bare name for a queue Wharf creates")
}

fn fifo_mismatch(fifo: bool, arn: &str, at: Span, queue: Span) -> Diagnostic {
    let (main, other) = if fifo {
        ("a FIFO queue", "a standard queue")
    } else {
        ("a standard queue", "a FIFO queue")
    };
    Diagnostic::error(
        Code::QueueReference,
        format!("the dead-letter queue `{arn}` of {main} is {other}"),
        at,
        "SQS refuses this redrive policy",
    )
    .with_label(queue, main)
    .with_help("a FIFO queue's dead-letter queue is a FIFO queue (its name ends in .fifo), a standard queue's a standard one")
}

fn valid_env_name(n: &str) -> bool {
    !n.is_empty()
        && !n.starts_with(|c: char| c.is_ascii_digit())
        && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn bad_env_name(n: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::QueueVariable,
        format!("`{n}` cannot be an environment variable name"),
        span,
        "the queue URL would go in this variable",
    )
    .with_help("use letters, digits and `_`, not starting with a digit, such as `env JOBS_URL`")
}

/// After lowering: names, containers, variables, backlog scaling, roles.
pub(super) fn resolve(cx: &mut Cx, program: &mut ir::Program) {
    let tasks: HashMap<String, usize> = program
        .tasks
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.clone(), i))
        .collect();
    let insights: HashMap<String, ir::Insights> = program
        .clusters
        .iter()
        .map(|c| (c.name.clone(), c.insights))
        .collect();
    // (task, container, variable) -> the queue whose URL it holds.
    let mut variables: HashMap<(String, String, String), (String, Span)> = HashMap::new();
    let mut consumer_tasks: Vec<usize> = Vec::new();
    for s in &mut program.services {
        if let Some(a) = &s.autoscale {
            if let Some(backlog) = a.backlog {
                if s.queue.is_none() {
                    cx.push(
                        Diagnostic::error(
                            Code::QueueBacklog,
                            format!("service `{}` scales on a queue's backlog but consumes no queue", s.name),
                            a.span,
                            format!("`backlog {backlog}` reads the service's queue"),
                        )
                        .with_help("add `queue NAME { ... }` (or `queue \"arn:aws:sqs:...\"`) to the service, or scale on `cpu` / `memory`"),
                    );
                } else if a.min == 0 {
                    cx.push(
                        Diagnostic::error(
                            Code::QueueBacklog,
                            format!("service `{}` scales on backlog per task down to 0 tasks", s.name),
                            a.span,
                            "with no task running, visible messages / running tasks has no value",
                        )
                        .with_help("start the range at 1 (`autoscale 1..10 backlog 100`): target tracking cannot scale out from a metric without data"),
                    );
                } else if insights.get(s.cluster.as_str()) == Some(&ir::Insights::Disabled) {
                    cx.push(
                        Diagnostic::error(
                            Code::QueueBacklog,
                            format!("backlog scaling of service `{}` needs Container Insights on cluster `{}`", s.name, s.cluster),
                            a.span,
                            "reads ECS/ContainerInsights RunningTaskCount",
                        )
                        .with_help(format!("add `insights on` to cluster `{}`: the backlog per task is the queue's visible messages over the service's running tasks, which Container Insights publishes", s.cluster)),
                    );
                }
            }
        }
        let Some(q) = &mut s.queue else { continue };
        let Some(&ti) = tasks.get(s.task.as_str()) else {
            continue;
        };
        let task = &program.tasks[ti];
        if q.container.is_empty() {
            match task.containers.iter().find(|c| c.essential) {
                Some(c) => q.container = c.name.clone(),
                None => continue, // E0405 says so.
            }
        }
        let Some(container) = task.containers.iter().find(|c| c.name == q.container) else {
            cx.push(
                Diagnostic::error(
                    Code::QueueVariable,
                    format!("task `{}` has no container `{}`", task.name, q.container),
                    q.span,
                    "the queue URL would go to it",
                )
                .with_label(task.span, "task declared here")
                .with_help(format!(
                    "name one of: {}",
                    task.containers
                        .iter()
                        .map(|c| format!("`{}`", c.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            );
            continue;
        };
        let taken = container.environment.iter().any(|(k, _)| *k == q.env)
            || container.secrets.iter().any(|x| x.name == q.env);
        if taken {
            cx.push(
                Diagnostic::error(
                    Code::QueueVariable,
                    format!("container `{}` sets `{}` already", container.name, q.env),
                    q.span,
                    format!("the queue URL goes in `{}`", q.env),
                )
                .with_label(container.span, "the container")
                .with_help(format!("remove `{}` from the container, or give the queue another variable: `queue {} {{ env OTHER_NAME }}`", q.env, q.name)),
            );
            continue;
        }
        let key = (task.name.clone(), q.container.clone(), q.env.clone());
        let identity = match &q.kind {
            QueueKind::Created(_) => format!("created {}", q.name),
            QueueKind::Existing(t) => cx.scope.resolve(t),
        };
        match variables.get(&key) {
            Some((other, prev)) if *other != identity => cx.push(
                Diagnostic::error(
                    Code::QueueVariable,
                    format!(
                        "`{}` of container `{}` (task `{}`) would hold two queues' URLs",
                        q.env, q.container, task.name
                    ),
                    q.span,
                    "this service's queue",
                )
                .with_label(*prev, "another service running the same task consumes this one")
                .with_help("one task definition has one environment: give the services their own tasks, or the queues their own variables (`env`)"),
            ),
            Some(_) => {}
            None => {
                variables.insert(key, (identity, q.span));
            }
        }
        consumer_tasks.push(ti);
    }
    // The consume rights go to the task role: one Wharf generates when the
    // task names none (emitted with a policy per queue by each backend).
    for ti in consumer_tasks {
        let t = &mut program.tasks[ti];
        if t.task_role == ir::Role::None {
            t.task_role = ir::Role::Generated;
        }
    }
}

/// Names the created queues `<stack>-<name>` (`-dlq` for the dead-letter
/// queue, `.fifo` for FIFO ones), once the stack name is final (an
/// environment adds its suffix), and checks them against SQS's rule.
pub(super) fn name(cx: &mut Cx, program: &mut ir::Program) {
    let stack = program.name.clone();
    // SQS queue name -> the queue that took it.
    let mut names: HashMap<String, Span> = HashMap::new();
    for s in &mut program.services {
        let Some(q) = &mut s.queue else { continue };
        if let QueueKind::Created(c) = &mut q.kind {
            let suffix = if c.fifo { ".fifo" } else { "" };
            c.queue_name = format!("{stack}-{}{suffix}", q.name);
            let mut all = vec![c.queue_name.clone()];
            if let Some(DeadLetter {
                target: DeadLetterTarget::Created { queue_name, .. },
                ..
            }) = &mut c.dead_letter
            {
                *queue_name = format!("{stack}-{}-dlq{suffix}", q.name);
                all.push(queue_name.clone());
            }
            for n in all {
                if !ir::valid_queue_name(&n) {
                    cx.push(
                        Diagnostic::error(
                            Code::QueueName,
                            format!("SQS queue name `{n}` is not 1 to 80 letters, digits, `-` and `_`"),
                            q.span,
                            "the stack name, `-` and this name",
                        )
                        .with_help("use a shorter queue or stack name (`stack \"...\"`); a FIFO queue's `.fifo` counts in the 80"),
                    );
                    break;
                } else if let Some(prev) = names.insert(n.clone(), q.span) {
                    cx.push(
                        Diagnostic::error(
                            Code::QueueName,
                            format!("two queues named `{n}`"),
                            q.span,
                            "second queue of this name",
                        )
                        .with_label(prev, "first")
                        .with_help("give each created queue its own name; services that share a queue name it by ARN"),
                    );
                    break;
                }
            }
        }
    }
}
