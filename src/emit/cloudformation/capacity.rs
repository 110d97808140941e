//! EC2 capacity a cluster creates. Stage: emit (CloudFormation). Input: an
//! `ir::Ec2CapacityProvider` with `created`; output, in the shared stack:
//!
//! - a parameter of type `AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>`
//!   defaulting to the public SSM parameter of the recommended ECS-optimized
//!   Amazon Linux 2023 AMI (`arm64/` for ARM64), so each deployment takes
//!   the current image;
//! - the instance role (`AmazonEC2ContainerServiceforEC2Role`, trusted by
//!   EC2) and its instance profile;
//! - the instance security group (egress only; ingress is added per load
//!   balancer below);
//! - a launch template: the AMI, the instance type, the profile, the group,
//!   IMDSv2 required, an encrypted gp3 root volume when sized, and user
//!   data that writes `ECS_CLUSTER=<cluster>` to `/etc/ecs/ecs.config`;
//! - the auto scaling group in the network's private subnets, tagged
//!   `AmazonECSManaged` (managed scaling), its new instances protected from
//!   scale-in exactly when managed termination protection is on (ECS
//!   requires both together);
//!
//! and the capacity provider names that group. For every service in the
//! cluster whose tasks map host ports (bridge or host network mode) behind a
//! load balancer, an ingress rule lets the load balancer's security group
//! reach the instances: the static host port, or for bridge's dynamic host
//! ports the ephemeral range 32768-65535.
//!
//! `os windows_server_*` makes them ECS-optimized Windows Server instances
//! (the edition's `/aws/service/ami-windows-latest/...` parameter, PowerShell
//! user data calling `Initialize-ECSAgent`). A task the instances cannot run
//! (ARM64 on x86_64 instances or the other way round, Windows on Linux,
//! Linux on Windows, another Windows Server version) placed on created
//! capacity by its service's strategy is E0536.

use crate::emit::json::json;
use serde_json::Value;

use super::ids::Kind;
use super::value::{get_att, props, r#ref, sub};
use super::{Ctx, Owner};
use crate::diag::{Code, Diagnostic};
use crate::ir::{self, Arch, CapacityProvider, NetworkMode, StrategyItem};

/// Docker's dynamic host ports on the ECS-optimized AMI fall in this range.
const EPHEMERAL: (u16, u16) = (32768, 65535);

impl<'a> Ctx<'a> {
    /// Emits what a created capacity needs; returns the value naming its
    /// auto scaling group for the capacity provider.
    pub(super) fn emit_created_capacity(
        &mut self,
        b: &str,
        cluster: &'a ir::Cluster,
        e: &'a ir::Ec2CapacityProvider,
        c: &ir::CreatedCapacity,
    ) -> Value {
        let key = (cluster.name.as_str(), e.name.as_str());
        let ami = match self.facts.amis.get(&key) {
            Some(id) => id.clone(),
            None => {
                let ami = self.claim(format!("{b}AmiId"), true);
                let facts = self.facts.to_mut();
                facts.params.insert(
                    ami.clone(),
                    json!({ "Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
                        "Description": format!("ECS-optimized AMI of capacity `{}` (public SSM parameter)", e.name),
                        "Default": c.ami_parameter().unwrap_or_default() }),
                );
                facts.amis.insert(key, ami.clone());
                ami
            }
        };
        let role = format!("{b}InstanceRole");
        self.add(
            role.clone(),
            json!({ "Type": "AWS::IAM::Role", "Properties": {
                "Description": format!("EC2 instance role of capacity `{}`", e.name),
                "AssumeRolePolicyDocument": { "Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Principal": { "Service": "ec2.amazonaws.com" },
                    "Action": "sts:AssumeRole" }] },
                "ManagedPolicyArns": [sub(
                    "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role")] } }),
        );
        let profile = format!("{b}InstanceProfile");
        self.add(
            profile.clone(),
            json!({ "Type": "AWS::IAM::InstanceProfile", "Properties": { "Roles": [r#ref(&role)] } }),
        );
        let net = self.net(&c.network).cloned();
        let Some(net) = net else {
            return Value::Null;
        };
        let sg = format!("{b}InstanceSecurityGroup");
        self.add(
            sg.clone(),
            json!({ "Type": "AWS::EC2::SecurityGroup", "Properties": {
                "GroupDescription": format!("Instances of capacity {}", e.name),
                "VpcId": net.vpc,
                "SecurityGroupEgress": [{ "Description": "All egress", "IpProtocol": "-1", "CidrIp": "0.0.0.0/0" }] } }),
        );
        let cluster_id = self.cluster_id(&cluster.name);
        // Linux: the agent reads ECS_CLUSTER from ecs.config; Windows: the
        // ECSTools module of the ECS-optimized Windows AMI starts the agent.
        let script = if c.windows.is_some() {
            "<powershell>\nImport-Module ECSTools\nInitialize-ECSAgent -Cluster '${Cluster}' -EnableTaskIAMRole -AwsvpcBlockIMDS\n</powershell>\n"
        } else {
            "#!/bin/bash\necho ECS_CLUSTER=${Cluster} >> /etc/ecs/ecs.config\n"
        };
        let user_data = json!({ "Fn::Base64": { "Fn::Sub": [
            script, { "Cluster": r#ref(&cluster_id) }] } });
        let device = if c.windows.is_some() {
            "/dev/sda1"
        } else {
            "/dev/xvda"
        };
        let volumes = c.root_volume_gib.map(|g| {
            json!([{ "DeviceName": device, "Ebs": {
                "VolumeSize": g, "VolumeType": "gp3", "Encrypted": true, "DeleteOnTermination": true } }])
        });
        let template = format!("{b}LaunchTemplate");
        self.add(
            template.clone(),
            json!({ "Type": "AWS::EC2::LaunchTemplate", "Properties": {
                "LaunchTemplateData": props(json!({
                    "ImageId": r#ref(&ami),
                    "InstanceType": &c.instance_type,
                    "IamInstanceProfile": { "Arn": get_att(&profile, "Arn") },
                    "SecurityGroupIds": [get_att(&sg, "GroupId")],
                    "MetadataOptions": { "HttpTokens": "required", "HttpEndpoint": "enabled" },
                    "BlockDeviceMappings": volumes,
                    "UserData": user_data })) } }),
        );
        let group = format!("{b}AutoScalingGroup");
        self.add(
            group.clone(),
            json!({ "Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": props(json!({
                "MinSize": c.min.to_string(),
                "MaxSize": c.max.to_string(),
                "DesiredCapacity": c.desired.map(|d| d.to_string()),
                "LaunchTemplate": { "LaunchTemplateId": r#ref(&template),
                    "Version": get_att(&template, "LatestVersionNumber") },
                "VPCZoneIdentifier": net.private_subnets,
                "NewInstancesProtectedFromScaleIn": e.managed_termination_protection,
                "Tags": [
                    { "Key": "Name", "Value": format!("{}-{}", cluster.name, e.name), "PropagateAtLaunch": true },
                    { "Key": "AmazonECSManaged", "Value": "", "PropagateAtLaunch": true },
                ] })) }),
        );
        r#ref(&group)
    }

    /// Ingress from load balancers to the instances of created capacity,
    /// for bridge and host tasks; E0536 for tasks the instances cannot run.
    pub(super) fn emit_capacity_rules(&mut self) {
        let p = self.p;
        for cluster in &p.clusters {
            let created: Vec<(&ir::Ec2CapacityProvider, &ir::CreatedCapacity)> = cluster
                .capacity_providers
                .iter()
                .filter_map(|cp| match cp {
                    CapacityProvider::Ec2(e) => e.created.as_ref().map(|c| (e, c)),
                    _ => None,
                })
                .collect();
            if created.is_empty() {
                continue;
            }
            for s in p.services.iter().filter(|s| s.cluster == cluster.name) {
                let Some(&task) = self.ix.tasks.get(s.task.as_str()) else {
                    continue;
                };
                let strategy: &[StrategyItem] = match &s.launch {
                    ir::Launch::Strategy(items) => items,
                    ir::Launch::ClusterDefault => &cluster.default_strategy,
                    ir::Launch::Type(_) => &[],
                };
                // Where the service's tasks may land: the providers of its
                // strategy, or any instance of the cluster for an EC2
                // launch type.
                let on: Vec<&(&ir::Ec2CapacityProvider, &ir::CreatedCapacity)> = created
                    .iter()
                    .filter(|(e, _)| match &s.launch {
                        ir::Launch::Type(t) => *t == ir::Compatibility::Ec2,
                        _ => strategy.iter().any(|i| i.provider == e.name),
                    })
                    .collect();
                for (e, c) in &on {
                    let task_arch = task.arch.unwrap_or(Arch::X86_64);
                    // ECS places a Windows task on instances whose
                    // `ecs.os-family` is the family it names; a Linux task
                    // on Linux instances.
                    let os_ok = match (&c.windows, task.is_windows()) {
                        (None, false) => true,
                        (Some(host), true) => task.os_family.as_deref() == Some(host.as_str()),
                        _ => false,
                    };
                    if !os_ok || task_arch != c.arch {
                        let what = match task.os_family.as_deref().filter(|_| task.is_windows()) {
                            Some(f) => format!("a {} task", f.to_ascii_lowercase()),
                            None => format!("a Linux {} task", task_arch.as_str()),
                        };
                        let host = match &c.windows {
                            Some(f) => format!("{} {}", f.to_ascii_lowercase(), c.arch.as_str()),
                            None => format!("Linux {}", c.arch.as_str()),
                        };
                        self.diags.push(
                            Diagnostic::error(
                                Code::CapacityPlatform,
                                format!(
                                    "service `{}` places {what} on capacity `{}`, whose instances are {host}",
                                    s.name, e.name
                                ),
                                s.span,
                                "ECS would never find an instance for these tasks",
                            )
                            .with_label(c.span, "the created capacity")
                            .with_help("give the task the instances' platform (`arch`), or place the service on other capacity (`capacity NAME` or `launch`)"),
                        );
                    }
                }
                if !matches!(
                    task.network_mode,
                    NetworkMode::Bridge | NetworkMode::Default | NetworkMode::Host
                ) {
                    continue;
                }
                for (e, _) in on {
                    self.capacity_ingress(s, task, e);
                }
            }
        }
    }

    fn capacity_ingress(&mut self, s: &ir::Service, task: &ir::Task, e: &ir::Ec2CapacityProvider) {
        let cp_b = self.ids.base(Kind::CapacityProvider, &e.name);
        let sg = format!("{cp_b}InstanceSecurityGroup");
        if !self.emitted(&sg) {
            return;
        }
        for x in &s.exposures {
            let mapping = task
                .containers
                .iter()
                .filter(|c| c.name == x.container)
                .flat_map(|c| &c.ports)
                .find(|m| m.container_port == x.container_port);
            let (from, to) = match (task.network_mode, mapping.and_then(|m| m.host_port)) {
                (NetworkMode::Host, _) => (x.container_port, x.container_port),
                (_, Some(h)) if h != 0 => (h, h),
                _ => EPHEMERAL,
            };
            let proto = match mapping.map(|m| m.protocol) {
                Some(ir::Protocol::Udp) => "udp",
                _ => "tcp",
            };
            let lb_sg = self.lb_sg_id(&x.load_balancer);
            self.at(Kind::CapacityProvider, &e.name, Owner::Shared);
            let id = format!(
                "{cp_b}From{}{}",
                self.ids.base(Kind::Service, &s.name),
                x.container_port
            );
            self.add(
                id,
                json!({ "Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
                    "GroupId": get_att(&sg, "GroupId"),
                    "SourceSecurityGroupId": get_att(&lb_sg, "GroupId"),
                    "IpProtocol": proto, "FromPort": from, "ToPort": to,
                    "Description": format!("{} to {}:{} of service {}", x.load_balancer, x.container, x.container_port, s.name) } }),
            );
        }
    }
}
