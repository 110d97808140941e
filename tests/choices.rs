//! A bare word that names one of a property's choices is that choice, even
//! when a `let` of the same name is in scope: `let fargate = ...` must not
//! change `launch fargate`, nor `let size = ...` the stdlib's `param memory:
//! size` (the FireLens template). Run with the real binary.

#[test]
fn lets_named_like_choice_words_do_not_change_them() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wharf"))
        .args([
            "check",
            "tests/fixtures/let_shadows_choice_words.wharf",
            "--color",
            "never",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
