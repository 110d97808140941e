//! The ECS backend's refusals end to end: each `tests/fixtures/ecs/E05xx_*.wharf`
//! checks cleanly (it is a valid program for CloudFormation) and the ECS
//! target refuses it with exactly that code. Snapshots show the source,
//! then the rendered diagnostics (`snapshots/ecs_diagnostics__ecs@*.snap`).

use std::path::Path;

use wharf::diag::render;
use wharf::driver::{self, Compiled, Disk};
use wharf::emit::ecs::emit_ecs;
use wharf::emit::{Target, TemplateFormat};

fn refusal(path: &Path) -> String {
    // Relative to the package root (the tests' working directory), so the
    // file names in the snapshots do not depend on the checkout's location.
    let path = path
        .strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(path);
    let Compiled {
        sources, program, ..
    } = match driver::compile(&Disk, path, &Default::default()) {
        Ok(ok) => ok,
        Err(d) => panic!("{} does not check:\n{d}", path.display()),
    };
    let diags = match emit_ecs(&program) {
        Ok(_) => panic!("{} builds for the ECS target", path.display()),
        Err(diags) => diags,
    };
    let name = path.file_name().unwrap().to_string_lossy();
    let code = &name[..5];
    assert!(
        diags.iter().all(|d| d.code.as_str() == code),
        "{name}: {:?}",
        diags.iter().map(|d| d.code.as_str()).collect::<Vec<_>>()
    );
    format!(
        "----- SOURCE\n{}----- DIAGNOSTICS\n{}",
        std::fs::read_to_string(path).unwrap(),
        render::human(&sources, &diags, false)
    )
}

#[test]
fn ecs_refusals() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.bind(|| {
        insta::glob!("fixtures/ecs", "E05*.wharf", |path| {
            insta::assert_snapshot!("ecs", refusal(path));
        });
    });
}

/// Every code the ECS backend reports has a fixture here.
#[test]
fn every_ecs_code_has_a_fixture() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ecs");
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    for code in [
        "E0501", "E0502", "E0503", "E0506", "E0507", "E0508", "E0520", "E0521", "E0522", "E0534",
        "E0535", "E0515",
    ] {
        assert!(
            names.iter().any(|n| n.starts_with(&format!("{code}_"))),
            "no fixture for {code} in {}",
            dir.display()
        );
    }
}

/// Codes found by checking one explanation example and, if it checks,
/// building it for the ECS target (no inputs from the command line).
fn example_codes(source: &str) -> Vec<wharf::diag::Code> {
    let fs = driver::Memory::with("example.wharf", source);
    let built = driver::build(
        &fs,
        Path::new("example.wharf"),
        &Default::default(),
        Target::Ecs,
        TemplateFormat::Json,
    );
    match built {
        Ok(_) => Vec::new(),
        Err(d) => d.diags.iter().map(|d| d.code).collect(),
    }
}

/// The ```wharf block after `marker` in an explanation.
fn block_after(text: &str, marker: &str) -> String {
    let rest = &text[text.find(marker).unwrap_or_else(|| panic!("no {marker}"))..];
    let start = rest.find("```wharf\n").expect("a ```wharf block") + "```wharf\n".len();
    let end = rest[start..].find("```").expect("a closed block");
    rest[start..start + end].to_string()
}

/// Each ECS backend explanation's `Wrong:` example checks cleanly and the
/// ECS target refuses it with that code; its `Right:` example builds.
#[test]
fn ecs_explanation_examples_do_what_they_say() {
    use wharf::diag::{explain, Code};
    for code in [
        Code::EcsNeedsTargetGroup,
        Code::EcsNeedsSubnets,
        Code::EcsNeedsRegistry,
        Code::EcsNeedsTaskRole,
        Code::EcsNeedsExecutionRole,
        Code::EcsTrafficShift,
        Code::EcsNeedsSecurityGroups,
        Code::EcsSecurityGroupRules,
        Code::EcsScalingLabel,
        Code::EcsQueueNeedsAccount,
        Code::EcsCreatedCapacity,
        Code::EcsConnectNamespace,
    ] {
        let text = explain::explanation(code).unwrap_or_else(|| panic!("{code}: no explanation"));
        let wrong = block_after(text, "Wrong:");
        let found = example_codes(&wrong);
        assert_eq!(found, [code], "{code}: the Wrong example\n{wrong}");
        let right = block_after(text, "Right:");
        let found = example_codes(&right);
        assert!(
            found.is_empty(),
            "{code}: the Right example gives {found:?}\n{right}"
        );
    }
}

/// E0523: the CloudFormation target refuses a service naming 5 security
/// groups (its own group would be the 6th); 4 build. The explanation's
/// examples are these two programs.
#[test]
fn cloudformation_counts_its_generated_security_group() {
    use wharf::diag::{explain, Code};
    use wharf::emit::cloudformation::{emit_cloudformation, Format};
    let text = explain::explanation(Code::CfnSecurityGroupLimit).unwrap();
    for (marker, refused) in [("Wrong:", true), ("Right:", false)] {
        let source = block_after(text, marker);
        let fs = driver::Memory::with("example.wharf", source.as_str());
        let program = driver::compile(&fs, Path::new("example.wharf"), &Default::default())
            .unwrap_or_else(|d| panic!("{marker} {d}"))
            .program;
        match emit_cloudformation(&program, Format::Json) {
            Err(d) if refused => {
                assert_eq!(
                    d.iter().map(|d| d.code).collect::<Vec<_>>(),
                    [Code::CfnSecurityGroupLimit]
                )
            }
            Ok(_) if !refused => {}
            other => panic!(
                "{marker}: {:?}",
                other
                    .map(|_| ())
                    .map_err(|d| d.iter().map(|d| d.code).collect::<Vec<_>>())
            ),
        }
        // The ECS target takes exactly the named groups: 5 are fine there.
        assert!(emit_ecs(&program).is_ok(), "{marker}: ECS target");
    }
}
