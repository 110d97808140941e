//! One renderer for the ECS shapes every target writes: the task definition,
//! its volumes and its container definitions, and the service. Stage: emit.
//! Input: checked `ir::Task` / `ir::Service` and a `Dialect`; output: a JSON
//! object.
//!
//! The renderer walks the IR once and names each member as the ECS API
//! (botocore) spells it, in botocore member order (`task.rs`, `container.rs`,
//! `service.rs`). The dialect supplies the
//! rest:
//!
//! - `Case`: how a member is written (`Case::Api`: as it is, lowerCamel;
//!   `Case::CloudFormation`: the CloudFormation property name, PascalCase
//!   with the exceptions of `case.rs`) and the key order of a finished
//!   object (CloudFormation keeps the order its templates have always had;
//!   a member it does not list follows in botocore order), and the values a
//!   target has no spelling for (CloudFormation's `PropagateTags` has no
//!   `NONE`: leaving it out means the same).
//! - `text`: how a text with inputs is written (the ECS API: the value of
//!   this build; CloudFormation: a literal, a `Ref` or an `Fn::Sub`).
//!
//! - `capacity_provider`: how a strategy names a provider (CloudFormation
//!   refers to the providers it creates with `Ref`).
//!
//! What names another resource (the task and execution roles, the cluster,
//! target groups, subnets: CloudFormation refers to what the stack creates,
//! the ECS API writes an ARN or ID, or refuses with a coded diagnostic) is
//! computed by the backend and handed in (`Roles`, `ServiceRefs`). User keys (docker labels, log and driver options)
//! are written as given, never re-cased.
//!
//! A member added here reaches every target; a new target is a `Case` (key
//! spelling and order) and a `text`.

mod case;
mod container;
mod service;
mod task;

pub use case::Case;
pub(crate) use service::{service, AwsVpc, ServiceRefs};
pub(crate) use task::{task_definition, Roles};

use serde_json::{Map, Value};

use crate::ir;

/// How a target writes what the renderer produces.
pub(crate) trait Dialect {
    fn case(&self) -> Case;
    /// A text, with this target's way of writing inputs.
    fn text(&self, t: &ir::Text) -> Value;

    fn texts(&self, ts: &[ir::Text]) -> Vec<Value> {
        ts.iter().map(|t| self.text(t)).collect()
    }

    /// A capacity provider of a strategy, by name.
    fn capacity_provider(&self, name: &str) -> Value {
        Value::from(name)
    }
}

/// An object of one botocore shape under construction. Absent values and
/// empty lists are skipped, so the output never carries `null` or `[]`.
pub(crate) struct Fields<'d, D: Dialect + ?Sized> {
    d: &'d D,
    case: Case,
    shape: &'static str,
    map: Map<String, Value>,
}

impl<'d, D: Dialect + ?Sized> Fields<'d, D> {
    /// `shape` is the botocore shape name (`ContainerDefinition`).
    pub(crate) fn new(d: &'d D, shape: &'static str) -> Self {
        Fields {
            d,
            case: d.case(),
            shape,
            map: Map::new(),
        }
    }

    pub(crate) fn set(mut self, member: &'static str, value: impl Into<Value>) -> Self {
        let value = value.into();
        if !self.case.omits(self.shape, member, &value) {
            self.map.insert(self.case.key(self.shape, member), value);
        }
        self
    }

    pub(crate) fn opt(self, member: &'static str, value: Option<impl Into<Value>>) -> Self {
        match value {
            Some(v) => self.set(member, v),
            None => self,
        }
    }

    /// A list, or nothing when it is empty.
    pub(crate) fn list(self, member: &'static str, items: Vec<Value>) -> Self {
        if items.is_empty() {
            self
        } else {
            self.set(member, Value::Array(items))
        }
    }

    /// A list of plain strings, or nothing when it is empty.
    pub(crate) fn strings(self, member: &'static str, items: &[String]) -> Self {
        let items = items.iter().map(|s| Value::from(s.as_str())).collect();
        self.list(member, items)
    }

    /// A string map with the user's keys as given (labels, options), or
    /// nothing when it is empty.
    pub(crate) fn map(self, member: &'static str, pairs: &[(String, ir::Text)]) -> Self {
        if pairs.is_empty() {
            return self;
        }
        let map = pairs
            .iter()
            .map(|(k, v)| (k.clone(), self.d.text(v)))
            .collect();
        self.set(member, Value::Object(map))
    }

    /// A text member.
    pub(crate) fn text(self, member: &'static str, t: &ir::Text) -> Self {
        let v = self.d.text(t);
        self.set(member, v)
    }

    pub(crate) fn build(self) -> Value {
        Value::Object(self.case.finish(self.shape, self.map))
    }
}
