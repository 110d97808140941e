//! CloudFormation values: intrinsic function builders and the reference walk
//! the stack splitter and parameter filter rely on. Stage: emit. Invariant:
//! every reference to another logical ID the emitter writes is a `Ref`, a
//! `Fn::GetAtt` in list form, a `${Id}` / `${Id.Attr}` inside `Fn::Sub`, or a
//! `DependsOn` entry; `for_each_ref` finds exactly those.

use crate::emit::json::json;
use serde_json::Value;

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

/// Calls `f(id, attr)` for every logical ID (or parameter) `v` refers to
/// (`attr` for `GetAtt`), excluding pseudo parameters (`AWS::Region`) and
/// `DependsOn` (see [`depends_on`]). The names are borrowed, not copied.
pub fn for_each_ref<'a>(v: &'a Value, f: &mut impl FnMut(&'a str, Option<&'a str>)) {
    match v {
        Value::Object(m) if m.len() == 1 => {
            let (k, arg) = m.iter().next().expect("one entry");
            match (k.as_str(), arg) {
                ("Ref", Value::String(id)) => {
                    if !id.starts_with("AWS::") {
                        f(id, None);
                    }
                }
                ("Fn::GetAtt", Value::Array(a)) if a.len() == 2 => {
                    if let (Some(id), Some(attr)) = (a[0].as_str(), a[1].as_str()) {
                        f(id, Some(attr));
                    }
                }
                ("Fn::Sub", Value::String(s)) => sub_vars(s, &[], f),
                // The locals' references first, then the string's: the
                // order in which the stack splitter rewrites them.
                ("Fn::Sub", Value::Array(a)) if a.len() == 2 => {
                    let locals: Vec<&str> = a[1]
                        .as_object()
                        .map(|m| m.keys().map(String::as_str).collect())
                        .unwrap_or_default();
                    for_each_ref(&a[1], f);
                    if let Some(s) = a[0].as_str() {
                        sub_vars(s, &locals, f);
                    }
                }
                _ => for_each_ref(arg, f),
            }
        }
        Value::Object(m) => m.values().for_each(|x| for_each_ref(x, f)),
        Value::Array(a) => a.iter().for_each(|x| for_each_ref(x, f)),
        _ => {}
    }
}

/// The `${...}` variables of a `Fn::Sub` string, skipping `${!literal}`,
/// pseudo parameters and the given local names.
pub fn sub_vars<'a>(s: &'a str, locals: &[&str], f: &mut impl FnMut(&'a str, Option<&'a str>)) {
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        rest = &rest[i + 2..];
        let Some(end) = rest.find('}') else { break };
        let var = &rest[..end];
        rest = &rest[end + 1..];
        if var.starts_with('!') || var.starts_with("AWS::") || locals.contains(&var) {
            continue;
        }
        match var.split_once('.') {
            Some((id, attr)) => f(id, Some(attr)),
            None => f(var, None),
        }
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
        let mut ids: Vec<String> = Vec::new();
        for_each_ref(&v, &mut |id, attr| {
            ids.push(match attr {
                Some(a) => format!("{id}.{a}"),
                None => id.to_string(),
            })
        });
        assert_eq!(
            ids,
            ["Vpc", "Lb.DNSName", "Cluster", "Svc.Name", "Param", "X"]
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
