//! Import of small task definitions: the exact source, describe output
//! unwrapping, and the fields reported as having no Wharf form.

use super::*;
use serde_json::json;

fn import(doc: Value) -> Imported {
    import_task_definition(&doc, "td.json").unwrap()
}

#[test]
fn fargate_task_definition_becomes_source() {
    let imported = import(json!({
        "family": "web",
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "1 vCPU",
        "memory": "2GB",
        "executionRoleArn": "arn:aws:iam::123456789012:role/exec",
        "containerDefinitions": [{
            "name": "app",
            "image": "nginx:${TAG}",
            "portMappings": [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}],
            "environment": [{"name": "MODE", "value": "a \"b\""}],
            "secrets": [
                {"name": "DB", "valueFrom": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-Ab12:password::"},
                {"name": "KEY", "valueFrom": "/app/key"}
            ],
            "healthCheck": {"command": ["CMD-SHELL", "curl -f http://localhost/"], "interval": 10},
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {"awslogs-group": "/ecs/web", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "web"}
            },
            "dependsOn": [{"containerName": "init", "condition": "SUCCESS"}]
        }, {
            "name": "init",
            "image": "busybox",
            "essential": false,
            "command": ["sh", "-c", "echo hi"]
        }]
    }));
    assert!(imported.dropped.is_empty(), "{:?}", imported.dropped);
    // `${TAG}` in an image is carried as written (ECS takes any string
    // there), not made an input: only a placeholder where the value would
    // be refused is (see `placeholders`).
    assert!(imported.inputs.is_empty());
    assert_eq!(
        imported.source,
        r#"// Imported from `td.json` by `wharf import`.

task web {
  network awsvpc
  compat fargate
  cpu 1024
  memory 2048MiB
  execution_role "arn:aws:iam::123456789012:role/exec"

  container app {
    image "nginx:\${TAG}"
    port 80
    env MODE = "a \"b\""
    secret DB = secretsmanager("arn:aws:secretsmanager:us-east-1:123456789012:secret:db-Ab12", key: "password")
    secret KEY = ssm("/app/key")
    health "curl -f http://localhost/" every 10s
    logs awslogs group "/ecs/web" region "us-east-1" prefix "web"
    depends_on init SUCCESS
  }

  container init {
    image "busybox"
    essential off
    command ["sh", "-c", "echo hi"]
  }
}
"#
    );
}

#[test]
fn describe_output_is_unwrapped_and_ecs_defaults_made_explicit() {
    let imported = import(json!({
        "taskDefinition": {
            "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/hello:3",
            "family": "hello",
            "revision": 3,
            "status": "ACTIVE",
            "compatibilities": ["EC2"],
            "volumes": [
                {"name": "logs", "host": {"sourcePath": "/var/log"}},
                {"name": "data", "efsVolumeConfiguration": {"fileSystemId": "fs-1"}}
            ],
            "containerDefinitions": [{
                "name": "hello",
                "image": "hello:1",
                "memory": 128,
                "portMappings": [{"containerPort": 8080, "hostPort": 0, "protocol": "udp"}],
                "mountPoints": [{"sourceVolume": "logs", "containerPath": "/logs", "readOnly": true}]
            }]
        },
        "tags": [{"key": "team", "value": "core"}]
    }));
    assert!(imported.dropped.is_empty(), "{:?}", imported.dropped);
    // No requiresCompatibilities in the original: none in the source either
    // (ECS validates it for EC2, Wharf's default for a bridge task).
    assert!(imported.source.contains("  network default\n  volume"));
    assert!(!imported.source.contains("compat"));
    assert!(imported
        .source
        .contains("volume logs bind host \"/var/log\""));
    assert!(imported
        .source
        .contains("volume data efs \"fs-1\" encrypt off"));
    assert!(imported.source.contains("tag \"team\" = \"core\""));
    assert!(imported.source.contains("port 8080 host 0 udp"));
    assert!(imported.source.contains("mount logs \"/logs\" readonly"));
}

#[test]
fn fields_without_a_wharf_form_are_reported() {
    let imported = import(json!({
        "family": "legacy",
        "inferenceAccelerators": [{"deviceName": "eia", "deviceType": "eia2.medium"}],
        "pidMode": "host",
        "volumes": [{"name": "share", "fsxWindowsFileServerVolumeConfiguration": {"fileSystemId": "fs-1", "rootDirectory": "share"}}],
        "containerDefinitions": [{
            "name": "app",
            "image": "app:1",
            "links": ["db"],
            "volumesFrom": [],
            "resourceRequirements": [{"type": "InferenceAccelerator", "value": "eia"}],
            "linuxParameters": {"initProcessEnabled": true}
        }]
    }));
    assert_eq!(
        imported.dropped,
        [
            "volumes[0] (`share`), the whole volume: an FSx for Windows File Server volume without `authorizationConfig.credentialsParameter`",
            "inferenceAccelerators: no Wharf form",
            "containerDefinitions[app].resourceRequirements[0]: only GPU counts have a Wharf form",
        ]
    );
    assert!(imported.source.contains(
        "// Left out (no Wharf form):\n//   volumes[0] (`share`), the whole volume: an FSx for Windows File Server volume without `authorizationConfig.credentialsParameter`\n"
    ));
    assert!(imported.source.contains("  pid host\n"));
    assert!(imported.source.contains("    links [\"db\"]\n"));
    assert!(imported.source.contains("    linux {\n      init\n    }\n"));
}

#[test]
fn not_a_task_definition_is_an_error() {
    let err = import_task_definition(&json!({"serviceName": "x"}), "s.json").unwrap_err();
    assert_eq!(
        err,
        "not a task definition: it has neither `family` nor `containerDefinitions`"
    );
    let fragment = json!({"containerDefinitions": [{"name": "a", "image": "b"}]});
    let err = import_task_definition(&fragment, "f.json").unwrap_err();
    assert_eq!(err, "the task definition has no `family`");
}

#[test]
fn sizes_and_names() {
    assert_eq!(task_cpu(&json!("0.25 vCPU")), Some(256));
    assert_eq!(task_cpu(&json!(512)), Some(512));
    assert_eq!(task_memory(&json!("0.5GB")), Some(512));
    assert_eq!(task_memory(&json!("3072")), Some(3072));
    assert_eq!(task_name("my.app"), "my_app");
    assert_eq!(task_name("9lives"), "_9lives");
    assert_eq!(
        container::secret_source("arn:aws:secretsmanager:r:1:secret:s:k:AWSCURRENT:"),
        r#"secretsmanager("arn:aws:secretsmanager:r:1:secret:s", key: "k", stage: "AWSCURRENT")"#
    );
}

#[test]
fn every_member_imported_is_one_a_container_property_fills() {
    use crate::check::vocabulary::{CONTAINER, CONTAINER_SETTING};
    let members: Vec<&str> = CONTAINER
        .iter()
        .chain(CONTAINER_SETTING)
        .map(|p| p.member())
        .collect();
    for key in container::KNOWN.iter().filter(|k| **k != "name") {
        assert!(
            members.contains(key),
            "`{key}` is imported but no container property says it fills it"
        );
    }
}
