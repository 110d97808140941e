//! Generated IAM roles (`ir::Role::Generated`). Stage: emit. Input: a task's
//! `execution_needs` and `permissions`; output: least-privilege
//! `AWS::IAM::Role`s with one inline policy each.
//!
//! Invariant: no statement has `"Resource": "*"` except the ones AWS defines
//! without resource-level permissions: `ecr:GetAuthorizationToken` (only when
//! an ECR repository is pulled from) and the `ssmmessages:*Channel` actions
//! ECS Exec needs (only when a service running the task enables it). Log
//! group ARNs are built with `Fn::Sub` rather than `GetAtt`, so a role never
//! needs an import from another stack when the program is split.

use crate::emit::json::json;
use serde_json::Value;

use super::value::{arn, escape_sub, sub};
use super::Ctx;
use crate::ir::{self, Text, TextPart, VolumeKind};

impl<'a> Ctx<'a> {
    pub(super) fn emit_execution_role(&mut self, b: &str, t: &ir::Task) {
        let needs = &t.execution_needs;
        let mut statements = Vec::new();
        if !needs.ecr_repositories.is_empty() {
            statements.push(json!({ "Sid": "EcrAuthorization", "Effect": "Allow",
                "Action": "ecr:GetAuthorizationToken", "Resource": "*" }));
            statements.push(json!({ "Sid": "EcrPull", "Effect": "Allow",
                "Action": ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                "Resource": self.texts(&needs.ecr_repositories) }));
        }
        if !needs.log_groups.is_empty() {
            let groups: Vec<Value> = needs
                .log_groups
                .iter()
                .map(|g| self.log_group_arn(g))
                .collect();
            // `awslogs-create-group` makes the driver call CreateLogGroup,
            // even for a group that exists: without the right, AccessDenied.
            let creates = t.containers.iter().filter_map(|c| c.log.as_ref()).any(|l| {
                l.driver == ir::LogDriver::Awslogs
                    && l.options.iter().any(|(k, v)| {
                        k == "awslogs-create-group"
                            && v.as_literal()
                                .is_some_and(|v| v.eq_ignore_ascii_case("true"))
                    })
            });
            let actions: &[&str] = if creates {
                &[
                    "logs:CreateLogGroup",
                    "logs:CreateLogStream",
                    "logs:PutLogEvents",
                ]
            } else {
                &["logs:CreateLogStream", "logs:PutLogEvents"]
            };
            statements.push(json!({ "Sid": "Logs", "Effect": "Allow",
                "Action": actions, "Resource": groups }));
        }
        if !needs.secrets.is_empty() {
            // A secret's full ARN ends in `-` and six random characters; a
            // partial ARN (the name only) matches it only with `-??????`.
            let secrets: Vec<String> = needs
                .secrets
                .iter()
                .flat_map(|a| [a.clone(), format!("{a}-??????")])
                .collect();
            statements.push(json!({ "Sid": "Secrets", "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue", "Resource": secrets }));
        }
        if !needs.parameters.is_empty() {
            let params: Vec<Value> = needs.parameters.iter().map(|p| parameter_arn(p)).collect();
            statements.push(json!({ "Sid": "Parameters", "Effect": "Allow",
                "Action": "ssm:GetParameters", "Resource": params }));
        }
        if !needs.kms_keys.is_empty() {
            statements.push(json!({ "Sid": "Decrypt", "Effect": "Allow",
                "Action": "kms:Decrypt", "Resource": &needs.kms_keys }));
        }
        let trust = json!({ "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": { "Service": "ecs-tasks.amazonaws.com" },
            "Action": "sts:AssumeRole" }] });
        self.add_role(
            format!("{b}ExecutionRole"),
            &format!("ECS execution role of task `{}`", t.name),
            trust,
            "execution",
            statements,
        );
    }

    pub(super) fn emit_task_role(&mut self, b: &str, t: &ir::Task) {
        let mut statements: Vec<Value> = t
            .permissions
            .iter()
            .map(|p| json!({ "Effect": "Allow", "Action": &p.actions, "Resource": self.texts(&p.resources) }))
            .collect();
        for v in &t.volumes {
            if let VolumeKind::Efs(e) = &v.kind {
                if e.iam {
                    let writes = t
                        .containers
                        .iter()
                        .flat_map(|c| &c.mounts)
                        .any(|m| m.volume == v.name && !m.read_only);
                    let mut actions = vec!["elasticfilesystem:ClientMount"];
                    if writes {
                        actions.push("elasticfilesystem:ClientWrite");
                    }
                    statements.push(json!({ "Effect": "Allow", "Action": actions,
                        "Resource": self.sub_text("arn:${AWS::Partition}:elasticfilesystem:${AWS::Region}:${AWS::AccountId}:file-system/", &e.file_system_id, "") }));
                }
            }
        }
        if self.ix.exec_tasks.contains(t.name.as_str()) {
            statements.push(json!({ "Sid": "EcsExec", "Effect": "Allow",
                "Action": ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
                           "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"],
                "Resource": "*" }));
        }
        let trust = json!({ "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": { "Service": "ecs-tasks.amazonaws.com" },
            "Action": "sts:AssumeRole",
            "Condition": {
                "ArnLike": { "aws:SourceArn": arn("ecs", "*") },
                "StringEquals": { "aws:SourceAccount": { "Ref": "AWS::AccountId" } } } }] });
        self.add_role(
            format!("{b}TaskRole"),
            &format!("ECS task role of task `{}`", t.name),
            trust,
            "task",
            statements,
        );
    }

    pub(super) fn add_role(
        &mut self,
        id: String,
        description: &str,
        trust: Value,
        policy: &str,
        statements: Vec<Value>,
    ) {
        let mut properties =
            json!({ "Description": description, "AssumeRolePolicyDocument": trust });
        if !statements.is_empty() {
            properties["Policies"] = json!([{ "PolicyName": policy, "PolicyDocument": {
                "Version": "2012-10-17", "Statement": statements } }]);
        }
        self.add(
            id,
            json!({ "Type": "AWS::IAM::Role", "Properties": properties }),
        );
    }

    /// `arn:...:log-group:<name>:*`, which covers the group's streams.
    fn log_group_arn(&self, group: &Text) -> Value {
        self.sub_text(
            "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:",
            group,
            ":*",
        )
    }

    /// `Fn::Sub` of a prefix (already in Sub syntax), a Text, and a suffix.
    pub(super) fn sub_text(&self, prefix: &str, t: &Text, suffix: &str) -> Value {
        let mut s = prefix.to_string();
        for part in &t.parts {
            match part {
                TextPart::Lit(l) => s.push_str(&escape_sub(l)),
                TextPart::Input(name) => {
                    s.push_str("${");
                    s.push_str(&self.param(name));
                    s.push('}');
                }
            }
        }
        s.push_str(&escape_sub(suffix));
        sub(s)
    }
}

/// An SSM parameter ARN from an ARN or a name (`/app/key` or `app-key`).
fn parameter_arn(p: &str) -> Value {
    if p.starts_with("arn:") {
        json!(p)
    } else if p.starts_with('/') {
        arn("ssm", &format!("parameter{p}"))
    } else {
        arn("ssm", &format!("parameter/{p}"))
    }
}
