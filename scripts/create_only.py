#!/usr/bin/env python3
"""Writes src/report/create_only.json: the createOnlyProperties of every
CloudFormation resource type Wharf emits, from the AWS resource provider
schemas that cfn-lint ships (us-east-1). `wharf diff` embeds the file to
say which changes replace a resource.

Run after `bash scripts/validators.sh` (which installs the pinned cfn-lint
into target/validators):

    target/validators/bin/python scripts/create_only.py [OUT.json]
"""
import glob
import json
import os
import sys
from importlib import metadata

# The resource types the CloudFormation backend writes (src/emit/cloudformation).
TYPES = [
    "AWS::ApplicationAutoScaling::ScalableTarget",
    "AWS::ApplicationAutoScaling::ScalingPolicy",
    "AWS::EC2::EIP",
    "AWS::EC2::InternetGateway",
    "AWS::EC2::NatGateway",
    "AWS::EC2::Route",
    "AWS::EC2::RouteTable",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::SecurityGroupIngress",
    "AWS::EC2::Subnet",
    "AWS::EC2::SubnetRouteTableAssociation",
    "AWS::EC2::VPC",
    "AWS::EC2::VPCEndpoint",
    "AWS::EC2::VPCGatewayAttachment",
    "AWS::ECS::CapacityProvider",
    "AWS::ECS::Cluster",
    "AWS::ECS::ClusterCapacityProviderAssociations",
    "AWS::ECS::Service",
    "AWS::ECS::TaskDefinition",
    "AWS::ElasticLoadBalancingV2::Listener",
    "AWS::ElasticLoadBalancingV2::ListenerRule",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::IAM::Role",
    "AWS::Logs::LogGroup",
    "AWS::ServiceDiscovery::PrivateDnsNamespace",
    "AWS::ServiceDiscovery::Service",
]


def main():
    import cfnlint

    base = os.path.join(os.path.dirname(cfnlint.__file__), "data", "schemas")
    providers = json.load(open(os.path.join(base, "providers", "us-east-1.json")))
    schema_date = json.load(open(os.path.join(base, "version.json"))).get("schema_date")
    out = {
        "source": "AWS CloudFormation resource provider schemas, us-east-1, as shipped by cfn-lint",
        "cfn_lint_version": metadata.version("cfn-lint"),
        "schema_date": schema_date,
        "types": {},
    }
    for t in TYPES:
        ref = providers.get(t)
        if ref is None:
            sys.exit(f"cfn-lint has no schema for {t}")
        schema = json.load(open(os.path.join(base, "resources", ref + ".json")))
        out["types"][t] = sorted(schema.get("createOnlyProperties", []))
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "src", "report", "create_only.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=2, sort_keys=False)
        f.write("\n")
    print(f"wrote {path}: {len(TYPES)} types, cfn-lint {out['cfn_lint_version']}")


if __name__ == "__main__":
    main()
