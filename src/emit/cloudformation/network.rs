//! Networks. Stage: emit. Input: `ir::Network`; output: nothing for an
//! existing VPC (its IDs or parameters are recorded in `NetFacts`), or a whole
//! VPC for a created one: public and private subnets over 2 or 3 zones
//! (`Fn::GetAZs`), an internet gateway, NAT gateways per `NatMode`, route
//! tables and the VPC endpoints asked for. Subnet CIDRs are the IR's
//! `CreatedVpc::subnet_blocks`, written literally in the template.

use crate::emit::json::json;
use serde_json::Value;

use super::ids::Kind;
use super::value::{get_att, props, r#ref, sub, tags};
use super::{errors, Ctx, NetFacts, Owner};
use crate::ir::{self, NatMode, NetworkKind, VpcEndpoint};

impl<'a> Ctx<'a> {
    pub(super) fn emit_network(&mut self, n: &'a ir::Network) {
        let b = self.at(Kind::Network, &n.name, Owner::Shared);
        let facts = match &n.kind {
            NetworkKind::Existing {
                vpc,
                public_subnets,
                private_subnets,
            } => NetFacts {
                vpc: self.text(vpc),
                public_subnets: self.subnets(public_subnets),
                private_subnets: self.subnets(private_subnets),
                cidr: None,
            },
            NetworkKind::Created(c) => match c.subnet_blocks() {
                Some(blocks) => self.emit_vpc(&b, n, c, &blocks),
                None => {
                    self.diags
                        .push(errors::vpc_cidr_too_small(&n.name, &c.cidr, n.span));
                    return;
                }
            },
        };
        if !self.facts.nets.contains_key(n.name.as_str()) {
            self.facts.to_mut().nets.insert(&n.name, facts);
        }
    }

    fn emit_vpc(
        &mut self,
        b: &str,
        n: &ir::Network,
        c: &ir::CreatedVpc,
        blocks: &[String],
    ) -> NetFacts {
        let name_tag = |suffix: &str| {
            tags(vec![(
                "Name".into(),
                sub(format!("${{AWS::StackName}}-{}{suffix}", n.name)),
            )])
        };
        let vpc = format!("{b}Vpc");
        let igw = format!("{b}InternetGateway");
        let attach = format!("{b}InternetGatewayAttachment");
        self.add(
            vpc.clone(),
            json!({ "Type": "AWS::EC2::VPC", "Properties": {
                "CidrBlock": &c.cidr, "EnableDnsHostnames": true, "EnableDnsSupport": true,
                "Tags": name_tag("") } }),
        );
        self.add(
            igw.clone(),
            json!({ "Type": "AWS::EC2::InternetGateway", "Properties": { "Tags": name_tag("") } }),
        );
        self.add(
            attach.clone(),
            json!({ "Type": "AWS::EC2::VPCGatewayAttachment", "Properties": {
                "VpcId": r#ref(&vpc), "InternetGatewayId": r#ref(&igw) } }),
        );
        let azs = usize::from(c.azs.clamp(2, 3));
        let mut public = Vec::new();
        let mut private = Vec::new();
        for (kind, offset, list) in [("Public", 0, &mut public), ("Private", 8, &mut private)] {
            for i in 0..azs {
                let id = format!("{b}{kind}Subnet{}", i + 1);
                self.add(
                    id.clone(),
                    json!({ "Type": "AWS::EC2::Subnet", "Properties": {
                        "VpcId": r#ref(&vpc),
                        "CidrBlock": &blocks[offset + i],
                        "AvailabilityZone": { "Fn::Select": [i, { "Fn::GetAZs": "" }] },
                        "MapPublicIpOnLaunch": false,
                        "Tags": name_tag(&format!("-{}-{}", kind.to_lowercase(), i + 1)) } }),
                );
                list.push(id);
            }
        }
        let public_rt = format!("{b}PublicRouteTable");
        self.add(
            public_rt.clone(),
            json!({ "Type": "AWS::EC2::RouteTable", "Properties": {
                "VpcId": r#ref(&vpc), "Tags": name_tag("-public") } }),
        );
        self.add(
            format!("{b}PublicDefaultRoute"),
            json!({ "Type": "AWS::EC2::Route", "DependsOn": &attach, "Properties": {
                "RouteTableId": r#ref(&public_rt), "DestinationCidrBlock": "0.0.0.0/0",
                "GatewayId": r#ref(&igw) } }),
        );
        for s in &public {
            self.add(
                format!("{s}RouteTableAssociation"),
                json!({ "Type": "AWS::EC2::SubnetRouteTableAssociation", "Properties": {
                    "SubnetId": r#ref(s), "RouteTableId": r#ref(&public_rt) } }),
            );
        }
        let nats = match c.nat {
            NatMode::None => 0,
            NatMode::Single => 1,
            NatMode::PerAz => azs,
        };
        let mut nat_ids = Vec::new();
        for (i, public_subnet) in public.iter().enumerate().take(nats) {
            let eip = format!("{b}NatEip{}", i + 1);
            let nat = format!("{b}NatGateway{}", i + 1);
            self.add(
                eip.clone(),
                json!({ "Type": "AWS::EC2::EIP", "DependsOn": &attach, "Properties": {
                    "Domain": "vpc", "Tags": name_tag(&format!("-nat-{}", i + 1)) } }),
            );
            self.add(
                nat.clone(),
                json!({ "Type": "AWS::EC2::NatGateway", "Properties": {
                    "AllocationId": get_att(&eip, "AllocationId"),
                    "SubnetId": r#ref(public_subnet),
                    "Tags": name_tag(&format!("-nat-{}", i + 1)) } }),
            );
            nat_ids.push(nat);
        }
        let tables = if c.nat == NatMode::PerAz { azs } else { 1 };
        let mut private_rts = Vec::new();
        for i in 0..tables {
            let suffix = if tables == 1 {
                String::new()
            } else {
                (i + 1).to_string()
            };
            let rt = format!("{b}PrivateRouteTable{suffix}");
            self.add(
                rt.clone(),
                json!({ "Type": "AWS::EC2::RouteTable", "Properties": {
                    "VpcId": r#ref(&vpc), "Tags": name_tag(&format!("-private{}", if suffix.is_empty() { String::new() } else { format!("-{suffix}") })) } }),
            );
            if let Some(nat) = nat_ids.get(i) {
                self.add(
                    format!("{b}PrivateDefaultRoute{suffix}"),
                    json!({ "Type": "AWS::EC2::Route", "Properties": {
                        "RouteTableId": r#ref(&rt), "DestinationCidrBlock": "0.0.0.0/0",
                        "NatGatewayId": r#ref(nat) } }),
                );
            }
            private_rts.push(rt);
        }
        for (i, s) in private.iter().enumerate() {
            let rt = &private_rts[i.min(private_rts.len() - 1)];
            self.add(
                format!("{s}RouteTableAssociation"),
                json!({ "Type": "AWS::EC2::SubnetRouteTableAssociation", "Properties": {
                    "SubnetId": r#ref(s), "RouteTableId": r#ref(rt) } }),
            );
        }
        let private_refs: Vec<Value> = private.iter().map(|s| r#ref(s)).collect();
        self.emit_endpoints(b, &vpc, c, &private_refs, &private_rts);
        NetFacts {
            vpc: r#ref(&vpc),
            public_subnets: Value::Array(public.iter().map(|s| r#ref(s)).collect()),
            private_subnets: Value::Array(private_refs),
            cidr: Some(get_att(&vpc, "CidrBlock")),
        }
    }

    fn emit_endpoints(
        &mut self,
        b: &str,
        vpc: &str,
        c: &ir::CreatedVpc,
        private: &[Value],
        private_rts: &[String],
    ) {
        let mut endpoints = c.endpoints.clone();
        endpoints.sort();
        endpoints.dedup();
        let interface: Vec<(&str, &str)> = endpoints
            .iter()
            .flat_map(|e| match e {
                VpcEndpoint::Ecr => vec![("EcrApi", "ecr.api"), ("EcrDkr", "ecr.dkr")],
                VpcEndpoint::Logs => vec![("Logs", "logs")],
                VpcEndpoint::SecretsManager => vec![("SecretsManager", "secretsmanager")],
                VpcEndpoint::Ssm => vec![("Ssm", "ssm")],
                VpcEndpoint::S3 => vec![],
            })
            .collect();
        if !interface.is_empty() {
            let sg = format!("{b}EndpointSecurityGroup");
            self.add(
                sg.clone(),
                json!({ "Type": "AWS::EC2::SecurityGroup", "Properties": {
                    "GroupDescription": "VPC interface endpoints: HTTPS from inside the VPC",
                    "VpcId": r#ref(vpc),
                    "SecurityGroupIngress": [{
                        "Description": "HTTPS from the VPC", "IpProtocol": "tcp",
                        "FromPort": 443, "ToPort": 443, "CidrIp": get_att(vpc, "CidrBlock") }] } }),
            );
            for (id, service) in interface {
                self.add(
                    format!("{b}{id}Endpoint"),
                    json!({ "Type": "AWS::EC2::VPCEndpoint", "Properties": {
                        "VpcId": r#ref(vpc),
                        "ServiceName": sub(format!("com.amazonaws.${{AWS::Region}}.{service}")),
                        "VpcEndpointType": "Interface",
                        "PrivateDnsEnabled": true,
                        "SubnetIds": private,
                        "SecurityGroupIds": [get_att(&sg, "GroupId")] } }),
                );
            }
        }
        if endpoints.contains(&VpcEndpoint::S3) {
            self.add(
                format!("{b}S3Endpoint"),
                json!({ "Type": "AWS::EC2::VPCEndpoint", "Properties": props(json!({
                    "VpcId": r#ref(vpc),
                    "ServiceName": sub("com.amazonaws.${AWS::Region}.s3"),
                    "VpcEndpointType": "Gateway",
                    "RouteTableIds": private_rts.iter().map(|r| r#ref(r)).collect::<Vec<_>>() })) }),
        );
        }
    }
}
