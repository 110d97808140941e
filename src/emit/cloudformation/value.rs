//! CloudFormation values: intrinsic function builders and the reference walk
//! the stack splitter and parameter filter rely on. Stage: emit. Invariant:
//! every reference to another logical ID the emitter writes is a `Ref`, a
//! `Fn::GetAtt` in list form, a `${Id}` / `${Id.Attr}` inside `Fn::Sub`, or a
//! `DependsOn` entry; `refs` finds exactly those.

use serde_json::{json, Value};

pub fn r#ref(id: &str) -> Value {
    json!({ "Ref": id })
}

pub fn get_att(id: &str, attr: &str) -> Value {
    json!({ "Fn::GetAtt": [id, attr] })
}

pub fn sub(s: impl Into<String>) -> Value {
    json!({ "Fn::Sub": s.into() })
}

/// `arn:${AWS::Partition}:<service>:${AWS::Region}:${AWS::AccountId}:<rest>`
pub fn arn(service: &str, rest: &str) -> Value {
    sub(format!(
        "arn:${{AWS::Partition}}:{service}:${{AWS::Region}}:${{AWS::AccountId}}:{}",
        escape_sub(rest)
    ))
}

/// Escapes literal text for `Fn::Sub`: `${` would start a variable.
pub fn escape_sub(s: &str) -> String {
    s.replace("${", "${!")
}

/// `[{Key, Value}]` from pairs, the tag form every resource uses.
pub fn tags(pairs: Vec<(String, Value)>) -> Value {
    Value::Array(
        pairs
            .into_iter()
            .map(|(k, v)| json!({ "Key": k, "Value": v }))
            .collect(),
    )
}

/// A property map that leaves out `Null` values, so optional properties can be
/// written inline with `json!` and `Option`.
pub fn props(v: Value) -> Value {
    match v {
        // In place, order kept: no map is built (and no key hashed) again.
        Value::Object(mut m) => {
            m.retain(|_, v| !v.is_null());
            Value::Object(m)
        }
        other => other,
    }
}

/// A reference from one resource to another logical ID.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RefTo {
    pub id: String,
    /// `None` for `Ref`, the attribute for `GetAtt`.
    pub attr: Option<String>,
}

/// Every logical ID (or parameter) `v` refers to, excluding pseudo parameters
/// (`AWS::Region`) and `DependsOn` (see [`depends_on`]).
pub fn refs(v: &Value, out: &mut Vec<RefTo>) {
    match v {
        Value::Object(m) if m.len() == 1 => {
            let (k, arg) = m.iter().next().expect("one entry");
            match (k.as_str(), arg) {
                ("Ref", Value::String(id)) => {
                    if !id.starts_with("AWS::") {
                        out.push(RefTo {
                            id: id.clone(),
                            attr: None,
                        });
                    }
                }
                ("Fn::GetAtt", Value::Array(a)) if a.len() == 2 => {
                    if let (Some(id), Some(attr)) = (a[0].as_str(), a[1].as_str()) {
                        out.push(RefTo {
                            id: id.to_string(),
                            attr: Some(attr.to_string()),
                        });
                    }
                }
                ("Fn::Sub", Value::String(s)) => sub_vars(s, &[], out),
                ("Fn::Sub", Value::Array(a)) if a.len() == 2 => {
                    let locals: Vec<&str> = a[1]
                        .as_object()
                        .map(|m| m.keys().map(String::as_str).collect())
                        .unwrap_or_default();
                    if let Some(s) = a[0].as_str() {
                        sub_vars(s, &locals, out);
                    }
                    refs(&a[1], out);
                }
                _ => refs(arg, out),
            }
        }
        Value::Object(m) => m.values().for_each(|x| refs(x, out)),
        Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
        _ => {}
    }
}

/// The `${...}` variables of a `Fn::Sub` string, skipping `${!literal}`,
/// pseudo parameters and the given local names.
fn sub_vars(s: &str, locals: &[&str], out: &mut Vec<RefTo>) {
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        rest = &rest[i + 2..];
        let Some(end) = rest.find('}') else { break };
        let var = &rest[..end];
        rest = &rest[end + 1..];
        if var.starts_with('!') || var.starts_with("AWS::") || locals.contains(&var) {
            continue;
        }
        let (id, attr) = match var.split_once('.') {
            Some((id, attr)) => (id, Some(attr.to_string())),
            None => (var, None),
        };
        out.push(RefTo {
            id: id.to_string(),
            attr,
        });
    }
}

/// The `DependsOn` entries of a resource.
pub fn depends_on(resource: &Value) -> Vec<String> {
    match resource.get("DependsOn") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_reference_form() {
        let v = json!({
            "A": { "Ref": "Vpc" },
            "B": { "Fn::GetAtt": ["Lb", "DNSName"] },
            "C": { "Fn::Sub": "service/${Cluster}/${Svc.Name}/${AWS::Region}/${!Lit}" },
            "D": { "Fn::Sub": ["${X}-${Local}", { "Local": { "Ref": "Param" } }] },
            "E": { "Ref": "AWS::StackName" }
        });
        let mut out = Vec::new();
        refs(&v, &mut out);
        let ids: Vec<String> = out
            .iter()
            .map(|r| match &r.attr {
                Some(a) => format!("{}.{a}", r.id),
                None => r.id.clone(),
            })
            .collect();
        assert_eq!(
            ids,
            ["Vpc", "Lb.DNSName", "Cluster", "Svc.Name", "X", "Param"]
        );
    }

    #[test]
    fn props_drop_nulls_and_sub_escapes() {
        let v = props(json!({ "A": 1, "B": null }));
        assert_eq!(v, json!({ "A": 1 }));
        assert_eq!(escape_sub("a${b}"), "a${!b}");
        assert_eq!(
            depends_on(&json!({ "DependsOn": ["A", "B"] })),
            vec!["A".to_string(), "B".to_string()]
        );
    }
}
