//! `wharf cost` on the shipped examples, through the real binary: exact text
//! (snapshots), the figure for the seed's `my-app`, JSON output and
//! the coded refusals.

use std::process::{Command, Output};

fn wharf(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wharf"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("AWS_REGION")
        .env_remove("IMAGE_TAG")
        .env_remove("SUBNETS")
        .output()
        .expect("the wharf binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("output is UTF-8")
}

#[test]
fn cost_of_every_example() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        insta::glob!("../examples", "*.wharf", |path| {
            let rel = format!("examples/{}", path.file_name().unwrap().to_string_lossy());
            let out = wharf(&["cost", &rel, "--color", "never"]);
            let shown = format!(
                "exit {:?}\n--- stdout\n{}--- stderr\n{}",
                out.status.code(),
                text(&out.stdout),
                text(&out.stderr)
            );
            insta::assert_snapshot!("cost", shown);
        });
    });
}

#[test]
fn my_app_is_27_03_usd_a_month_in_us_east_1() {
    let out = wharf(&["cost", "examples/my-app.wharf", "--region", "us-east-1"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("    FARGATE           3 task(s)  27.03 USD/month\n"),
        "{stdout}"
    );
    assert!(stdout.contains("\ntotal: 27.03 USD/month\n"), "{stdout}");
}

#[test]
fn json_report_has_the_figures() {
    let out = wharf(&["cost", "examples/spot.wharf", "--message-format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(v["region"], "us-east-1");
    assert_eq!(v["hours_per_month"], 730.0);
    let s = &v["services"][0];
    assert_eq!(s["platform"], "Linux/X86_64");
    assert_eq!(s["placement"][0]["capacity"], "FARGATE");
    assert_eq!(s["placement"][0]["tasks"], 3);
    assert_eq!(s["placement"][1]["capacity"], "FARGATE_SPOT");
    assert_eq!(s["placement"][1]["tasks"], 3);
    // 2 vCPU x 0.04048 + 4 GB x 0.004445 + 30 GB x 0.000111 = 0.10207 USD/h;
    // x 730 h: 74.5111 a task on Fargate, 30% of it on Spot.
    assert_eq!(s["placement"][0]["monthly"], 223.53);
    assert_eq!(s["placement"][1]["monthly"], 67.06);
    assert_eq!(v["total_monthly"], 290.59);
}

#[test]
fn autoscaling_range_is_priced() {
    let out = wharf(&["cost", "examples/web-alb.wharf", "--message-format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    let api = &v["services"][0];
    assert_eq!(api["autoscale"], serde_json::json!({"min": 3, "max": 12}));
    assert_eq!(api["monthly_min"], 54.06);
    assert_eq!(api["monthly_max"], 216.24);
}

#[test]
fn unpriced_region_is_a_coded_error() {
    let out = wharf(&[
        "cost",
        "examples/my-app.wharf",
        "--region",
        "mars-north-1",
        "--color",
        "never",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("[E0541]"), "{stderr}");
    assert!(stderr.contains("mars-north-1"), "{stderr}");
    let out = wharf(&[
        "cost",
        "examples/my-app.wharf",
        "--region",
        "mars-north-1",
        "--message-format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a JSON diagnostic");
    assert_eq!(v["code"], "E0541");
}

#[test]
fn windows_tasks_pay_the_license() {
    let dir = std::env::temp_dir().join(format!("wharf-cost-win-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("win.wharf");
    std::fs::write(
        &file,
        "region \"us-east-1\"\ncluster c { capacity FARGATE weight 1 }\ntask t { cpu 1vcpu; memory 2GiB; os windows_server_2022_core; container app { image \"mcr.microsoft.com/windows/servercore:ltsc2022\" } }\nservice s in c { task t; count 1; subnets [\"subnet-0a1b2c3d\"]; security_groups [\"sg-01\"] }\n",
    )
    .unwrap();
    let out = wharf(&["cost", file.to_str().unwrap(), "--message-format", "json"]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    // (1 x (0.09148 + 0.046) + 2 x 0.01005) x 730 = 115.03
    assert_eq!(v["services"][0]["platform"], "Windows/X86_64");
    assert_eq!(v["total_monthly"], 115.03);
}

#[test]
fn a_program_without_region_needs_one() {
    let dir = std::env::temp_dir().join(format!("wharf-cost-noregion-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("app.wharf");
    std::fs::write(
        &file,
        "cluster c { capacity FARGATE weight 1 }\ntask t { cpu 1vcpu; memory 2GiB; container app { image \"nginx:1.27\" } }\nservice s in c { task t; count 2; subnets [\"subnet-0a1b2c3d\"]; security_groups [\"sg-01\"] }\n",
    )
    .unwrap();
    let path = file.to_str().unwrap().to_string();
    let out = wharf(&["cost", &path, "--color", "never"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("[E0540]"),
        "{}",
        text(&out.stderr)
    );
    let out = wharf(&["cost", &path, "--region", "us-east-2"]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // 2 x (1 x 0.04048 + 2 x 0.004445) x 730 = 72.08
    assert!(
        text(&out.stdout).ends_with("\ntotal: 72.08 USD/month\n"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn an_environment_is_priced_with_its_overrides() {
    let out = wharf(&["cost", "examples/web-alb.wharf", "--env", "prod"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    // api: 6 x (1 x 0.04048 + 2 x 0.004445) x 730 = 216.24, 24 tasks 864.96;
    // frontend: 4 x 9.010025 = 36.04, 12 tasks 108.12.
    assert!(
        stdout.contains(
            "service api-prod (cluster web-prod, task api): 1 vCPU, 2 GB, Linux/X86_64\n"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("  autoscale 6..24: 216.24 .. 864.96 USD/month\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  autoscale 4..12: 36.04 .. 108.12 USD/month\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "\ntotal: 252.28 USD/month\ntotal with auto scaling: 252.28 .. 973.08 USD/month\n"
        ),
        "{stdout}"
    );
}

/// ARM64 (Graviton) Fargate prices: the figures `json_report_has_the_figures`
/// checked before `examples/spot.wharf` moved to x86_64 (Fargate Spot runs no
/// ARM64 task, E0491).
#[test]
fn arm64_tasks_pay_the_graviton_price() {
    let dir = std::env::temp_dir().join(format!("wharf-cost-arm-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("arm.wharf");
    std::fs::write(
        &file,
        "region \"us-east-1\"\ncluster c { capacity FARGATE weight 1 }\ntask t { cpu 2vcpu; memory 4GiB; arch arm64; storage 50GiB; container app { image \"renderer:1\" } }\nservice s in c { task t; count 3; subnets [\"subnet-0a1b2c3d\"]; security_groups [\"sg-01\"] }\n",
    )
    .unwrap();
    let out = wharf(&["cost", file.to_str().unwrap(), "--message-format", "json"]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    // 2 vCPU x 0.03238 + 4 GB x 0.00356 + 30 GB x 0.000111 = 0.08233 USD/h;
    // x 730 h x 3 tasks = 180.30.
    assert_eq!(v["services"][0]["platform"], "Linux/ARM64");
    assert_eq!(v["total_monthly"], 180.30);
}
