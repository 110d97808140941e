//! Queue workers (issue 12 item 3) through the public driver, on programs
//! written here: what each target writes for a service's `queue` (the SQS
//! queue and its dead-letter queue, the URL variable, the least-privilege
//! consume policy, backlog scaling), and the checks (E0492-E0496, E0534).

use std::path::Path;

use serde_json::{json, Value};
use wharf::diag::Code;
use wharf::driver::{self, Memory};
use wharf::emit::{Target, TemplateFormat};

const HEAD: &str = r#"
stack "shop"
region "eu-west-1"
account "123456789012"
cluster jobs { capacity FARGATE weight 1; insights on }
"#;

fn build(source: &str, target: Target) -> Result<Vec<(String, String)>, Vec<Code>> {
    let fs = Memory::with("q.wharf", source);
    match driver::build(
        &fs,
        Path::new("q.wharf"),
        &Default::default(),
        target,
        TemplateFormat::Json,
    ) {
        Ok(b) => Ok(b
            .artifacts
            .into_iter()
            .map(|a| (a.path, a.contents))
            .collect()),
        Err(d) => Err(d.diags.iter().map(|d| d.code).collect()),
    }
}

fn codes(source: &str) -> Vec<Code> {
    match build(source, Target::Cloudformation) {
        Ok(_) => Vec::new(),
        Err(c) => c,
    }
}

fn artifact(files: &[(String, String)], path: &str) -> Value {
    let (_, text) = files.iter().find(|(p, _)| p == path).unwrap_or_else(|| {
        panic!(
            "no {path} in {:?}",
            files.iter().map(|f| &f.0).collect::<Vec<_>>()
        )
    });
    serde_json::from_str(text).unwrap()
}

fn template(source: &str) -> Value {
    let files = build(source, Target::Cloudformation).expect("builds");
    artifact(&files, "shop.json")
}

const WORKER: &str = r#"
task worker {
  cpu 0.25vcpu
  memory 512MiB
  container sidecar { image "side:1"; essential off }
  container app { image "worker:1"; env MODE = "work" }
}
"#;

#[test]
fn created_fifo_queue_with_dead_letter_queue_policy_and_backlog_scaling() {
    let t = template(&format!(
        "{HEAD}{WORKER}
service worker in jobs {{
  task worker
  subnets [\"subnet-0a1b2c3d\"]
  queue orders {{ fifo; visibility 2m; retention 96h; wait 20s; dead_letter 7 retention 120h }}
  autoscale 1..6 backlog 30 cooldown 45s
}}"
    ));
    let r = &t["Resources"];
    assert_eq!(
        r["WorkerQueue"],
        json!({ "Type": "AWS::SQS::Queue", "Properties": {
            "QueueName": "shop-orders.fifo", "FifoQueue": true, "VisibilityTimeout": 120,
            "MessageRetentionPeriod": 345600, "ReceiveMessageWaitTimeSeconds": 20,
            "RedrivePolicy": { "deadLetterTargetArn": { "Fn::GetAtt": ["WorkerDeadLetterQueue", "Arn"] },
                               "maxReceiveCount": 7 } } })
    );
    assert_eq!(
        r["WorkerDeadLetterQueue"]["Properties"],
        json!({ "QueueName": "shop-orders-dlq.fifo", "FifoQueue": true, "MessageRetentionPeriod": 432000 })
    );
    // The URL reaches the first essential container, after its own variables.
    let containers = &r["WorkerTaskDefinition"]["Properties"]["ContainerDefinitions"];
    assert_eq!(containers[0].get("Environment"), None);
    assert_eq!(
        containers[1]["Environment"],
        json!([{ "Name": "MODE", "Value": "work" }, { "Name": "QUEUE_URL", "Value": { "Ref": "WorkerQueue" } }])
    );
    // Exactly the consume actions, on this queue only, on the generated role.
    assert_eq!(
        r["WorkerQueuePolicy"]["Properties"],
        json!({ "PolicyName": "worker-queue", "Roles": [{ "Ref": "WorkerTaskRole" }],
            "PolicyDocument": { "Version": "2012-10-17", "Statement": [{
                "Sid": "ConsumeQueue", "Effect": "Allow",
                "Action": ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage",
                           "sqs:GetQueueAttributes", "sqs:ReceiveMessage"],
                "Resource": { "Fn::GetAtt": ["WorkerQueue", "Arn"] } }] } })
    );
    assert_eq!(r["WorkerTaskRole"]["Type"], "AWS::IAM::Role");
    assert!(r["WorkerService"]["DependsOn"]
        .as_array()
        .unwrap()
        .contains(&json!("WorkerQueuePolicy")));
    let scaling = &r["WorkerBacklogScaling"]["Properties"];
    assert_eq!(
        scaling["ScalingTargetId"],
        json!({ "Ref": "WorkerScalableTarget" })
    );
    let config = &scaling["TargetTrackingScalingPolicyConfiguration"];
    assert_eq!(config["TargetValue"], 30);
    assert_eq!(config["ScaleInCooldown"], 45);
    let metrics = config["CustomizedMetricSpecification"]["Metrics"]
        .as_array()
        .unwrap();
    assert_eq!(metrics.len(), 3);
    assert_eq!(metrics[2]["Expression"], "visible / tasks");
    assert_eq!(
        metrics[0]["MetricStat"]["Metric"]["Dimensions"],
        json!([{ "Name": "QueueName", "Value": { "Fn::GetAtt": ["WorkerQueue", "QueueName"] } }])
    );
    assert_eq!(
        metrics[1]["MetricStat"]["Metric"]["MetricName"],
        "RunningTaskCount"
    );
    // No other policy of the backlog kind: cpu/memory targets are not added.
    assert!(r.get("WorkerCpuScaling").is_none());
    assert_eq!(
        t["Outputs"]["WorkerQueueUrl"]["Value"],
        json!({ "Ref": "WorkerQueue" })
    );
}

#[test]
fn existing_queue_and_given_role_from_an_input_with_a_path() {
    let t = template(&format!(
        "{HEAD}
input ROLE: string = \"arn:aws:iam::123456789012:role/workers/mail\"
input QUEUE: string = \"arn:aws:sqs:eu-west-1:123456789012:mail\"
task mailer {{ cpu 0.25vcpu; memory 512MiB; task_role ROLE; container app {{ image \"m:1\" }} }}
service mailer in jobs {{ task mailer; subnets [\"subnet-0a1b2c3d\"]; queue QUEUE {{ env MAIL }} }}"
    ));
    let r = &t["Resources"];
    assert!(r.get("MailerQueue").is_none());
    assert!(r.get("MailerTaskRole").is_none());
    let policy = &r["MailerQueuePolicy"]["Properties"];
    // role/workers/mail: the name is the third part split on `/`.
    assert_eq!(
        policy["Roles"],
        json!([{ "Fn::Select": [2, { "Fn::Split": ["/", { "Ref": "Role" }] }] }])
    );
    assert_eq!(
        policy["PolicyDocument"]["Statement"][0]["Resource"],
        json!({ "Ref": "Queue" })
    );
    let env = &r["MailerTaskDefinition"]["Properties"]["ContainerDefinitions"][0]["Environment"][0];
    assert_eq!(env["Name"], "MAIL");
    let url = &env["Value"]["Fn::Join"][1];
    assert_eq!(url[0], "https://sqs.");
    assert_eq!(url[3], json!({ "Ref": "AWS::URLSuffix" }));
}

#[test]
fn ecs_target_writes_create_queue_put_role_policy_and_the_url() {
    let files = build(
        &format!(
            "{HEAD}
task worker {{
  cpu 0.25vcpu
  memory 512MiB
  task_role \"arn:aws:iam::123456789012:role/worker\"
  execution_role \"arn:aws:iam::123456789012:role/ecsTaskExecutionRole\"
  container app {{ image \"worker:1\" }}
}}
service worker in jobs {{
  task worker
  subnets [\"subnet-0a1b2c3d\"]
  security_groups [\"sg-0123\"]
  queue jobs {{ visibility 1m; dead_letter 4 }}
  autoscale 1..3 backlog 5
}}"
        ),
        Target::Ecs,
    )
    .expect("builds for ECS");
    assert_eq!(
        artifact(&files, "queues/worker-dlq.json"),
        json!({ "QueueName": "shop-jobs-dlq", "Attributes": { "MessageRetentionPeriod": "1209600" } })
    );
    assert_eq!(
        artifact(&files, "queues/worker.json"),
        json!({ "QueueName": "shop-jobs", "Attributes": { "VisibilityTimeout": "60",
            "RedrivePolicy": "{\"deadLetterTargetArn\":\"arn:aws:sqs:eu-west-1:123456789012:shop-jobs-dlq\",\"maxReceiveCount\":\"4\"}" } })
    );
    let policy = artifact(&files, "queue_policies/worker.json");
    assert_eq!(policy["RoleName"], "worker");
    let document: Value = serde_json::from_str(policy["PolicyDocument"].as_str().unwrap()).unwrap();
    assert_eq!(
        document["Statement"][0]["Resource"],
        "arn:aws:sqs:eu-west-1:123456789012:shop-jobs"
    );
    let taskdef = artifact(&files, "taskdefs/worker.json");
    assert_eq!(
        taskdef["containerDefinitions"][0]["environment"],
        json!([{ "name": "QUEUE_URL", "value": "https://sqs.eu-west-1.amazonaws.com/123456789012/shop-jobs" }])
    );
    let scaling = artifact(&files, "scaling_policies/worker-backlog.json");
    assert_eq!(scaling["ResourceId"], "service/jobs/worker");
    assert_eq!(
        scaling["TargetTrackingScalingPolicyConfiguration"]["TargetValue"],
        5
    );
}

#[test]
fn local_manifest_says_what_runs() {
    let source = format!(
        "{WORKER}
cluster jobs {{ capacity FARGATE weight 1 }}
service a in jobs {{ task worker; subnets [\"subnet-0a1b2c3d\"]; queue jobs }}
task other {{ cpu 0.25vcpu; memory 512MiB; container app {{ image \"o:1\" }} }}
service b in jobs {{ task other; subnets [\"subnet-0a1b2c3d\"]; queue \"arn:aws:sqs:us-east-2:123456789012:in\" {{ env IN }} }}"
    );
    let files = build(&source, Target::Local).expect("builds");
    let m = artifact(&files, "manifest.json");
    let services = m["services"].as_array().unwrap();
    // No account or region: the created queue's URL is not known, not set.
    assert_eq!(
        services[0]["queue"],
        json!({ "name": "q-jobs", "container": "app", "variable": "QUEUE_URL" })
    );
    assert_eq!(
        services[1]["queue"]["url"],
        "https://sqs.us-east-2.amazonaws.com/123456789012/in"
    );
    let env_of = |family: &str| {
        m["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["family"] == family)
            .unwrap()["containers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["environment"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(env_of("worker")[1], json!({ "MODE": "work" }));
    assert_eq!(
        env_of("other")[0],
        json!({ "IN": "https://sqs.us-east-2.amazonaws.com/123456789012/in" })
    );
}

#[test]
fn checks_refuse_what_sqs_and_scaling_refuse() {
    let service = |queue: &str, extra: &str| {
        format!(
            "{HEAD}{WORKER}
service worker in jobs {{ task worker; subnets [\"subnet-0a1b2c3d\"]; {queue}; {extra} }}"
        )
    };
    let cases: &[(&str, &str, Code)] = &[
        ("queue q { visibility 43201s }", "", Code::QueueRange),
        ("queue q { retention 59s }", "", Code::QueueRange),
        ("queue q { wait 21s }", "", Code::QueueRange),
        ("queue q { dead_letter 0 }", "", Code::QueueRange),
        ("queue q { dead_letter 1001 }", "", Code::QueueRange),
        (
            "queue q { dead_letter 3 retention 337h }",
            "",
            Code::QueueRange,
        ),
        ("queue \"arn:aws:s3:::bucket\"", "", Code::QueueReference),
        (
            "queue \"arn:aws:sqs:eu-west-1:123456789012:q\" { visibility 1m }",
            "",
            Code::QueueReference,
        ),
        (
            "queue q { dead_letter 3 arn \"arn:aws:sqs:eu-west-1:123456789012:d.fifo\" }",
            "",
            Code::QueueReference,
        ),
        ("queue q", "autoscale 0..3 backlog 10", Code::QueueBacklog),
        ("queue q", "autoscale 1..3 backlog 0", Code::QueueBacklog),
        ("count 1", "autoscale 1..3 backlog 10", Code::QueueBacklog),
        ("queue q { container nope }", "", Code::QueueVariable),
        ("queue q { env MODE }", "", Code::QueueVariable),
        ("queue q { env \"9LIVES\" }", "", Code::QueueVariable),
        (
            "queue a_very_long_queue_name_that_goes_on_and_on_and_on_and_on_past_the_limit_of_sqs",
            "",
            Code::QueueName,
        ),
    ];
    for (queue, extra, code) in cases {
        let found = codes(&service(queue, extra));
        assert_eq!(found, [*code], "{queue}; {extra}");
    }
    // The limits themselves are accepted.
    assert_eq!(
        codes(&service(
            "queue q { visibility 43200s; retention 60s; wait 0s; dead_letter 1000 retention 1209600s }",
            "autoscale 1..3 backlog 1"
        )),
        []
    );
    assert_eq!(codes(&service("queue q { dead_letter off }", "")), []);
}

#[test]
fn one_task_two_services_two_queues_through_one_variable_is_refused() {
    let two = |second: &str| {
        format!(
            "{HEAD}{WORKER}
service a in jobs {{ task worker; subnets [\"subnet-0a1b2c3d\"]; queue one }}
service b in jobs {{ task worker; subnets [\"subnet-0a1b2c3d\"]; {second} }}"
        )
    };
    assert_eq!(codes(&two("queue two")), [Code::QueueVariable]);
    assert_eq!(codes(&two("queue two { env OTHER_URL }")), []);
    assert_eq!(codes(&two("queue one")), [Code::QueueName]);
}

#[test]
fn ecs_target_refuses_a_created_queue_without_account_and_a_generated_role() {
    let base = "cluster jobs { capacity FARGATE weight 1 }
task worker {
  cpu 0.25vcpu
  memory 512MiB
  task_role \"arn:aws:iam::123456789012:role/worker\"
  execution_role \"arn:aws:iam::123456789012:role/ecsTaskExecutionRole\"
  container app { image \"worker:1\" }
}
service worker in jobs { task worker; subnets [\"subnet-0a1b2c3d\"]; security_groups [\"sg-0123\"]; queue jobs }";
    assert_eq!(
        build(base, Target::Ecs).unwrap_err(),
        [Code::EcsQueueNeedsAccount]
    );
    let generated = base.replace(
        "  task_role \"arn:aws:iam::123456789012:role/worker\"\n",
        "",
    );
    let generated = format!("region \"us-east-1\"\naccount \"123456789012\"\n{generated}");
    assert_eq!(
        build(&generated, Target::Ecs).unwrap_err(),
        [Code::EcsNeedsTaskRole]
    );
}

/// What `wharf up` prints for a queue worker: the manifest's own line.
#[test]
fn wharf_up_says_what_runs_instead_of_the_queue() {
    let source = format!(
        "{HEAD}{WORKER}
service worker in jobs {{ task worker; subnets [\"subnet-0a1b2c3d\"]; queue jobs {{ env JOBS }} }}"
    );
    let files = build(&source, Target::Local).expect("builds");
    let (_, text) = files.iter().find(|(p, _)| p == "manifest.json").unwrap();
    let mut sources = wharf::diag::SourceMap::default();
    let manifest = wharf::manifest::parse(&mut sources, "manifest.json", text).expect("parses");
    assert_eq!(
        manifest.services[0].queue_line().as_deref(),
        Some(
            "service `worker` consumes SQS queue `shop-jobs`: no queue runs locally, its tasks run as written; \
             `JOBS` of `app` is the AWS queue's URL (https://sqs.eu-west-1.amazonaws.com/123456789012/shop-jobs), \
             reached with your credentials"
        )
    );
}

/// A task whose generated role the ECS target cannot create for two
/// reasons (an `allow` and a queue) is one E0506, not two.
#[test]
fn one_e0506_for_a_task_with_permissions_and_a_queue() {
    let source = "region \"us-east-1\"
account \"123456789012\"
cluster jobs { capacity FARGATE weight 1 }
task worker {
  cpu 0.25vcpu
  memory 512MiB
  execution_role \"arn:aws:iam::123456789012:role/ecsTaskExecutionRole\"
  allow [\"s3:GetObject\"] on [\"arn:aws:s3:::bucket/*\"]
  container app { image \"worker:1\" }
}
service worker in jobs { task worker; subnets [\"subnet-0a1b2c3d\"]; security_groups [\"sg-0123\"]; queue \"arn:aws:sqs:us-east-1:123456789012:jobs\" }";
    assert_eq!(
        build(source, Target::Ecs).unwrap_err(),
        [Code::EcsNeedsTaskRole]
    );
}
