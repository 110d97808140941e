//! Queue workers. Stage: emit (CloudFormation). Input: a service's
//! `ir::ServiceQueue` and `AutoScale::backlog`; output:
//!
//! - for a created queue, an `AWS::SQS::Queue` (`FifoQueue`,
//!   `VisibilityTimeout`, `MessageRetentionPeriod`,
//!   `ReceiveMessageWaitTimeSeconds`, and a `RedrivePolicy` to its
//!   dead-letter queue: a second `AWS::SQS::Queue` Wharf creates, or one
//!   named by ARN);
//! - the queue URL in the consuming container's `Environment` (`Ref` of a
//!   created queue; built from an existing queue's ARN);
//! - an `AWS::IAM::Policy` on the task role (the one Wharf generates, or the
//!   one the task names, by name) allowing exactly the consume actions on
//!   that queue only;
//! - for `autoscale ... backlog N`, a target-tracking
//!   `AWS::ApplicationAutoScaling::ScalingPolicy` on the service's scalable
//!   target whose customized metric is metric math: the queue's
//!   `ApproximateNumberOfMessagesVisible` over the service's
//!   `RunningTaskCount` (Container Insights), the backlog per task.
//!
//! The queues and the policy go to the task definition's stack when the
//! program is split (the definition refers to the queue); the scaling
//! policy to the service's.

use crate::emit::json::json;
use serde_json::Value;

use super::ids::Kind;
use super::value::{get_att, props, r#ref};
use super::{Ctx, Owner};
use crate::ir::{self, DeadLetterTarget, QueueKind, Role, Text, CONSUME_ACTIONS};

impl<'a> Ctx<'a> {
    pub(super) fn emit_queue(&mut self, i: usize, s: &'a ir::Service) {
        let Some(q) = &s.queue else { return };
        let Some(&task) = self.ix.tasks.get(s.task.as_str()) else {
            return;
        };
        let owner = *self
            .ix
            .task_owner
            .get(task.name.as_str())
            .unwrap_or(&Owner::Shared);
        let b = self.at(Kind::Service, &s.name, owner);
        let (_, arn, queue_name) = match &q.kind {
            QueueKind::Created(c) => {
                let id = self.queue_id(s);
                let mut properties = json!({
                    "QueueName": &c.queue_name,
                    "FifoQueue": c.fifo.then_some(true),
                    "VisibilityTimeout": c.visibility_timeout,
                    "MessageRetentionPeriod": c.retention,
                    "ReceiveMessageWaitTimeSeconds": c.receive_wait,
                });
                if let Some(d) = &c.dead_letter {
                    let target = match &d.target {
                        DeadLetterTarget::Created {
                            queue_name,
                            retention,
                        } => {
                            let dlq = format!("{b}DeadLetterQueue");
                            self.add(
                                dlq.clone(),
                                json!({ "Type": "AWS::SQS::Queue", "Properties": props(json!({
                                    "QueueName": queue_name,
                                    "FifoQueue": c.fifo.then_some(true),
                                    "MessageRetentionPeriod": retention,
                                })) }),
                            );
                            get_att(&dlq, "Arn")
                        }
                        DeadLetterTarget::Existing(t) => self.text(t),
                    };
                    properties["RedrivePolicy"] = json!({
                        "deadLetterTargetArn": target,
                        "maxReceiveCount": d.max_receives,
                    });
                }
                self.add(
                    id.clone(),
                    json!({ "Type": "AWS::SQS::Queue", "Properties": props(properties) }),
                );
                self.output(
                    format!("{b}QueueUrl"),
                    &format!("URL of the queue service `{}` consumes", s.name),
                    r#ref(&id),
                );
                (r#ref(&id), get_att(&id, "Arn"), get_att(&id, "QueueName"))
            }
            QueueKind::Existing(t) => self.existing_queue(t),
        };
        if let Some(role) = self.queue_role(task) {
            self.add(
                self.queue_policy_id(s),
                json!({ "Type": "AWS::IAM::Policy", "Properties": {
                    "PolicyName": format!("{}-queue", s.name),
                    "Roles": [role],
                    "PolicyDocument": { "Version": "2012-10-17", "Statement": [{
                        "Sid": "ConsumeQueue", "Effect": "Allow",
                        "Action": CONSUME_ACTIONS, "Resource": arn }] } } }),
            );
        }
        let Some((a, backlog)) = s.autoscale.as_ref().and_then(|a| a.backlog.map(|n| (a, n)))
        else {
            return;
        };
        let b = self.at(Kind::Service, &s.name, Owner::Service(i));
        let metric = |namespace: &str, name: &str, dimensions: Value| json!({ "Namespace": namespace, "MetricName": name, "Dimensions": dimensions });
        let visible = metric(
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            json!([{ "Name": "QueueName", "Value": queue_name }]),
        );
        let tasks = metric(
            "ECS/ContainerInsights",
            "RunningTaskCount",
            json!([
                { "Name": "ClusterName", "Value": r#ref(&self.cluster_id(&s.cluster)) },
                { "Name": "ServiceName", "Value": get_att(&format!("{b}Service"), "Name") },
            ]),
        );
        self.add(
            format!("{b}BacklogScaling"),
            json!({ "Type": "AWS::ApplicationAutoScaling::ScalingPolicy", "Properties": {
                "PolicyName": format!("{}-backlog", s.name),
                "PolicyType": "TargetTrackingScaling",
                "ScalingTargetId": r#ref(&format!("{b}ScalableTarget")),
                "TargetTrackingScalingPolicyConfiguration": {
                    "TargetValue": backlog,
                    "ScaleInCooldown": a.scale_in_cooldown,
                    "ScaleOutCooldown": a.scale_out_cooldown,
                    "CustomizedMetricSpecification": { "Metrics": [
                        { "Id": "visible", "ReturnData": false,
                          "MetricStat": { "Metric": visible, "Stat": "Sum" } },
                        { "Id": "tasks", "ReturnData": false,
                          "MetricStat": { "Metric": tasks, "Stat": "Average" } },
                        { "Id": "backlog", "Label": "Visible messages per running task",
                          "Expression": "visible / tasks", "ReturnData": true },
                    ] } } } }),
        );
    }

    /// URL, ARN and name of an existing queue, from its ARN
    /// (`arn:PARTITION:sqs:REGION:ACCOUNT:NAME`).
    fn existing_queue(&self, arn: &Text) -> (Value, Value, Value) {
        if let Some(a) = arn.as_literal() {
            if let Some((region, account, name)) = ir::parse_queue_arn(&a) {
                return (
                    json!(ir::queue_url(region, account, name)),
                    json!(&a),
                    json!(name),
                );
            }
        }
        let value = self.text(arn);
        let part = |n: u32| json!({ "Fn::Select": [n, { "Fn::Split": [":", value.clone()] }] });
        let url = json!({ "Fn::Join": ["", [
            "https://sqs.", part(3), ".", r#ref("AWS::URLSuffix"), "/", part(4), "/", part(5)]] });
        (url, value.clone(), part(5))
    }

    /// A role's name from its ARN (`arn:aws:iam::ACCOUNT:role/PATH/NAME`) or
    /// short name: the part after the last `/`. From an input, the input's
    /// value for this build says how many `/` there are.
    fn role_name(&self, t: &Text) -> Value {
        let value = t.resolve(&self.p.inputs);
        if let Some(l) = t.as_literal() {
            return json!(l.rsplit('/').next().unwrap_or(&l));
        }
        let slashes = value.matches('/').count();
        json!({ "Fn::Select": [slashes, { "Fn::Split": ["/", self.text(t)] }] })
    }

    /// The queue a service creates.
    fn queue_id(&self, s: &ir::Service) -> String {
        format!("{}Queue", self.ids.base(Kind::Service, &s.name))
    }

    /// The policy letting a service's task role consume its queue.
    fn queue_policy_id(&self, s: &ir::Service) -> String {
        format!("{}QueuePolicy", self.ids.base(Kind::Service, &s.name))
    }

    /// The role a consumer's task consumes with: the one Wharf generates,
    /// or the one the task names, by name. (The checker gives a consumer's
    /// task a role.)
    fn queue_role(&self, task: &ir::Task) -> Option<Value> {
        let task_b = self.ids.base(Kind::Task, &task.name);
        match &task.task_role {
            Role::Generated => Some(r#ref(&format!("{task_b}TaskRole"))),
            Role::Arn(t) => Some(self.role_name(t)),
            Role::None => None,
        }
    }

    /// The queue policy service `i` waits for, when it is in the service's
    /// stack: tasks start once their role may consume (across stacks the
    /// order of deployment does it).
    pub(super) fn queue_policy(&self, i: usize, s: &ir::Service) -> Option<String> {
        s.queue.as_ref()?;
        let task = *self.ix.tasks.get(s.task.as_str())?;
        self.queue_role(task)?;
        let owner = self.ix.task_owner.get(task.name.as_str());
        (owner == Some(&Owner::Service(i))).then(|| self.queue_policy_id(s))
    }

    /// Appends each queue consumer's `{Name, Value}` (its queue's URL) to
    /// the consuming container's `Environment` in task definition `t`'s
    /// properties, in service order.
    pub(super) fn add_queue_variables(&self, t: &ir::Task, properties: &mut Value) {
        let Some(consumers) = self.ix.queue_consumers.get(t.name.as_str()) else {
            return;
        };
        let Some(defs) = properties["ContainerDefinitions"].as_array_mut() else {
            return;
        };
        for &i in consumers {
            let s = &self.p.services[i];
            let Some(q) = &s.queue else { continue };
            let url = match &q.kind {
                QueueKind::Created(_) => r#ref(&self.queue_id(s)),
                QueueKind::Existing(t) => self.existing_queue(t).0,
            };
            let Some(def) = defs.iter_mut().find(|d| d["Name"] == json!(&q.container)) else {
                continue;
            };
            let variable = json!({ "Name": &q.env, "Value": url });
            match def.get_mut("Environment").and_then(Value::as_array_mut) {
                Some(env) if env.contains(&variable) => {}
                Some(env) => env.push(variable),
                None => def["Environment"] = json!([variable]),
            }
        }
    }
}
