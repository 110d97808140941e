//! Queue workers (issue 12 item 3), as every backend reads them (see `ir`):
//! the SQS queue a service consumes, created by Wharf (with its dead-letter
//! queue) or referenced by ARN, the variable its URL reaches the container
//! in, and the consume rights the task role gets. Scaling on the queue's
//! backlog per task is `AutoScale::backlog`.

use super::Text;
use crate::diag::Span;

/// `queue NAME { ... }` or `queue "arn:aws:sqs:..." { ... }` in a service.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceQueue {
    /// The Wharf name (`queue jobs`), or the queue name of a referenced ARN.
    pub name: String,
    pub kind: QueueKind,
    /// The environment variable the queue URL is put in.
    pub env: String,
    /// The container that gets it (resolved: the task's first essential
    /// container unless the source names one).
    pub container: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum QueueKind {
    /// A queue the CloudFormation stack (or CreateQueue) creates.
    Created(CreatedQueue),
    /// An existing queue, by ARN (`arn:aws:sqs:REGION:ACCOUNT:NAME`).
    Existing(Text),
}

#[derive(Debug, Clone, PartialEq)]
pub struct CreatedQueue {
    /// The SQS queue name: `<stack>-<name>`, `.fifo` for a FIFO queue.
    pub queue_name: String,
    pub fifo: bool,
    /// `VisibilityTimeout` in seconds (0-43200); `None` is SQS's 30.
    pub visibility_timeout: Option<u32>,
    /// `MessageRetentionPeriod` in seconds (60-1209600); `None` is 4 days.
    pub retention: Option<u32>,
    /// `ReceiveMessageWaitTimeSeconds` (0-20): long polling.
    pub receive_wait: Option<u32>,
    pub dead_letter: Option<DeadLetter>,
}

/// The redrive policy: after `max_receives` receives a message moves to
/// the dead-letter queue.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadLetter {
    /// `maxReceiveCount`, 1 to 1000.
    pub max_receives: u32,
    pub target: DeadLetterTarget,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DeadLetterTarget {
    /// A queue created beside the main one: `<stack>-<name>-dlq` (FIFO when
    /// the main queue is), keeping messages `retention` seconds.
    Created { queue_name: String, retention: u32 },
    /// An existing queue, by ARN.
    Existing(Text),
}

/// The actions a consumer needs on its queue, and nothing else.
pub const CONSUME_ACTIONS: &[&str] = &[
    "sqs:ChangeMessageVisibility",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:ReceiveMessage",
];

/// Parts of an SQS queue ARN: region, account and name.
pub fn parse_queue_arn(arn: &str) -> Option<(&str, &str, &str)> {
    let rest = arn.strip_prefix("arn:")?;
    let mut parts = rest.splitn(5, ':');
    let partition = parts.next()?;
    let service = parts.next()?;
    let region = parts.next()?;
    let account = parts.next()?;
    let name = parts.next()?;
    let ok = !partition.is_empty()
        && service == "sqs"
        && !region.is_empty()
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && valid_queue_name(name);
    ok.then_some((region, account, name))
}

/// SQS's rule for a queue name: 1 to 80 letters, digits, `-` and `_`, a
/// FIFO queue's ending in `.fifo` (within the 80).
pub fn valid_queue_name(name: &str) -> bool {
    let stem = name.strip_suffix(".fifo").unwrap_or(name);
    !stem.is_empty()
        && name.len() <= 80
        && stem
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The queue URL SQS gives a queue of this region, account and name.
pub fn queue_url(region: &str, account: &str, name: &str) -> String {
    let domain = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    format!("https://sqs.{region}.{domain}/{account}/{name}")
}
