//! JSON value -> CloudFormation YAML. Stage: emit (last step for `--format
//! yaml`). Input: the same `serde_json::Value` the JSON output prints; output:
//! block-style YAML using CloudFormation's short intrinsic tags (`!Ref`,
//! `!GetAtt A.B`, `!Sub`).
//!
//! Written here instead of using a crate because the output must be
//! byte-for-byte deterministic and CloudFormation-specific: the short tags are
//! not plain YAML, and generic serializers (serde_yaml is unmaintained) decide
//! quoting for YAML 1.2 only, while CloudFormation's parser also reads YAML 1.1
//! forms such as `on`, `yes` and `1:30` as booleans and numbers.
//!
//! Invariants: any string a YAML 1.1 or 1.2 parser could read as something
//! other than that string is double-quoted with JSON escaping (JSON strings are
//! valid YAML double-quoted scalars); a tag is never applied to a node that
//! already has one (the argument is then written in the long `Fn::X:` form).

use serde_json::{Map, Value};

/// Renders a template as YAML with a final newline.
pub fn to_yaml(v: &Value) -> String {
    match v {
        Value::Object(m) if !m.is_empty() => map_body(m, 0),
        other => match node(other, 0) {
            Node::Inline(s) => format!("{s}\n"),
            Node::Block { tag, body } => format!("{}\n{body}", tag.unwrap_or_default()),
        },
    }
}

enum Node {
    /// Fits after `key: ` or `- `.
    Inline(String),
    /// Lines rendered at the child indent, optionally preceded by a tag.
    Block { tag: Option<String>, body: String },
}

fn node(v: &Value, indent: usize) -> Node {
    match v {
        Value::Null => Node::Inline("null".into()),
        Value::Bool(b) => Node::Inline(b.to_string()),
        Value::Number(n) => Node::Inline(n.to_string()),
        Value::String(s) => Node::Inline(scalar(s)),
        Value::Array(a) if a.is_empty() => Node::Inline("[]".into()),
        Value::Object(m) if m.is_empty() => Node::Inline("{}".into()),
        Value::Array(a) => Node::Block {
            tag: None,
            body: seq_body(a, indent),
        },
        Value::Object(m) => match intrinsic(m) {
            Some((tag, arg)) => tagged(tag, arg, indent),
            None => Node::Block {
                tag: None,
                body: map_body(m, indent),
            },
        },
    }
}

/// `{"Fn::Sub": x}` -> `("!Sub", x)`; `None` for ordinary maps.
fn intrinsic(m: &Map<String, Value>) -> Option<(String, &Value)> {
    if m.len() != 1 {
        return None;
    }
    let (k, v) = m.iter().next()?;
    let tag = match k.as_str() {
        "Ref" => "!Ref".to_string(),
        "Fn::GetAtt" | "Fn::Sub" | "Fn::Join" | "Fn::Select" | "Fn::Split" | "Fn::GetAZs"
        | "Fn::ImportValue" | "Fn::If" | "Fn::Equals" | "Fn::Not" | "Fn::And" | "Fn::Or"
        | "Fn::Base64" | "Fn::Cidr" | "Fn::FindInMap" => format!("!{}", &k[4..]),
        _ => return None,
    };
    Some((tag, v))
}

fn tagged(tag: String, arg: &Value, indent: usize) -> Node {
    if tag == "!GetAtt" {
        if let Some([Value::String(id), Value::String(attr)]) = arg.as_array().map(Vec::as_slice) {
            return Node::Inline(format!("!GetAtt {id}.{attr}"));
        }
    }
    match arg {
        Value::Object(m) if !m.is_empty() => Node::Block {
            tag: Some(tag),
            // Written long-form: a node cannot carry two tags.
            body: map_body(m, indent),
        },
        _ => match node(arg, indent) {
            Node::Inline(s) => Node::Inline(format!("{tag} {s}")),
            Node::Block { body, .. } => Node::Block {
                tag: Some(tag),
                body,
            },
        },
    }
}

fn map_body(m: &Map<String, Value>, indent: usize) -> String {
    let mut out = String::new();
    for (k, v) in m {
        member(&mut out, k, v, indent);
    }
    out
}

/// `key: value` of a block mapping at `indent`.
fn member(out: &mut String, k: &str, v: &Value, indent: usize) {
    let pad = " ".repeat(indent);
    let key = scalar(k);
    match node(v, indent + 2) {
        Node::Inline(s) => out.push_str(&format!("{pad}{key}: {s}\n")),
        Node::Block { tag, body } => {
            match tag {
                Some(t) => out.push_str(&format!("{pad}{key}: {t}\n")),
                None => out.push_str(&format!("{pad}{key}:\n")),
            }
            out.push_str(&body);
        }
    }
}

/// [`to_yaml`] of one member of a mapping at `indent`, appended: a map's
/// text is its members' texts one after the other.
pub(super) fn write_member(out: &mut Vec<u8>, k: &str, v: &Value, indent: usize) {
    let mut s = String::new();
    member(&mut s, k, v, indent);
    out.extend_from_slice(s.as_bytes());
}

fn seq_body(a: &[Value], indent: usize) -> String {
    let pad = " ".repeat(indent);
    let mut out = String::new();
    for v in a {
        match node(v, indent + 2) {
            Node::Inline(s) => out.push_str(&format!("{pad}- {s}\n")),
            Node::Block { tag: Some(t), body } => {
                out.push_str(&format!("{pad}- {t}\n"));
                out.push_str(&body);
            }
            Node::Block { tag: None, body } => {
                // The child block starts with indent+2 spaces; put the dash there.
                out.push_str(&pad);
                out.push_str("- ");
                out.push_str(&body[indent + 2..]);
            }
        }
    }
    out
}

/// A string as a YAML scalar: plain when every YAML parser reads it back as
/// the same string, else double-quoted.
fn scalar(s: &str) -> String {
    if needs_quotes(s) {
        serde_json::to_string(s).expect("strings always serialize")
    } else {
        s.to_string()
    }
}

fn needs_quotes(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~",
    ];
    let Some(first) = s.chars().next() else {
        return true;
    };
    let last = s.chars().last().unwrap_or(first);
    WORDS.contains(&s.to_ascii_lowercase().as_str())
        || "-?:,[]{}#&*!|>'\"%@`+.".contains(first)
        || first.is_ascii_digit()
        || first.is_whitespace()
        || last.is_whitespace()
        || last == ':'
        || s.contains(": ")
        || s.contains(" #")
        || s.chars().any(|c| c.is_control() || c == '\u{feff}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn quotes_what_yaml_would_misread() {
        for s in [
            "on", "Yes", "256", "*", "!Ref", "", "1:30", "a: b", "x #y", "-", ".5", "+1", "null",
            "a\nb",
        ] {
            assert!(needs_quotes(s), "{s:?}");
        }
        for s in [
            "HTTP",
            "awslogs-group",
            "arn:aws:iam::1:role/x",
            "/health",
            "web-api",
        ] {
            assert!(!needs_quotes(s), "{s:?}");
        }
        assert_eq!(scalar("256"), "\"256\"");
    }

    #[test]
    fn renders_blocks_tags_and_nesting() {
        let v = json!({
            "Resources": {
                "Subnet": {
                    "Type": "AWS::EC2::Subnet",
                    "Properties": {
                        "VpcId": { "Ref": "Vpc" },
                        "AvailabilityZone": { "Fn::Select": [0, { "Fn::GetAZs": "" }] },
                        "Tags": [{ "Key": "Name", "Value": { "Fn::Sub": "${AWS::StackName}-a" } }],
                        "Arn": { "Fn::GetAtt": ["Role", "Arn"] },
                        "Import": { "Fn::ImportValue": { "Fn::Sub": "${P}-x" } },
                        "Empty": [],
                        "Nested": [["a"]]
                    }
                }
            }
        });
        let expected = "\
Resources:
  Subnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      AvailabilityZone: !Select
        - 0
        - !GetAZs \"\"
      Tags:
        - Key: Name
          Value: !Sub ${AWS::StackName}-a
      Arn: !GetAtt Role.Arn
      Import: !ImportValue
        Fn::Sub: ${P}-x
      Empty: []
      Nested:
        - - a
";
        assert_eq!(to_yaml(&v), expected);
    }
}
