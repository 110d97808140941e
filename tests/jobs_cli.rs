//! Jobs and schedules as a user runs them: `wharf run` (exit codes, JSON
//! output, coded failures), schedules firing under `wharf up`, and the
//! checks of `job` and `schedule` (the real binary, `--color never`).
//! Waits poll with the generous `common::WAIT`; nothing relies on timing.

mod common;

use common::{eventually, scratch};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn wharf(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wharf"))
        .current_dir(dir)
        .env_remove("WHARF_JOB_TEST_TOKEN")
        .arg("--color")
        .arg("never")
        .args(args)
        .output()
        .expect("wharf runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn state(dir: &Path) -> PathBuf {
    dir.join(".wharf")
        .join(wharf::runner::project::default_project(dir))
}

const PROGRAM: &str = r#"
cluster batch { capacity FARGATE weight 1 }
task tool {
  cpu 0.25vcpu
  memory 512MiB
  container app {
    image "tool:1"
    command ["serve"]
    local "echo serving; sleep 60"
  }
}
job ok in batch {
  task tool
  subnets ["subnet-0a1b2c3d"]
  override app { command ["migrate"]; env STEP = "two"; local "echo migrating step $STEP" }
}
job fails in batch {
  task tool
  subnets ["subnet-0a1b2c3d"]
  override app { local "echo failing; exit 3" }
}
schedule nightly {
  job ok
  cron "30 2 * * ? *"
  timezone "America/New_York"
}
"#;

fn program(name: &str) -> PathBuf {
    let dir = scratch(name);
    std::fs::write(dir.join("jobs.wharf"), PROGRAM).unwrap();
    dir
}

#[test]
fn run_exits_with_the_essential_containers_code() {
    let dir = program("jobs-run-codes");
    let ok = wharf(&dir, &["run", "jobs.wharf", "ok"]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));
    assert!(text(&ok).contains("migrating step two"), "{}", text(&ok));
    assert!(!text(&ok).contains("serving"), "{}", text(&ok));

    let fails = wharf(&dir, &["run", "jobs.wharf", "fails"]);
    assert_eq!(fails.status.code(), Some(3), "{}", text(&fails));
    assert!(text(&fails).contains("failing"), "{}", text(&fails));

    // A schedule's name runs its job.
    let by_schedule = wharf(&dir, &["run", "jobs.wharf", "nightly"]);
    assert_eq!(by_schedule.status.code(), Some(0), "{}", text(&by_schedule));
    assert!(text(&by_schedule).contains("migrating step two"));
    // The run's state directory is gone afterwards.
    let runs = state(&dir).join("runs");
    let left = std::fs::read_dir(&runs).map_or(0, |d| d.count());
    assert_eq!(left, 0, "runs left behind in {}", runs.display());
}

#[test]
fn run_under_json_ends_with_the_result() {
    let dir = program("jobs-run-json");
    let out = wharf(
        &dir,
        &["--message-format", "json", "run", "jobs.wharf", "fails"],
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last: serde_json::Value =
        serde_json::from_str(stdout.lines().last().expect("a result line")).unwrap();
    assert_eq!(last["job"], "fails");
    assert_eq!(last["exitCode"], 3);
    assert_eq!(last["tasks"][0]["containers"][0]["exitCode"], 3);
    // Every other line is a log record.
    for line in stdout.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(v.get("line").is_some() || v.get("job").is_some(), "{line}");
    }
}

#[test]
fn run_of_an_unknown_job_is_e0532() {
    let dir = program("jobs-run-unknown");
    let out = wharf(&dir, &["run", "jobs.wharf", "okk"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("E0532"), "{}", text(&out));
    assert!(text(&out).contains("jobs: ok, fails"), "{}", text(&out));
}

#[test]
fn run_whose_task_cannot_start_is_e0533() {
    let dir = scratch("jobs-run-no-secret");
    std::fs::write(
        dir.join("jobs.wharf"),
        r#"
cluster batch { capacity FARGATE weight 1 }
task tool {
  cpu 0.25vcpu
  memory 512MiB
  container app {
    image "tool:1"
    secret WHARF_JOB_TEST_TOKEN = ssm("/tool/token")
    local "echo never"
  }
}
job once in batch { task tool; subnets ["subnet-0a1b2c3d"] }
"#,
    )
    .unwrap();
    let out = wharf(&dir, &["run", "jobs.wharf", "once"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("E0533"), "{}", text(&out));
    assert!(
        text(&out).contains("ResourceInitializationError"),
        "{}",
        text(&out)
    );
}

#[test]
fn schedules_fire_under_up() {
    let dir = scratch("jobs-schedule-fires");
    // A hand-written manifest may fire faster than EventBridge's minute.
    let manifest = serde_json::json!({
        "version": 1,
        "tasks": [{"family": "t", "containers": [
            {"name": "app", "image": "x", "local": {"command": "echo tick $MODE"}}]}],
        "jobs": [{"name": "tick", "task": "t",
                  "overrides": [{"name": "app", "environment": {"MODE": "fast"}}]}],
        "schedules": [{"name": "often", "job": "tick", "rateMs": 200}]
    });
    std::fs::write(dir.join("m.json"), manifest.to_string()).unwrap();
    let up = wharf(&dir, &["up", "m.json", "--detach"]);
    assert_eq!(up.status.code(), Some(0), "{}", text(&up));
    let state_file = state(&dir).join("state.json");
    let finished = || -> Vec<i64> {
        let Ok(s) = std::fs::read_to_string(&state_file) else {
            return Vec::new();
        };
        let v: serde_json::Value = serde_json::from_str(&s).unwrap_or_default();
        v["jobs"][0]["stopped"]
            .as_array()
            .map(|ts| {
                ts.iter()
                    .filter_map(|t| t["containers"][0]["exitCode"].as_i64())
                    .collect()
            })
            .unwrap_or_default()
    };
    eventually("two scheduled runs", || finished().len() >= 2);
    assert!(finished().iter().all(|c| *c == 0), "{:?}", finished());
    let logs = wharf(&dir, &["logs"]);
    assert!(text(&logs).contains("tick fast"), "{}", text(&logs));
    let ps = wharf(&dir, &["ps"]);
    assert!(
        text(&ps).contains("job tick, every 200 ms") && text(&ps).contains("app:exited(0)"),
        "{}",
        text(&ps)
    );
    let down = wharf(&dir, &["down"]);
    assert_eq!(down.status.code(), Some(0), "{}", text(&down));
}

#[test]
fn a_cron_schedule_waits_for_its_time() {
    let dir = program("jobs-cron-waits");
    let up = wharf(&dir, &["up", "jobs.wharf", "--detach"]);
    assert_eq!(up.status.code(), Some(0), "{}", text(&up));
    let state_file = state(&dir).join("state.json");
    let job = || -> serde_json::Value {
        std::fs::read_to_string(&state_file)
            .ok()
            .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok())
            .map(|v| v["jobs"].clone())
            .unwrap_or_default()
    };
    eventually("the next run of the schedule", || {
        job()
            .as_array()
            .is_some_and(|jobs| jobs.iter().any(|j| j["nextRun"].is_string()))
    });
    let jobs = job();
    let ok = jobs
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["name"] == "ok")
        .unwrap()
        .clone();
    assert_eq!(ok["schedule"], "cron(30 2 * * ? *) America/New_York");
    assert_eq!(ok["started"], 0);
    // 02:30 in New York is 06:30 or 07:30 UTC.
    let next = ok["nextRun"].as_str().unwrap();
    assert!(
        next.ends_with("T06:30:00Z") || next.ends_with("T07:30:00Z"),
        "{next}"
    );
    let down = wharf(&dir, &["down"]);
    assert_eq!(down.status.code(), Some(0), "{}", text(&down));
}

/// Codes `wharf check` reports for a program.
fn codes(program: &str) -> Vec<String> {
    let dir = scratch(&format!(
        "jobs-check-{:x}",
        program
            .bytes()
            .fold(0u32, |h, b| h.wrapping_mul(31) ^ b as u32)
    ));
    std::fs::write(dir.join("p.wharf"), program).unwrap();
    let out = wharf(&dir, &["--message-format", "json", "check", "p.wharf"]);
    let mut codes: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["code"].as_str().map(str::to_string))
        .collect();
    codes.sort();
    codes.dedup();
    codes
}

const BASE: &str = r#"
cluster batch { capacity FARGATE weight 1 }
task web { cpu 0.25vcpu; memory 512MiB; container app { image "web:1" } }
task host { network bridge; compat ec2; memory 512MiB; container app { image "web:1" } }
"#;

#[test]
fn jobs_follow_the_rules_of_run_task() {
    let cases: &[(&str, &[&str])] = &[
        ("job j in batch { task web; subnets [\"subnet-1\"] }", &[]),
        // awsvpc needs subnets
        ("job j in batch { task web }", &["E0430"]),
        // a Fargate-only task launched on EC2
        (
            "job j in batch { task web; launch ec2; subnets [\"subnet-1\"] }",
            &["E0432"],
        ),
        // a provider the cluster does not have
        (
            "job j in batch { task web; capacity FARGATE_SPOT; subnets [\"subnet-1\"] }",
            &["E0431"],
        ),
        // a public IP off Fargate
        (
            "job j in batch { task host; launch ec2; public_ip on }",
            &["E0437"],
        ),
        // an override of a container the task does not have
        (
            "job j in batch { task web; subnets [\"subnet-1\"]; override api { command [\"x\"] } }",
            &["E0203"],
        ),
        // launch and capacity together
        (
            "job j in batch { task web; launch fargate; capacity FARGATE; subnets [\"subnet-1\"] }",
            &["E0311"],
        ),
        // a literal secret in an override is judged like any env
        (
            "job j in batch { task web; subnets [\"subnet-1\"]; override app { env DB_PASSWORD = \"hunter2\" } }",
            &["E0425"],
        ),
        // rates in EventBridge's words: 1 takes the singular
        (
            "job j in batch { task web; subnets [\"subnet-1\"] }\nschedule s { job j; rate \"1 minutes\" }",
            &["E0484"],
        ),
        (
            "job j in batch { task web; subnets [\"subnet-1\"] }\nschedule s { job j; rate \"2 hours\"; timezone \"Asia/Tokyo\"; window 1h; max_age 25h }",
            &["E0490"],
        ),
        (
            "job j in batch { task web; subnets [\"subnet-1\"] }\nschedule s { job j; cron \"0/15 8-18 ? * MON-FRI *\"; at \"2027-01-01T00:00:00\" }",
            &["E0488"],
        ),
        (
            "job j in batch { task web; subnets [\"subnet-1\"] }\nschedule s { job j }",
            &["E0488"],
        ),
    ];
    for (src, want) in cases {
        let got = codes(&format!("{BASE}{src}\n"));
        assert_eq!(&got, want, "{src}");
    }
}

#[test]
fn schedules_reach_every_target() {
    let dir = program("jobs-build");
    let out = wharf(
        &dir,
        &["build", "jobs.wharf", "--target", "ecs", "-o", "ecs"],
    );
    // Without account and region, a schedule's ARNs cannot be written.
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("E0530"), "{}", text(&out));
    let with_account = format!("region \"eu-west-3\"\naccount \"123456789012\"\n{PROGRAM}");
    std::fs::write(dir.join("jobs.wharf"), with_account).unwrap();
    let out = wharf(
        &dir,
        &["build", "jobs.wharf", "--target", "ecs", "-o", "ecs"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let schedule: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("ecs/schedules/nightly.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(schedule["Name"], "jobs-nightly");
    assert_eq!(schedule["ScheduleExpression"], "cron(30 2 * * ? *)");
    assert_eq!(schedule["ScheduleExpressionTimezone"], "America/New_York");
    assert_eq!(
        schedule["Target"]["Arn"],
        "arn:aws:ecs:eu-west-3:123456789012:cluster/batch"
    );
    assert_eq!(
        schedule["Target"]["EcsParameters"]["TaskDefinitionArn"],
        "arn:aws:ecs:eu-west-3:123456789012:task-definition/tool"
    );
    let input: serde_json::Value =
        serde_json::from_str(schedule["Target"]["Input"].as_str().unwrap()).unwrap();
    assert_eq!(
        input,
        serde_json::json!({"containerOverrides": [{"name": "app", "command": ["migrate"],
            "environment": [{"name": "STEP", "value": "two"}]}]})
    );
    let policy: serde_json::Value = serde_json::from_str(
        serde_json::from_str::<serde_json::Value>(
            &std::fs::read_to_string(dir.join("ecs/schedule_role_policies/nightly.json")).unwrap(),
        )
        .unwrap()["PolicyDocument"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        policy["Statement"][0]["Resource"],
        "arn:aws:ecs:eu-west-3:123456789012:task-definition/tool:*"
    );
    let run: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("ecs/run_tasks/fails.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(run["taskDefinition"], "tool");
    assert_eq!(run["cluster"], "batch");
    assert_eq!(
        run["networkConfiguration"]["awsvpcConfiguration"]["subnets"],
        serde_json::json!(["subnet-0a1b2c3d"])
    );
    let out = wharf(
        &dir,
        &[
            "build",
            "jobs.wharf",
            "--target",
            "cloudformation",
            "-o",
            "cfn",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let template: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("cfn/jobs.json")).unwrap()).unwrap();
    assert_eq!(
        template["Resources"]["NightlySchedule"]["Type"],
        "AWS::Scheduler::Schedule"
    );
    assert_eq!(
        template["Resources"]["NightlyScheduleRole"]["Properties"]["AssumeRolePolicyDocument"]
            ["Statement"][0]["Principal"]["Service"],
        "scheduler.amazonaws.com"
    );
}

#[test]
fn fargate_spot_refuses_arm64_and_windows_tasks() {
    let cluster = "cluster c { capacity FARGATE_SPOT weight 3; capacity FARGATE weight 1 }\n";
    let arm = "task t { cpu 1vcpu; memory 2GiB; arch arm64; container a { image \"x\" } }\n";
    let win = "task t { cpu 1vcpu; memory 2GiB; os windows_server_2022_core; container a { image \"x\" } }\n";
    let cases: &[(&str, &str, &[&str])] = &[
        // the cluster's default strategy names FARGATE_SPOT
        (
            arm,
            "service s in c { task t; subnets [\"subnet-1\"] }",
            &["E0491"],
        ),
        (
            win,
            "job j in c { task t; subnets [\"subnet-1\"] }",
            &["E0491"],
        ),
        (
            arm,
            "job j in c { task t; capacity FARGATE_SPOT; subnets [\"subnet-1\"] }",
            &["E0491"],
        ),
        // on Fargate itself they run
        (
            arm,
            "service s in c { task t; capacity FARGATE; subnets [\"subnet-1\"] }",
            &[],
        ),
        (
            win,
            "job j in c { task t; launch fargate; subnets [\"subnet-1\"] }",
            &[],
        ),
    ];
    for (task, decl, want) in cases {
        let got = codes(&format!("{cluster}{task}{decl}\n"));
        assert_eq!(&got, want, "{task}{decl}");
    }
}
