//! `wharf lsp` driven as an editor drives it: JSON-RPC with Content-Length
//! framing over the real binary's stdio. Exact diagnostics, hover text,
//! definition locations, references, rename edits, completion items,
//! formatting edits and symbols for the fixtures in tests/fixtures/lsp.

mod lsp_client;

use lsp_client::{pos, tempdir, uri, Client};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lsp")
}

fn read(name: &str) -> String {
    std::fs::read_to_string(fixtures().join(name)).unwrap()
}

fn range(l0: u32, c0: u32, l1: u32, c1: u32) -> Value {
    json!({"start": {"line": l0, "character": c0}, "end": {"line": l1, "character": c1}})
}

fn hover_text(v: &Value) -> String {
    v["contents"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn labels(items: &Value) -> Vec<String> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn diagnostics_match_wharf_check_and_clear_when_fixed() {
    let dir = tempdir("diags");
    let path = dir.join("app.wharf");
    let u = uri(&path);
    let good = read("main.wharf");
    let bad = good.replace("  task web\n", "  task webb\n");
    std::fs::copy(fixtures().join("common.wharf"), dir.join("common.wharf")).unwrap();
    let mut c = Client::start();
    c.open(&u, &bad);
    let diags = c.diagnostics(&u);
    let r = range(16, 7, 16, 11);
    assert_eq!(
        Value::Array(diags),
        json!([{
            "range": r,
            "severity": 1,
            "code": "E0201",
            "source": "wharf",
            "message": "unknown task `webb`",
            "relatedInformation": [
                {"location": {"uri": u, "range": r}, "message": "no task of this name"},
                {"location": {"uri": u, "range": r}, "message": "help: declare it, or did you mean `web`?"}
            ]
        }])
    );
    // The same code and span as `wharf check`.
    std::fs::write(&path, &bad).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wharf"))
        .args(["check", "--message-format", "json"])
        .arg(&path)
        .env_remove("AWS_REGION")
        .output()
        .unwrap();
    let line: Value =
        serde_json::from_slice(out.stdout.split(|&b| b == b'\n').next().unwrap()).unwrap();
    assert_eq!(line["code"], "E0201");
    assert_eq!(
        (
            line["primary"]["line"].clone(),
            line["primary"]["column"].clone()
        ),
        (json!(17), json!(8))
    );
    // The help's suggestion is a quick fix.
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": r, "context": {"diagnostics": []}}),
    );
    assert_eq!(actions["result"][0]["title"], "Replace with `web`");
    assert_eq!(actions["result"][0]["kind"], "quickfix");
    assert_eq!(
        actions["result"][0]["edit"],
        json!({"changes": {u.clone(): [{"range": r, "newText": "web"}]}})
    );
    assert_eq!(actions["result"][0]["diagnostics"][0]["code"], "E0201");
    // Fixing the edit clears them.
    c.change(&u, 2, &good);
    assert_eq!(c.diagnostics(&u), Vec::<Value>::new());
    c.shutdown();
}

#[test]
fn diagnostics_reach_imported_files_and_the_stdlib() {
    let dir = tempdir("imports");
    let main = dir.join("main.wharf");
    let common = dir.join("common.wharf");
    // The imported file has a type error; the main file none.
    std::fs::write(
        &common,
        read("common.wharf").replace(
            "let small = 0.25vcpu",
            "let small = 0.25vcpu\ncluster other { insights maybe }",
        ),
    )
    .unwrap();
    let mut c = Client::start();
    c.open(&uri(&main), &read("main.wharf"));
    let d = c.diagnostics(&uri(&common));
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0]["code"], "E0304");
    assert_eq!(d[0]["range"], range(3, 25, 3, 30));
    assert_eq!(c.diagnostics(&uri(&main)), Vec::<Value>::new());

    // No region: the stdlib's firelens template reports where it is written,
    // in the stdlib file the server writes out for the editor.
    let no_region = read("main.wharf").replace("region \"us-east-1\"\n", "");
    std::fs::write(&common, read("common.wharf")).unwrap();
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri(&common)}}),
    );
    c.change(&uri(&main), 2, &no_region);
    let std_diag = loop {
        let m = c.notifications.iter().position(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"].as_str().unwrap().ends_with("/ecs.wharf")
                && !m["params"]["diagnostics"].as_array().unwrap().is_empty()
        });
        if let Some(i) = m {
            break c.notifications.remove(i);
        }
        // Answering a request also reads the notifications sent before it.
        c.request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": uri(&main)}}),
        );
    };
    let d = &std_diag["params"]["diagnostics"][0];
    assert_eq!(d["code"], "E0420");
    assert_eq!(d["message"], "awslogs needs a region and none is known");
    let std_path = std_diag["params"]["uri"]
        .as_str()
        .unwrap()
        .trim_start_matches("file://")
        .to_string();
    let std_text = std::fs::read_to_string(&std_path).unwrap();
    let line = d["range"]["start"]["line"].as_u64().unwrap() as usize;
    assert_eq!(
        std_text.lines().nth(line).unwrap().trim(),
        "logs awslogs prefix \"firelens\""
    );
    // The main file shows it where it uses the template, pointing inside.
    let d = loop {
        let d = c.diagnostics(&uri(&main));
        if !d.is_empty() {
            break d;
        }
    };
    let (l, ch) = pos(&no_region, "firelens", 0, 0);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0]["code"], "E0420");
    assert_eq!(
        d[0]["message"],
        "awslogs needs a region and none is known (in `std.firelens`)"
    );
    assert_eq!(d[0]["range"], range(l, ch, l, ch + 8));
    assert_eq!(
        d[0]["relatedInformation"][0]["location"]["uri"],
        std_diag["params"]["uri"]
    );
    c.shutdown();
}

#[test]
fn a_document_with_syntax_errors_keeps_answering() {
    let dir = tempdir("syntax");
    std::fs::copy(fixtures().join("common.wharf"), dir.join("common.wharf")).unwrap();
    let path = dir.join("broken.wharf");
    let u = uri(&path);
    let text = read("main.wharf").replace("  count 2\n", "  count: 2\n  ]]] what\n");
    let mut c = Client::start();
    c.open(&u, &text);
    let d = c.diagnostics(&u);
    let codes: Vec<(&str, Value)> = d
        .iter()
        .map(|d| (d["code"].as_str().unwrap(), d["range"]["start"].clone()))
        .collect();
    assert_eq!(
        codes,
        vec![
            ("E0103", json!({"line": 17, "character": 7})),
            ("E0103", json!({"line": 18, "character": 2})),
        ]
    );
    // Hover, definition, symbols and completion still work from what parses.
    let (l, ch) = pos(&text, "registry", 0, 2);
    assert!(
        hover_text(&c.at("textDocument/hover", &u, l, ch)).starts_with("```wharf\nlet registry =")
    );
    let (l, ch) = pos(&text, "prod", 0, 1);
    let def = c.at("textDocument/definition", &u, l, ch);
    assert_eq!(def["uri"], uri(&dir.join("common.wharf")));
    assert_eq!(def["range"], range(3, 8, 3, 12));
    let syms = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": u}}),
    );
    let names: Vec<String> = labels_of(&syms["result"], "name");
    assert_eq!(names, ["IMAGE_TAG", "web", "web"]);
    let (l, _) = pos(&text, "  ]]] what", 0, 0);
    let items = c.at("textDocument/completion", &u, l + 1, 0);
    assert!(labels(&items).contains(&"autoscale".to_string()), "{items}");
    // Formatting refuses (it would reformat what it cannot read).
    let f = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": u}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(
        f["error"]["message"],
        "the document has syntax errors; fix them to format it"
    );
    // An unmatched `}`: nothing parses, the server still answers.
    c.change(&u, 3, "}\ntask x {\n");
    let d = c.diagnostics(&u);
    assert_eq!(d[0]["code"], "E0101");
    assert_eq!(c.at("textDocument/hover", &u, 1, 1), Value::Null);
    c.shutdown();
}

fn labels_of(v: &Value, key: &str) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|i| i[key].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn hover_explains_values_properties_and_codes() {
    let dir = fixtures();
    let u = uri(&dir.join("main.wharf"));
    let text = read("main.wharf");
    let mut c = Client::start();
    c.open(&u, &text);
    assert_eq!(c.diagnostics(&u), Vec::<Value>::new());
    let (l, ch) = pos(&text, "small", 0, 2);
    let h = c.at("textDocument/hover", &u, l, ch);
    assert_eq!(
        hover_text(&h),
        "```wharf\nlet small = 0.25vcpu\n```\n\nconstant `small`\n\n= `0.25vcpu` = 256 CPU units (1 vCPU = 1024)\n\nhere: `cpu` becomes `cpu` (CPU units, 1024 = 1 vCPU)"
    );
    assert_eq!(h["range"], range(5, 6, 5, 11));
    let (l, ch) = pos(&text, "registry", 0, 0);
    assert_eq!(
        hover_text(&c.at("textDocument/hover", &u, l, ch)),
        "```wharf\nlet registry = \"123456789012.dkr.ecr.us-east-1.amazonaws.com\"\n```\n\nconstant `registry`\n\n= `\"123456789012.dkr.ecr.us-east-1.amazonaws.com\"`\n\nShared by every team.\n\nhere: `image` becomes `containerDefinitions[].image`"
    );
    let (l, ch) = pos(&text, "memory", 0, 1);
    assert_eq!(
        hover_text(&c.at("textDocument/hover", &u, l, ch)),
        "**memory**\n\n```wharf\nmemory 512MiB\n```\n\nTakes a size (`512MiB`, `2GiB`); default: none (required on Fargate).\n\nBecomes `memory` (MiB)."
    );
    let (l, ch) = pos(&text, "depends_on", 0, 0);
    let h = hover_text(&c.at("textDocument/hover", &u, l, ch));
    assert!(
        h.starts_with("**depends_on**\n\n```wharf\ndepends_on migrate SUCCESS"),
        "{h}"
    );
    assert!(
        h.ends_with("Becomes `containerDefinitions[].dependsOn[]`."),
        "{h}"
    );
    let (l, ch) = pos(&text, "512MiB", 0, 3);
    assert_eq!(
        hover_text(&c.at("textDocument/hover", &u, l, ch)),
        "`512MiB` = 0.5 GiB"
    );
    let (l, ch) = pos(&text, "firelens", 0, 1);
    let h = hover_text(&c.at("textDocument/hover", &u, l, ch));
    assert!(h.contains("template `std.firelens`"), "{h}");
    assert!(h.contains("parameters:\n- `image: string = "), "{h}");

    // A diagnostic under the cursor: its code's explanation.
    let bad = text.replace("memory 512MiB", "memory 4GiB");
    c.change(&u, 2, &bad);
    let d = c.diagnostics(&u);
    assert_eq!(d[0]["code"], "E0401");
    let start = &d[0]["range"]["start"];
    let h = c.at(
        "textDocument/hover",
        &u,
        start["line"].as_u64().unwrap() as u32,
        start["character"].as_u64().unwrap() as u32 + 1,
    );
    let h = hover_text(&h);
    assert!(
        h.starts_with("**E0401**: invalid Fargate cpu and memory combination\n\nFargate runs tasks only in fixed sizes."),
        "{h}"
    );
    c.shutdown();
}

#[test]
fn definition_references_and_rename() {
    let dir = fixtures();
    let main = dir.join("main.wharf");
    let common = uri(&dir.join("common.wharf"));
    let u = uri(&main);
    let text = read("main.wharf");
    let mut c = Client::start();
    c.open(&u, &text);
    c.diagnostics(&u);
    let def = |c: &mut Client, needle: &str, n: usize, delta: usize| {
        let (l, ch) = pos(&text, needle, n, delta);
        c.at("textDocument/definition", &u, l, ch)
    };
    // A task named in a service goes to the task, not the service `web`.
    assert_eq!(
        def(&mut c, "task web", 1, 6),
        json!({"uri": u, "range": range(4, 5, 4, 8)})
    );
    assert_eq!(
        def(&mut c, "prod", 0, 0),
        json!({"uri": common, "range": range(3, 8, 3, 12)})
    );
    assert_eq!(
        def(&mut c, "registry", 0, 0),
        json!({"uri": common, "range": range(1, 4, 1, 12)})
    );
    assert_eq!(
        def(&mut c, "IMAGE_TAG", 1, 0),
        json!({"uri": u, "range": range(2, 6, 2, 15)})
    );
    assert_eq!(
        def(&mut c, "router START", 0, 0),
        json!({"uri": u, "range": range(12, 13, 12, 19)})
    );
    assert_eq!(
        def(&mut c, "\"common.wharf\"", 0, 0),
        json!({"uri": common, "range": range(0, 0, 0, 0)})
    );
    let std = def(&mut c, "firelens", 0, 0);
    let std_text =
        std::fs::read_to_string(std["uri"].as_str().unwrap().trim_start_matches("file://"))
            .unwrap();
    let line = std["range"]["start"]["line"].as_u64().unwrap() as usize;
    assert_eq!(std_text.lines().nth(line).unwrap(), "template firelens {");

    // References of the task `web`: its declaration and the service's `task web`.
    let (l, ch) = pos(&text, "task web", 0, 6);
    let refs = c.request(
        "textDocument/references",
        json!({"textDocument": {"uri": u}, "position": {"line": l, "character": ch}, "context": {"includeDeclaration": true}}),
    );
    assert_eq!(
        refs["result"],
        json!([{"uri": u, "range": range(4, 5, 4, 8)}, {"uri": u, "range": range(16, 7, 16, 10)}])
    );

    // Renaming a constant declared in the imported file edits both files.
    let (l, ch) = pos(&text, "small", 0, 0);
    let prep = c.at("textDocument/prepareRename", &u, l, ch);
    assert_eq!(prep, range(5, 6, 5, 11));
    let r = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": u}, "position": {"line": l, "character": ch}, "newName": "tiny"}),
    );
    assert_eq!(
        r["result"],
        json!({"changes": {
            common.clone(): [{"range": range(2, 4, 2, 9), "newText": "tiny"}],
            u.clone(): [{"range": range(5, 6, 5, 11), "newText": "tiny"}]
        }})
    );
    let bad = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": u}, "position": {"line": l, "character": ch}, "newName": "9 lives"}),
    );
    assert_eq!(bad["error"]["message"], "`9 lives` is not a valid name");
    let (l, ch) = pos(&text, "firelens", 0, 1);
    assert_eq!(c.at("textDocument/prepareRename", &u, l, ch), Value::Null);
    c.shutdown();
}

#[test]
fn completion_offers_what_the_block_takes() {
    let dir = tempdir("complete");
    std::fs::copy(fixtures().join("common.wharf"), dir.join("common.wharf")).unwrap();
    let u = uri(&dir.join("main.wharf"));
    let base = read("main.wharf");
    let mut c = Client::start();
    c.open(&u, &base);
    c.diagnostics(&u);
    let complete = |c: &mut Client, version: i64, text: &str, marker: &str| {
        let (l, ch) = pos(text, marker, 0, marker.len());
        c.change(&u, version, text);
        labels(&c.at("textDocument/completion", &u, l, ch))
    };
    // A new line in a service: its properties.
    let t = base.replace("  count 2\n", "  count 2\n  au\n");
    let items = complete(&mut c, 2, &t, "\n  au");
    assert_eq!(
        items,
        wharf::lsp::Block::Service
            .heads()
            .iter()
            .chain(["use"].iter())
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
    );
    // `launch ` takes a launch type.
    let t = base.replace("  count 2\n", "  count 2\n  launch \n");
    assert_eq!(
        complete(&mut c, 3, &t, "launch "),
        [
            "fargate",
            "ec2",
            "external",
            "IMAGE_TAG",
            "registry",
            "small"
        ]
    );
    // `task ` in a service: the tasks.
    let t = base.replace("  task web\n", "  task \n");
    assert_eq!(
        complete(&mut c, 4, &t, "  task "),
        ["web", "IMAGE_TAG", "registry", "small"]
    );
    // `in ` after a service's name: the clusters.
    let t = base.replace("service web in prod {", "service web in  {");
    assert_eq!(
        complete(&mut c, 5, &t, "service web in "),
        ["prod", "IMAGE_TAG", "registry", "small"]
    );
    // `depends_on ` in a container: the task's containers.
    let t = base.replace("depends_on router START", "depends_on ");
    assert_eq!(
        complete(&mut c, 6, &t, "depends_on "),
        [
            "app",
            "router",
            "START",
            "COMPLETE",
            "SUCCESS",
            "HEALTHY",
            "IMAGE_TAG",
            "registry",
            "small"
        ]
    );
    // A template's parameters inside its call.
    let t = base.replace("std.firelens()", "std.envoy()");
    assert_eq!(
        complete(&mut c, 7, &t, "std.envoy("),
        ["image", "port", "admin"]
    );
    // After `=` on a container head: the templates.
    let t = base.replace("std.firelens()", "");
    let items = complete(&mut c, 8, &t, "log_router router = ");
    assert!(
        items.contains(&"std.firelens".to_string())
            && items.contains(&"std.web_service".to_string()),
        "{items:?}"
    );
    // In a template: its parameters' statement, then what any block takes.
    let t = format!("{base}template sized {{\n  param cpu: cpu = 1vcpu\n  cp\n}}\n");
    let items = complete(&mut c, 9, &t, "1vcpu\n  cp");
    assert_eq!(items[0], "param");
    for h in ["cpu", "image", "count", "container", "task"] {
        assert!(items.contains(&h.to_string()), "{h} in {items:?}");
    }
    // A template parameter is a name in scope inside its template.
    let t = format!("{base}template sized {{\n  param size: cpu = 1vcpu\n  cpu \n}}\n");
    let items = complete(&mut c, 10, &t, "1vcpu\n  cpu ");
    assert!(items.contains(&"size".to_string()), "{items:?}");
    c.shutdown();
}

#[test]
fn formatting_and_symbols() {
    let dir = tempdir("format");
    let u = uri(&dir.join("f.wharf"));
    let text = "cluster   prod {\ncapacity FARGATE weight 1\n}\n\n\n\nlet x=1\n";
    let mut c = Client::start();
    c.open(&u, text);
    c.diagnostics(&u);
    let f = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": u}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(
        f["result"],
        json!([{"range": range(0, 0, 7, 0), "newText": "cluster prod {\n  capacity FARGATE weight 1\n}\n\nlet x = 1\n"}])
    );
    let s = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": u}}),
    );
    assert_eq!(
        s["result"],
        json!([
            {"name": "prod", "detail": "cluster", "kind": 4, "range": range(0, 0, 2, 1), "selectionRange": range(0, 10, 0, 14), "children": []},
            {"name": "x", "detail": "constant", "kind": 14, "range": range(6, 0, 6, 7), "selectionRange": range(6, 4, 6, 5), "children": []}
        ])
    );
    c.shutdown();
}

#[test]
fn fmt_dash_formats_stdin_to_stdout() {
    use std::io::Write;
    let run = |input: &str, args: &[&str]| {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_wharf"))
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.code(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let (code, out, _) = run("task  web {\ncpu 0.25vcpu\n}\n", &["fmt", "-"]);
    assert_eq!(
        (code, out.as_str()),
        (Some(0), "task web {\n  cpu 0.25vcpu\n}\n")
    );
    let (code, out, _) = run("task web {\n  cpu 0.25vcpu\n}\n", &["fmt", "-", "--check"]);
    assert_eq!((code, out.as_str()), (Some(0), ""));
    let (code, out, err) = run("task web {\ncpu 0.25vcpu\n}\n", &["fmt", "-", "--check"]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (Some(1), "", "would reformat <stdin>\n")
    );
    // Input that does not parse: its diagnostic and no text, exit 1.
    let (code, out, _) = run("task web {\n", &["fmt", "-", "--message-format", "json"]);
    assert_eq!(code, Some(1));
    let d: Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(
        (d["code"].as_str(), d["primary"]["file"].as_str()),
        (Some("E0101"), Some("<stdin>"))
    );
}

#[test]
fn names_resolve_by_where_they_stand() {
    // web-alb: a task and a service are both named `api` and `frontend`.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/web-alb.wharf");
    let text = std::fs::read_to_string(&path).unwrap();
    let u = uri(&path);
    let mut c = Client::start();
    c.open(&u, &text);
    assert_eq!(c.diagnostics(&u), Vec::<Value>::new());
    let line_of = |needle: &str, n: usize| pos(&text, needle, n, 0).0;
    let def_line = |c: &mut Client, needle: &str, n: usize, delta: usize| {
        let (l, ch) = pos(&text, needle, n, delta);
        c.at("textDocument/definition", &u, l, ch)["range"]["start"]["line"].clone()
    };
    // `expose app:8080 via edge`: the container of the service's task, the ALB.
    assert_eq!(
        def_line(&mut c, "expose app:8080", 0, 7),
        json!(line_of("container app", 0))
    );
    assert_eq!(
        def_line(&mut c, "via edge", 0, 4),
        json!(line_of("alb edge", 0))
    );
    // `callers [frontend]`: the service, not the task of the same name.
    assert_eq!(
        def_line(&mut c, "callers [frontend]", 0, 9),
        json!(line_of("service frontend", 0))
    );
    // `task api` inside a service, and in an environment: the task.
    assert_eq!(
        def_line(&mut c, "  task api\n", 0, 7),
        json!(line_of("task api {", 0))
    );
    assert_eq!(
        def_line(&mut c, "  task api { cpu", 0, 7),
        json!(line_of("task api {", 0))
    );
    // `network main` in a cluster; an input in a value and an environment override.
    assert_eq!(
        def_line(&mut c, "network main;", 0, 8),
        json!(line_of("network main {", 0))
    );
    assert_eq!(
        def_line(&mut c, "cert CERTIFICATE", 0, 5),
        json!(line_of("input CERTIFICATE", 0))
    );
    assert_eq!(
        def_line(&mut c, "input IMAGE_TAG = ", 0, 6),
        json!(line_of("input IMAGE_TAG:", 0))
    );
    // References of the container `web` of the task `frontend`.
    let (l, ch) = pos(&text, "container web", 0, 10);
    let refs = c.request(
        "textDocument/references",
        json!({"textDocument": {"uri": u}, "position": {"line": l, "character": ch}, "context": {"includeDeclaration": false}}),
    );
    let lines: Vec<Value> = refs["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["range"]["start"]["line"].clone())
        .collect();
    assert_eq!(lines, vec![json!(line_of("expose web:3000", 0))]);
    c.shutdown();
}

#[test]
fn an_open_imported_file_is_answered_from_its_importer() {
    let dir = tempdir("importer");
    let main = dir.join("main.wharf");
    let common = dir.join("common.wharf");
    std::fs::write(&main, read("main.wharf")).unwrap();
    let common_text = read("common.wharf");
    std::fs::write(&common, &common_text).unwrap();
    let mut c = Client::start();
    c.open(&uri(&main), &read("main.wharf"));
    assert_eq!(c.diagnostics(&uri(&main)), Vec::<Value>::new());
    c.open(&uri(&common), &common_text);
    // On its own the file would be a program without tasks; as an import
    // of main.wharf it is clean.
    assert_eq!(c.diagnostics(&uri(&common)), Vec::<Value>::new());
    // Renaming the cluster in the imported file edits its use in main.wharf.
    let (l, ch) = pos(&common_text, "prod", 0, 1);
    let r = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": uri(&common)}, "position": {"line": l, "character": ch}, "newName": "production"}),
    );
    assert_eq!(
        r["result"],
        json!({"changes": {
            uri(&common): [{"range": range(3, 8, 3, 12), "newText": "production"}],
            uri(&main): [{"range": range(15, 15, 15, 19), "newText": "production"}]
        }})
    );
    // An edit of the open import (unsaved) is what main.wharf sees.
    let broken = common_text.replace("let registry", "let registry2");
    c.change(&uri(&common), 2, &broken);
    let d = loop {
        let d = c.diagnostics(&uri(&main));
        if !d.is_empty() {
            break d;
        }
    };
    assert_eq!(d[0]["code"], "E0209", "{d:?}");
    c.shutdown();
}
