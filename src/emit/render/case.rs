//! Key spelling and key order per target: the one table of CloudFormation
//! property names that are not the API member with its first letter
//! capitalised, and the key order CloudFormation objects keep.

use std::sync::OnceLock;

use serde_json::Value;

/// How a target spells and orders the members of an ECS shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// The ECS API (`--cli-input-json`): botocore's lowerCamel member names,
    /// in botocore member order.
    Api,
    /// CloudFormation resource properties: PascalCase, with the exceptions
    /// of [`CLOUDFORMATION_NAMES`], in [`CLOUDFORMATION_ORDER`].
    CloudFormation,
}

/// (botocore shape, API member, CloudFormation property) where the
/// CloudFormation name is not the member with its first letter in upper
/// case (`AWS::ECS::TaskDefinition` in the CloudFormation User Guide).
const CLOUDFORMATION_NAMES: &[(&str, &str, &str)] = &[
    ("Volume", "efsVolumeConfiguration", "EFSVolumeConfiguration"),
    ("EFSVolumeConfiguration", "fileSystemId", "FilesystemId"),
    ("EFSAuthorizationConfig", "iam", "IAM"),
    (
        "Volume",
        "fsxWindowsFileServerVolumeConfiguration",
        "FSxWindowsFileServerVolumeConfiguration",
    ),
    (
        "ProxyConfiguration",
        "properties",
        "ProxyConfigurationProperties",
    ),
    (
        "CreateServiceRequest",
        "placementStrategy",
        "PlacementStrategies",
    ),
];

/// (botocore shape, API member, value) that CloudFormation has no spelling
/// for; leaving the property out means the same (`AWS::ECS::Service`
/// `PropagateTags` takes `SERVICE` or `TASK_DEFINITION`, absent is none).
const CLOUDFORMATION_ABSENT: &[(&str, &str, &str)] =
    &[("CreateServiceRequest", "propagateTags", "NONE")];

/// The key order of CloudFormation objects that differs from botocore's,
/// by botocore shape (CloudFormation property names). Members a shape does
/// not list follow the listed ones in botocore order; shapes not listed
/// keep botocore order.
const CLOUDFORMATION_ORDER: &[(&str, &[&str])] = &[
    (
        "RegisterTaskDefinitionRequest",
        &[
            "Family",
            "NetworkMode",
            "RequiresCompatibilities",
            "Cpu",
            "Memory",
            "ExecutionRoleArn",
            "TaskRoleArn",
            "RuntimePlatform",
            "EphemeralStorage",
            "PlacementConstraints",
            "PidMode",
            "IpcMode",
            "ProxyConfiguration",
            "EnableFaultInjection",
            "Volumes",
            "ContainerDefinitions",
            "Tags",
        ],
    ),
    (
        "ContainerDefinition",
        &[
            "Name",
            "Image",
            "Essential",
            "Cpu",
            "Memory",
            "MemoryReservation",
            "PortMappings",
            "Environment",
            "Secrets",
            "LogConfiguration",
            "FirelensConfiguration",
            "HealthCheck",
            "Command",
            "EntryPoint",
            "WorkingDirectory",
            "User",
            "ReadonlyRootFilesystem",
            "DependsOn",
            "MountPoints",
            "StopTimeout",
            "StartTimeout",
            "Ulimits",
            "DockerLabels",
            "RepositoryCredentials",
            "Links",
            "RestartPolicy",
            "EnvironmentFiles",
            "VolumesFrom",
            "LinuxParameters",
            "VersionConsistency",
            "Hostname",
            "DisableNetworking",
            "Privileged",
            "DnsServers",
            "DnsSearchDomains",
            "ExtraHosts",
            "DockerSecurityOptions",
            "Interactive",
            "PseudoTerminal",
            "SystemControls",
            "ResourceRequirements",
            "CredentialSpecs",
        ],
    ),
    (
        "CreateServiceRequest",
        &[
            "ServiceName",
            "Cluster",
            "TaskDefinition",
            "LaunchType",
            "CapacityProviderStrategy",
            "PlatformVersion",
            "SchedulingStrategy",
            "DesiredCount",
            "NetworkConfiguration",
            "LoadBalancers",
            "HealthCheckGracePeriodSeconds",
            "DeploymentConfiguration",
            "PlacementStrategies",
            "PlacementConstraints",
            "ServiceRegistries",
            "DeploymentController",
            "Tags",
            "EnableECSManagedTags",
            "EnableExecuteCommand",
        ],
    ),
    (
        "LoadBalancer",
        &[
            "ContainerName",
            "ContainerPort",
            "TargetGroupArn",
            "AdvancedConfiguration",
        ],
    ),
    (
        "AwsVpcConfiguration",
        &["AssignPublicIp", "SecurityGroups", "Subnets"],
    ),
    (
        "DeploymentConfiguration",
        &[
            "DeploymentCircuitBreaker",
            "MaximumPercent",
            "MinimumHealthyPercent",
            "Strategy",
            "LinearConfiguration",
            "CanaryConfiguration",
            "BakeTimeInMinutes",
        ],
    ),
];

impl Case {
    /// The key for API member `member` of botocore shape `shape`.
    pub fn key(self, shape: &str, member: &str) -> String {
        match self {
            Case::Api => member.to_string(),
            Case::CloudFormation => {
                if let Some((_, _, name)) = CLOUDFORMATION_NAMES
                    .iter()
                    .find(|(s, m, _)| *m == member && *s == shape)
                {
                    return (*name).to_string();
                }
                let mut key = String::with_capacity(member.len());
                let mut chars = member.chars();
                if let Some(first) = chars.next() {
                    key.push(first.to_ascii_uppercase());
                    key.push_str(chars.as_str());
                }
                key
            }
        }
    }

    /// True when this target leaves `member` out when it has `value`.
    pub(super) fn omits(self, shape: &str, member: &str, value: &Value) -> bool {
        self == Case::CloudFormation
            && CLOUDFORMATION_ABSENT
                .iter()
                .any(|(s, m, v)| *m == member && *s == shape && value.as_str() == Some(*v))
    }

    /// Puts the members of a finished object of `shape` (in botocore
    /// order) in this target's order.
    pub(super) fn order(self, shape: &str, entries: &mut [(String, Value)]) {
        if self == Case::Api {
            return;
        }
        if let Some(ranks) = cloudformation_ranks(shape) {
            // Stable: unlisted members (one rank) keep botocore order.
            entries.sort_by_cached_key(|(k, _)| rank(ranks, k));
        }
    }
}

/// Per ordered shape: its (property, position) pairs sorted by property,
/// built once.
type Ranks = Vec<(&'static str, usize)>;

fn cloudformation_ranks(shape: &str) -> Option<&'static Ranks> {
    static TABLES: OnceLock<Vec<(&'static str, Ranks)>> = OnceLock::new();
    let tables = TABLES.get_or_init(|| {
        CLOUDFORMATION_ORDER
            .iter()
            .map(|(shape, order)| {
                let mut ranks: Ranks = order.iter().enumerate().map(|(i, k)| (*k, i)).collect();
                ranks.sort_unstable_by(|a, b| a.0.cmp(b.0));
                (*shape, ranks)
            })
            .collect()
    });
    tables.iter().find(|(s, _)| *s == shape).map(|(_, r)| r)
}

fn rank(ranks: &[(&'static str, usize)], key: &str) -> usize {
    ranks
        .binary_search_by(|(k, _)| (*k).cmp(key))
        .map_or(ranks.len(), |i| ranks[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloudformation_keys_capitalise_unless_named_otherwise() {
        let cfn = Case::CloudFormation;
        assert_eq!(
            cfn.key("ContainerDefinition", "readonlyRootFilesystem"),
            "ReadonlyRootFilesystem"
        );
        assert_eq!(cfn.key("EphemeralStorage", "sizeInGiB"), "SizeInGiB");
        assert_eq!(
            cfn.key("EFSVolumeConfiguration", "fileSystemId"),
            "FilesystemId"
        );
        assert_eq!(cfn.key("EFSAuthorizationConfig", "iam"), "IAM");
        assert_eq!(
            cfn.key("ProxyConfiguration", "properties"),
            "ProxyConfigurationProperties"
        );
        assert_eq!(
            Case::Api.key("Volume", "efsVolumeConfiguration"),
            "efsVolumeConfiguration"
        );
    }

    #[test]
    fn every_ordered_shape_lists_each_property_once() {
        for (shape, order) in CLOUDFORMATION_ORDER {
            let ranks = cloudformation_ranks(shape).unwrap();
            assert_eq!(ranks.len(), order.len());
            for (i, k) in order.iter().enumerate() {
                assert_eq!(rank(ranks, k), i, "{shape}.{k}");
            }
        }
    }

    #[test]
    fn unlisted_members_follow_in_their_own_order() {
        let mut entries: Vec<(String, Value)> = ["NewMember", "Image", "Other", "Name"]
            .iter()
            .map(|k| (k.to_string(), Value::Null))
            .collect();
        Case::CloudFormation.order("ContainerDefinition", &mut entries);
        let keys: Vec<String> = entries.into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["Name", "Image", "NewMember", "Other"]);
    }
}
