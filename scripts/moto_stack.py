#!/usr/bin/env python3
"""Helpers for scripts/deploy_test.sh: adapt a Wharf CloudFormation template to
moto's CloudFormation (which lacks some resource types), and check that what
moto created matches what the template declares.

    moto_stack.py adapt TEMPLATE OUT CERT_ARN   # writes OUT, prints removed resources
    moto_stack.py params TEMPLATE ENDPOINT OUT   # writes --parameters JSON for moto
    moto_stack.py check TEMPLATE ENDPOINT STACK  # exits 1 on any mismatch

`adapt` only removes what moto 5.x cannot create (it prints each removal, so the
test log says exactly what was not exercised) and points certificates at one
imported into moto; everything else is deployed as written.
"""

import json
import subprocess
import sys

import yaml  # PyYAML ships with awscli and cfn-lint

# Resource types moto's CloudFormation does not implement (moto 5.2).
UNSUPPORTED = {
    "AWS::ECS::CapacityProvider",
    "AWS::ECS::ClusterCapacityProviderAssociations",
    "AWS::ServiceDiscovery::PrivateDnsNamespace",
    "AWS::ServiceDiscovery::HttpNamespace",
    "AWS::ServiceDiscovery::Service",
    "AWS::ApplicationAutoScaling::ScalableTarget",
    "AWS::ApplicationAutoScaling::ScalingPolicy",
    # moto 5.2 has the EventBridge Scheduler API but not its CloudFormation
    # resource; the schedule's IAM role is deployed.
    "AWS::Scheduler::Schedule",
}


class Loader(yaml.SafeLoader):
    """Reads CloudFormation short tags (!Ref, !Sub, ...) into long form."""


def _tag(loader, suffix, node):
    name = "Ref" if suffix == "Ref" else "Fn::" + suffix
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


Loader.add_multi_constructor("!", _tag)


def load(path):
    with open(path) as f:
        return yaml.load(f, Loader=Loader)


def refers_to(value, ids):
    """True if value refers (Ref/GetAtt/Sub) to any of ids."""
    if isinstance(value, dict):
        if len(value) == 1:
            (k, v), = value.items()
            if k == "Ref" and v in ids:
                return True
            if k == "Fn::GetAtt" and v[0] in ids:
                return True
            if k == "Fn::Sub":
                s = v if isinstance(v, str) else v[0]
                if any("${" + i + "}" in s or "${" + i + "." in s for i in ids):
                    return True
        return any(refers_to(v, ids) for v in value.values())
    if isinstance(value, list):
        return any(refers_to(v, ids) for v in value)
    return False


def adapt(src, out, cert):
    t = load(src)
    res = t["Resources"]
    removed = {k for k, r in res.items() if r["Type"] in UNSUPPORTED}
    # Resources referring to removed ones go too (scaling policies, ...).
    changed = True
    while changed:
        changed = False
        for k, r in res.items():
            if k in removed or r["Type"] == "AWS::ECS::Service":
                continue
            if refers_to(r.get("Properties", {}), removed):
                removed.add(k)
                changed = True
    for k in sorted(removed):
        print(f"  moto: not created (unsupported by moto): {k} ({res[k]['Type']})")
        del res[k]
    for k, r in res.items():
        deps = r.get("DependsOn")
        if deps:
            deps = [deps] if isinstance(deps, str) else deps
            deps = [d for d in deps if d not in removed]
            if deps:
                r["DependsOn"] = deps
            else:
                del r["DependsOn"]
        props = r.get("Properties", {})
        if r["Type"] == "AWS::ECS::Service":
            for key in ("ServiceRegistries", "CapacityProviderStrategy", "ServiceConnectConfiguration"):
                if key in props and refers_to(props[key], removed):
                    print(f"  moto: {k}.{key} dropped (refers to an unsupported resource)")
                    del props[key]
        if r["Type"] == "AWS::ElasticLoadBalancingV2::Listener":
            for c in props.get("Certificates", []):
                c["CertificateArn"] = cert
    outputs = t.get("Outputs", {})
    for k in [k for k, o in outputs.items() if refers_to(o, removed)]:
        del outputs[k]
    with open(out, "w") as f:
        json.dump(t, f, indent=2)


def aws(endpoint, *args):
    out = subprocess.run(
        ["aws", "--endpoint-url", endpoint, "--output", "json", *args],
        check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out) if out.strip() else {}


def params(src, endpoint, out):
    """Parameter values for moto: network IDs from a VPC created in moto
    (made once, tagged wharf-deploy-test), defaults for everything else."""
    t = load(src)
    network_types = ("AWS::EC2::VPC::Id", "List<AWS::EC2::Subnet::Id>",
                     "List<AWS::EC2::SecurityGroup::Id>")
    if not any(p["Type"] in network_types for p in t.get("Parameters", {}).values()):
        values = [{"ParameterKey": k, "ParameterValue": str(p.get("Default", "x"))}
                  for k, p in t.get("Parameters", {}).items()]
        with open(out, "w") as f:
            json.dump(values, f)
        return
    vpcs = aws(endpoint, "ec2", "describe-vpcs", "--filters",
               "Name=tag:Name,Values=wharf-deploy-test")["Vpcs"]
    if vpcs:
        vpc = vpcs[0]["VpcId"]
    else:
        vpc = aws(endpoint, "ec2", "create-vpc", "--cidr-block", "10.20.0.0/16",
                  "--tag-specifications",
                  "ResourceType=vpc,Tags=[{Key=Name,Value=wharf-deploy-test}]")["Vpc"]["VpcId"]
        for i, az in enumerate(["us-east-1a", "us-east-1b"]):
            aws(endpoint, "ec2", "create-subnet", "--vpc-id", vpc, "--availability-zone", az,
                "--cidr-block", f"10.20.{i}.0/24")
        aws(endpoint, "ec2", "create-security-group", "--vpc-id", vpc,
            "--group-name", "wharf-deploy-test", "--description", "wharf deploy test")
    subnets = [s["SubnetId"] for s in aws(endpoint, "ec2", "describe-subnets", "--filters",
                                          f"Name=vpc-id,Values={vpc}")["Subnets"]]
    groups = [g["GroupId"] for g in aws(endpoint, "ec2", "describe-security-groups", "--filters",
                                        f"Name=vpc-id,Values={vpc}")["SecurityGroups"]]
    values = []
    for name, p in t.get("Parameters", {}).items():
        ty = p["Type"]
        if ty == "AWS::EC2::VPC::Id":
            v = vpc
        elif ty == "List<AWS::EC2::Subnet::Id>":
            v = ",".join(sorted(subnets)[:2])
        elif ty == "List<AWS::EC2::SecurityGroup::Id>":
            v = groups[0]
        else:
            v = str(p.get("Default", "x"))
        values.append({"ParameterKey": name, "ParameterValue": v})
    with open(out, "w") as f:
        json.dump(values, f)


_exports = {}


def exports(endpoint):
    """Export name -> value in moto (split programs import the cluster)."""
    if not _exports:
        for e in aws(endpoint, "cloudformation", "list-exports")["Exports"]:
            _exports[e["Name"]] = e["Value"]
    return _exports


def literal(v):
    return isinstance(v, (str, int, float, bool))


def check(src, endpoint, stack):
    t = load(src)
    res = t["Resources"]
    errors = []
    checked = 0

    def expect(what, declared, actual):
        nonlocal checked
        if not literal(declared):
            return
        checked += 1
        if str(declared) != str(actual):
            errors.append(f"{what}: declared {declared!r}, found {actual!r}")

    clusters = {k: r["Properties"]["ClusterName"] for k, r in res.items()
                if r["Type"] == "AWS::ECS::Cluster"}
    for k, r in res.items():
        p = r.get("Properties", {})
        if r["Type"] == "AWS::ECS::TaskDefinition":
            td = aws(endpoint, "ecs", "describe-task-definition",
                     "--task-definition", p["Family"])["taskDefinition"]
            expect(f"{k}.Family", p["Family"], td.get("family"))
            if "Memory" in p:
                expect(f"{k}.Memory", p["Memory"], td.get("memory"))
            by_name = {c["name"]: c for c in td["containerDefinitions"]}
            for c in p["ContainerDefinitions"]:
                got = by_name.get(c["Name"])
                if got is None:
                    errors.append(f"{k}: container {c['Name']} missing")
                    continue
                expect(f"{k}.{c['Name']}.Image", c["Image"], got.get("image"))
                expect(f"{k}.{c['Name']}.Essential", c.get("Essential", True), got.get("essential"))
                ports = [(m["ContainerPort"]) for m in c.get("PortMappings", [])]
                expect(f"{k}.{c['Name']}.Ports", str(ports),
                       str([m.get("containerPort") for m in got.get("portMappings", [])]))
                env = sorted((e["Name"], e["Value"]) for e in c.get("Environment", [])
                             if literal(e["Value"]))
                got_env = sorted((e["name"], e["value"]) for e in got.get("environment", [])
                                 if (e["name"], e["value"]) in env)
                expect(f"{k}.{c['Name']}.Environment", str(env), str(got_env))
        if r["Type"] == "AWS::ECS::Service":
            c = p["Cluster"]
            if isinstance(c, dict) and "Ref" in c:
                cluster = clusters.get(c["Ref"])
            elif isinstance(c, dict) and "Fn::ImportValue" in c:
                cluster = exports(endpoint).get(c["Fn::ImportValue"])
            else:
                cluster = c
            svc = aws(endpoint, "ecs", "describe-services", "--cluster", cluster,
                      "--services", p["ServiceName"])["services"]
            if not svc:
                errors.append(f"{k}: service {p['ServiceName']} not found")
                continue
            s = svc[0]
            expect(f"{k}.ServiceName", p["ServiceName"], s.get("serviceName"))
            if "DesiredCount" in p:
                expect(f"{k}.DesiredCount", p["DesiredCount"], s.get("desiredCount"))
            expect(f"{k}.Cluster", cluster, s.get("clusterArn", "").rsplit("/", 1)[-1])
            td_ref = p["TaskDefinition"].get("Ref") if isinstance(p["TaskDefinition"], dict) else None
            if td_ref in res:
                family = res[td_ref]["Properties"]["Family"]
                expect(f"{k}.TaskDefinition", family,
                       s.get("taskDefinition", "").rsplit("/", 1)[-1].split(":")[0])
    # This stack's own resources: logical ID -> physical ID (an ARN for a
    # target group), so another stack's look-alike is never picked.
    physical = {r["LogicalResourceId"]: r.get("PhysicalResourceId")
                for r in aws(endpoint, "cloudformation", "describe-stack-resources",
                             "--stack-name", stack)["StackResources"]}
    tgs = {g["TargetGroupArn"]: g
           for g in aws(endpoint, "elbv2", "describe-target-groups")["TargetGroups"]}
    for k, r in res.items():
        if r["Type"] != "AWS::ElasticLoadBalancingV2::TargetGroup":
            continue
        p = r["Properties"]
        checked += 1
        g = tgs.get(physical.get(k))
        if g is None:
            errors.append(f"{k}: not created by stack {stack}")
            continue
        expect(f"{k}.Port", p["Port"], g.get("Port"))
        expect(f"{k}.Protocol", p["Protocol"], g.get("Protocol"))
        expect(f"{k}.TargetType", p["TargetType"], g.get("TargetType"))
        expect(f"{k}.HealthCheckIntervalSeconds", p["HealthCheckIntervalSeconds"], g.get("HealthCheckIntervalSeconds"))
        expect(f"{k}.HealthyThresholdCount", p["HealthyThresholdCount"], g.get("HealthyThresholdCount"))
    # SQS queues: created under their name, with the declared attributes
    # and redrive policy (maxReceiveCount, dead-letter target by name).
    for k, r in res.items():
        if r["Type"] != "AWS::SQS::Queue":
            continue
        p = r["Properties"]
        url = physical.get(k)
        if not url:
            errors.append(f"{k}: not created by stack {stack}")
            continue
        got = aws(endpoint, "sqs", "get-queue-attributes", "--queue-url", url,
                  "--attribute-names", "All").get("Attributes", {})
        expect(f"{k}.QueueName", p["QueueName"], url.rsplit("/", 1)[-1])
        for prop in ("VisibilityTimeout", "MessageRetentionPeriod",
                     "ReceiveMessageWaitTimeSeconds"):
            if prop in p:
                expect(f"{k}.{prop}", p[prop], got.get(prop))
        if p.get("FifoQueue"):
            expect(f"{k}.FifoQueue", "true", got.get("FifoQueue"))
        redrive = p.get("RedrivePolicy")
        if redrive:
            actual = json.loads(got.get("RedrivePolicy", "{}"))
            expect(f"{k}.maxReceiveCount", redrive["maxReceiveCount"],
                   actual.get("maxReceiveCount"))
            target = redrive["deadLetterTargetArn"]
            if isinstance(target, dict) and "Fn::GetAtt" in target:
                target = res[target["Fn::GetAtt"][0]]["Properties"]["QueueName"]
            expect(f"{k}.deadLetterTarget", target.rsplit(":", 1)[-1],
                   actual.get("deadLetterTargetArn", "").rsplit(":", 1)[-1])
    # Auto scaling groups of created EC2 capacity: sizes, launch template
    # (its instance type and the AMI resolved from the SSM parameter).
    for k, r in res.items():
        if r["Type"] != "AWS::AutoScaling::AutoScalingGroup":
            continue
        p = r["Properties"]
        groups = aws(endpoint, "autoscaling", "describe-auto-scaling-groups",
                     "--auto-scaling-group-names", physical.get(k) or k)["AutoScalingGroups"]
        if not groups:
            errors.append(f"{k}: not created by stack {stack}")
            continue
        g = groups[0]
        expect(f"{k}.MinSize", p["MinSize"], g.get("MinSize"))
        expect(f"{k}.MaxSize", p["MaxSize"], g.get("MaxSize"))
        if "DesiredCapacity" in p:
            expect(f"{k}.DesiredCapacity", p["DesiredCapacity"], g.get("DesiredCapacity"))
        expect(f"{k}.NewInstancesProtectedFromScaleIn", p["NewInstancesProtectedFromScaleIn"],
               g.get("NewInstancesProtectedFromScaleIn"))
        lt = g.get("LaunchTemplate", {}).get("LaunchTemplateId")
        template = res[p["LaunchTemplate"]["LaunchTemplateId"]["Ref"]]["Properties"]
        versions = aws(endpoint, "ec2", "describe-launch-template-versions",
                       "--launch-template-id", lt)["LaunchTemplateVersions"] if lt else []
        data = versions[0]["LaunchTemplateData"] if versions else {}
        expect(f"{k}.InstanceType", template["LaunchTemplateData"]["InstanceType"],
               data.get("InstanceType"))
        checked += 1
        if not str(data.get("ImageId", "")).startswith("ami-"):
            errors.append(f"{k}: launch template image {data.get('ImageId')!r} is not an AMI ID")
    print("  (moto's CloudFormation does not carry NetworkMode, Cpu, LaunchType, "
          "SchedulingStrategy or LoadBalancers into ECS; those are checked by cfn-lint only)")
    for e in errors:
        print("  MISMATCH " + e)
    print(f"  {checked} declared values checked, {len(errors)} mismatches")
    return 1 if errors else 0


def register(endpoint, files):
    """The ECS API target's task definitions that name a runtime platform,
    registered with RegisterTaskDefinition (moto's CloudFormation drops
    RuntimePlatform, its ECS API keeps it): each must come back with the
    same family and runtimePlatform."""
    errors = []
    checked = 0
    for f in files:
        with open(f) as fh:
            td = json.load(fh)
        if "runtimePlatform" not in td:
            continue
        got = aws(endpoint, "ecs", "register-task-definition",
                  "--cli-input-json", "file://" + f)["taskDefinition"]
        for key in ("family", "runtimePlatform"):
            checked += 1
            if got.get(key) != td[key]:
                errors.append(f"{f}: {key} declared {td[key]!r}, found {got.get(key)!r}")
    for e in errors:
        print("  MISMATCH " + e)
    print(f"  {checked} runtime platform values checked, {len(errors)} mismatches")
    return 1 if errors else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["adapt"] and len(sys.argv) == 5:
        adapt(sys.argv[2], sys.argv[3], sys.argv[4])
    elif sys.argv[1:2] == ["params"] and len(sys.argv) == 5:
        params(sys.argv[2], sys.argv[3], sys.argv[4])
    elif sys.argv[1:2] == ["check"] and len(sys.argv) == 5:
        sys.exit(check(sys.argv[2], sys.argv[3], sys.argv[4]))
    elif sys.argv[1:2] == ["register"] and len(sys.argv) >= 4:
        sys.exit(register(sys.argv[2], sys.argv[3:]))
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
