//! `wharf build --target cloudformation` through the real binary: both
//! formats write one template per program, and a program CloudFormation
//! cannot express exits 1 with its code and writes nothing.

use std::path::PathBuf;
use std::process::Command;

fn wharf(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_wharf"))
        .args(["--color", "never"])
        .args(args)
        .output()
        .expect("wharf runs")
}

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("wharf-cfn-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn builds_json_and_yaml_templates() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/web-alb.wharf");
    for (format, first_line) in [
        ("json", "{"),
        ("yaml", "AWSTemplateFormatVersion: \"2010-09-09\""),
    ] {
        let out = temp(format);
        let o = wharf(&[
            "build",
            example,
            "--target",
            "cloudformation",
            "--format",
            format,
            "-o",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let text = std::fs::read_to_string(out.join(format!("storefront-web.{format}"))).unwrap();
        assert_eq!(text.lines().next(), Some(first_line));
        assert!(text.contains("AWS::ECS::Service"));
        let _ = std::fs::remove_dir_all(&out);
    }
}

#[test]
fn inexpressible_program_exits_1_and_writes_nothing() {
    let dir = temp("refused");
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("small.wharf");
    std::fs::write(
        &src,
        "region \"us-east-1\"\n\
         network fresh { cidr \"10.0.0.0/26\"; azs 2; nat single }\n\
         cluster c { capacity FARGATE; network fresh }\n",
    )
    .unwrap();
    let out = dir.join("out");
    let o = wharf(&[
        "build",
        src.to_str().unwrap(),
        "--target",
        "cloudformation",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("E0510"));
    assert!(!out.join("small.json").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
