//! `ir::LogGroup` -> CloudWatch Logs inputs: the log groups Wharf owns are
//! created as the CloudFormation target creates them (`AWS::Logs::LogGroup`
//! with its retention), by a `CreateLogGroup` and a `PutRetentionPolicy`
//! input each. The awslogs driver then finds its group, and no container
//! needs `awslogs-create-group` (which AWS's managed execution role policy
//! does not allow); a program that wants it still writes the option.

use serde_json::Value;

use super::Obj;
use crate::ir;

/// The file stem of a log group's inputs: its name without the leading `/`,
/// every `/` a `_` (`/ecs/web` -> `ecs_web`).
pub(crate) fn stem(group: &ir::LogGroup) -> String {
    group.name.trim_start_matches('/').replace('/', "_")
}

pub(crate) fn create_log_group(group: &ir::LogGroup) -> Value {
    Obj::new().set("logGroupName", group.name.as_str()).build()
}

pub(crate) fn put_retention_policy(group: &ir::LogGroup) -> Value {
    Obj::new()
        .set("logGroupName", group.name.as_str())
        .set("retentionInDays", group.retention_days)
        .build()
}
