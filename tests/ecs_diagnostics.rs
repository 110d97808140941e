//! The ECS backend's refusals end to end: each `tests/fixtures/ecs/E05xx_*.wharf`
//! checks cleanly (it is a valid program for CloudFormation) and the ECS
//! target refuses it with exactly that code. Snapshots show the source,
//! then the rendered diagnostics (`snapshots/ecs_diagnostics__ecs@*.snap`).

use std::path::Path;

use wharf::cli::load;
use wharf::diag::render;
use wharf::emit::ecs::emit_ecs;

fn refusal(path: &Path) -> String {
    // Relative to the package root (the tests' working directory), so the
    // file names in the snapshots do not depend on the checkout's location.
    let path = path
        .strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(path);
    let (sources, program) = match load::compile(path, &Default::default()) {
        Ok(ok) => ok,
        Err(f) => panic!(
            "{} does not check:\n{}",
            path.display(),
            render::human(&f.sources, &f.diags, false)
        ),
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
    for code in ["E0501", "E0502", "E0503", "E0506", "E0507", "E0508"] {
        assert!(
            names.iter().any(|n| n.starts_with(&format!("{code}_"))),
            "no fixture for {code} in {}",
            dir.display()
        );
    }
}
