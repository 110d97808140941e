//! Template placeholders. Task definitions published as templates hold
//! `{{name}}` (Mustache / Jinja, as in the CloudWatch agent's templates),
//! `${Name}` (shell, `Fn::Sub`) or `<name>` (AWS's documentation,
//! CodeDeploy's `<IMAGE1_NAME>`) where a tool or a reader fills in a role
//! ARN, a secret's ARN or a log group before registration.
//!
//! Where the value as written is refused, a placeholder becomes a Wharf
//! `input`: in a role (ECS answers `Role is not valid`, Wharf E0312), a
//! secret's `valueFrom` (a Secrets Manager ARN with `${Region}` in it fails
//! at launch, Wharf E0419) and an awslogs group (CloudWatch Logs refuses `{`
//! and `$`, Wharf E0216) ([`REFERENCES`]), each judged by the checker's own
//! rule for that member (`check::valid`), so a value the checker takes as
//! written stays as written. Every other occurrence of the
//! same placeholder text in the file is the same parameter and becomes the
//! same input. A placeholder found only where ECS takes any string (an
//! image, an awslogs region, an environment value, a FireLens option such
//! as `${ECS_TASK_ID}` that the container reads at run time) is carried
//! verbatim: the imported program then registers what the original did.
//!
//! Mechanism: before import, every such placeholder in every string of the
//! document is replaced by the input's name between two private-use
//! characters ([`OPEN`], [`CLOSE`]); `writer::quote` writes those as the
//! interpolation `${NAME}`, and [`declared`] finds the names in the
//! source so that each gets one `input NAME: string` with no default.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

/// Marks the start of an input's name in a rewritten string.
pub const OPEN: char = '\u{E000}';
/// Marks its end.
pub const CLOSE: char = '\u{E001}';

/// `(member path, key)` of the members whose value, as written with a
/// placeholder in it, is refused: a placeholder there is a parameter.
/// Paths: `""` the task definition, `"c.secrets"` each secret,
/// `"c.log.secretOptions"` each log secret option, `"c.log.options"`
/// awslogs options.
const REFERENCES: &[(&str, &str)] = &[
    ("", "executionRoleArn"),
    ("", "taskRoleArn"),
    ("c.secrets", "valueFrom"),
    ("c.log.secretOptions", "valueFrom"),
    ("c.log.options", "awslogs-group"),
    // Enum members (and each of `requiresCompatibilities`): a placeholder
    // standing for the whole value is written as the bare input name
    // (`network MODE`, `compat LAUNCH`).
    ("", "networkMode"),
];

/// Whether the checker refuses `value` as written in the member `key`: a
/// value it takes (`arn:aws:iam::<ACCOUNT>:role/x` passes as a role ARN) is
/// carried as written even with a placeholder in it.
fn refused(key: &str, value: &str) -> bool {
    use crate::check::valid;
    match key {
        "executionRoleArn" | "taskRoleArn" => !valid::role_ok(value),
        "valueFrom" => {
            let parts: Vec<&str> = value.split(':').collect();
            if parts.len() >= 7 && parts[0] == "arn" && parts[2] == "secretsmanager" {
                !valid::secretsmanager_arn_ok(&parts[..7].join(":"))
            } else {
                !valid::ssm_parameter_ok(value)
            }
        }
        "awslogs-group" => crate::ir::names::NameKind::LogGroup.check(value).is_err(),
        "networkMode" => !["awsvpc", "bridge", "host", "none"].contains(&value),
        "requiresCompatibilities" => !["EC2", "FARGATE", "EXTERNAL"].contains(&value),
        _ => true,
    }
}

/// One placeholder occurrence in `s`: its byte range and its name.
fn occurrences(s: &str) -> Vec<(usize, usize, &str)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let rest = &s[i..];
        let found = if let Some(inner) = rest.strip_prefix("{{") {
            inner
                .find("}}")
                .map(|end| (2 + end + 2, inner[..end].trim()))
        } else if let Some(inner) = rest.strip_prefix("${") {
            inner
                .find('}')
                .map(|end| (2 + end + 1, inner[..end].trim()))
        } else if let Some(inner) = rest.strip_prefix('<') {
            // `<name>`, as AWS's documentation and CodeDeploy's
            // `<IMAGE1_NAME>` write them; no spaces inside.
            inner
                .find('>')
                .map(|end| (1 + end + 1, &inner[..end]))
                .filter(|(_, n)| n.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'))
        } else {
            None
        };
        match found {
            Some((len, name)) if is_name(name) => {
                out.push((i, i + len, name));
                i += len;
            }
            _ => i += rest.chars().next().map_or(1, char::len_utf8),
        }
    }
    out
}

/// Bare words standing in an ARN's region or account segment
/// (`arn:aws:secretsmanager:region:aws_account_id:secret:name`, as AWS's
/// documentation writes them): a segment that is a name but not a region
/// (`us-east-1`) or an account (12 digits). Byte ranges and the word.
fn arn_words(s: &str) -> Vec<(usize, usize, &str)> {
    let mut out = Vec::new();
    if !s.starts_with("arn:") {
        return out;
    }
    let mut start = 0;
    for (i, segment) in s.split(':').enumerate().take(5) {
        let end = start + segment.len();
        let placeholder = match i {
            3 => !segment.is_empty() && !is_region(segment),
            4 => !segment.is_empty() && segment != "aws" && !is_account(segment),
            _ => false,
        };
        if placeholder && is_name(segment) {
            out.push((start, end, segment));
        }
        start = end + 1;
    }
    out
}

/// `us-east-1`, `ap-southeast-2`, `us-gov-west-1`, `cn-north-1`.
fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
}

fn is_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// Every placeholder of `s`, delimited (`{{x}}`) or a bare ARN word, in
/// order.
fn all_occurrences(s: &str) -> Vec<(usize, usize, &str)> {
    let mut out = occurrences(s);
    out.extend(arn_words(s));
    out.sort_by_key(|o| o.0);
    out
}

/// What a template tool calls a variable: letters, digits, `_`, `-`, `.`.
fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// The Wharf input for a placeholder name: the name itself where it is a
/// Wharf name, else with `.` as `_` (and `_` in front of a leading digit).
pub fn input_name(name: &str) -> String {
    let mut n: String = name
        .chars()
        .map(|c| if c == '.' { '_' } else { c })
        .collect();
    if !n.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        n.insert(0, '_');
    }
    n
}

/// The placeholder texts (`{{region}}`, `${Account}`) that stand in a
/// member naming an AWS resource.
fn parameters(td: &Map<String, Value>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut at = |path: &str, obj: Option<&Value>| {
        let Some(obj) = obj.and_then(Value::as_object) else {
            return;
        };
        for (p, key) in REFERENCES {
            if *p == path {
                if let Some(s) = obj
                    .get(*key)
                    .and_then(Value::as_str)
                    .filter(|s| refused(key, s))
                {
                    for (from, to, _) in all_occurrences(s) {
                        found.insert(s[from..to].to_string());
                    }
                }
            }
        }
    };
    let list = |v: Option<&Value>| -> Vec<Value> {
        v.and_then(Value::as_array).cloned().unwrap_or_default()
    };
    let doc = Value::Object(td.clone());
    at("", Some(&doc));
    for c in list(td.get("containerDefinitions")) {
        for s in list(c.get("secrets")) {
            at("c.secrets", Some(&s));
        }
        if let Some(log) = c.get("logConfiguration") {
            if log.get("logDriver").and_then(Value::as_str) == Some("awslogs") {
                at("c.log.options", log.get("options"));
            }
            for s in list(log.get("secretOptions")) {
                at("c.log.secretOptions", Some(&s));
            }
        }
    }
    // Each launch type of `requiresCompatibilities`, judged alone.
    for c in list(td.get("requiresCompatibilities")) {
        if let Some(s) = c.as_str().filter(|s| refused("requiresCompatibilities", s)) {
            for (from, to, _) in occurrences(s) {
                found.insert(s[from..to].to_string());
            }
        }
    }
    found
}

/// A document with its placeholders marked, and each placeholder text with
/// its input.
pub type Marked = (Map<String, Value>, Vec<(String, String)>);

/// The document with every parameter placeholder marked as its input, and
/// each placeholder text with its input; `None` when it has none (or
/// already holds the marker characters, which no task definition needs).
pub fn mark(td: &Map<String, Value>) -> Option<Marked> {
    let params = parameters(td);
    if params.is_empty() {
        return None;
    }
    let text = Value::Object(td.clone()).to_string();
    if text.contains(OPEN) || text.contains(CLOSE) {
        return None;
    }
    let mut v = Value::Object(td.clone());
    rewrite(&mut v, &params);
    let pairs = params
        .iter()
        .map(|text| {
            let name = occurrences(text).first().map_or(text.as_str(), |o| o.2);
            (text.clone(), input_name(name))
        })
        .collect();
    match v {
        Value::Object(o) => Some((o, pairs)),
        _ => None,
    }
}

fn rewrite(v: &mut Value, params: &BTreeSet<String>) {
    match v {
        Value::String(s) => {
            let occ = all_occurrences(s);
            if occ.iter().any(|(f, t, _)| params.contains(&s[*f..*t])) {
                let mut out = String::with_capacity(s.len());
                let mut last = 0;
                for (from, to, name) in occ {
                    if params.contains(&s[from..to]) {
                        out.push_str(&s[last..from]);
                        out.push(OPEN);
                        out.push_str(&input_name(name));
                        out.push(CLOSE);
                        last = to;
                    }
                }
                out.push_str(&s[last..]);
                *s = out;
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| rewrite(x, params)),
        Value::Object(o) => o.values_mut().for_each(|x| rewrite(x, params)),
        _ => {}
    }
}

/// The input a marked string stands for when it is exactly one
/// placeholder (`"{{networkmode}}"`), for an enum member.
pub fn whole_input(s: &str) -> Option<&str> {
    let name = s.strip_prefix(OPEN)?.strip_suffix(CLOSE)?;
    (!name.contains([OPEN, CLOSE])).then_some(name)
}

/// A message about the rewritten document, with each marked input written
/// back as `${NAME}`.
pub fn unmark(s: &str) -> String {
    s.replace(OPEN, "${").replace(CLOSE, "}")
}

/// The inputs the source interpolates, in order of first use: every
/// unescaped `${NAME}` of a string literal (the writer escapes every `$` it
/// copies, so these are exactly the marked placeholders).
pub fn declared(source: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut chars = source.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '$' if source[i + 1..].starts_with('{') => {
                let rest = &source[i + 2..];
                if let Some(end) = rest.find('}') {
                    let name = &rest[..end];
                    if !names.iter().any(|n| n == name) {
                        names.push(name.to_string());
                    }
                }
            }
            _ => {}
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_both_spellings_and_skips_what_is_not_a_name() {
        let s = "arn:${Partition}:x:{{ region }}:${}:{{a b}}:$ {x}:<account>:a < b >c:<1>";
        let names: Vec<&str> = occurrences(s).into_iter().map(|o| o.2).collect();
        assert_eq!(names, ["Partition", "region", "account"]);
        assert_eq!(input_name("1st.name"), "_1st_name");
    }

    #[test]
    fn only_placeholders_of_resource_members_are_marked() {
        let td = json!({
            "family": "f",
            "executionRoleArn": "{{execution-role-arn}}",
            "containerDefinitions": [{
                "name": "app", "image": "{{demo-app-image}}",
                "environment": [{"name": "ROLE", "value": "{{execution-role-arn}}"},
                                {"name": "HOME", "value": "${HOME}"}]
            }]
        });
        let (marked, pairs) = mark(td.as_object().unwrap()).unwrap();
        assert_eq!(
            pairs,
            [(
                "{{execution-role-arn}}".to_string(),
                "execution-role-arn".to_string()
            )]
        );
        assert_eq!(
            marked["executionRoleArn"],
            json!("\u{E000}execution-role-arn\u{E001}")
        );
        let env = &marked["containerDefinitions"][0]["environment"];
        assert_eq!(env[0]["value"], json!("\u{E000}execution-role-arn\u{E001}"));
        assert_eq!(env[1]["value"], json!("${HOME}"));
        // ECS registers any image string: carried as written.
        assert_eq!(
            marked["containerDefinitions"][0]["image"],
            json!("{{demo-app-image}}")
        );
        assert!(mark(
            json!({"family": "f", "taskRoleArn": "r"})
                .as_object()
                .unwrap()
        )
        .is_none());
        // A role ARN the checker takes as written stays as written.
        let taken = json!({"family": "f", "taskRoleArn": "arn:aws:iam::<ACCOUNT>:role/app"});
        assert!(mark(taken.as_object().unwrap()).is_none());
    }

    #[test]
    fn declared_skips_escaped_dollars() {
        assert_eq!(declared(r#"a "\${x}" "${y}" "\\${z}" "${y}""#), ["y", "z"]);
    }
}
