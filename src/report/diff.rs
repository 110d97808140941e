//! What changes between two builds, resource by resource and field by
//! field, read from the emitted artifacts (never from source). For
//! CloudFormation, a resource is one entry of a template's `Resources`, and
//! a change to one of its type's create-only properties (or to its type)
//! replaces it: those come from AWS's published resource provider schemas,
//! extracted from cfn-lint by `scripts/create_only.py` into the embedded
//! `create_only.json`. For the ECS target, each output file is a resource.

use crate::emit::Artifact;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write;

const CREATE_ONLY: &str = include_str!("create_only.json");

/// Create-only property pointers (`/properties/Port`) by resource type.
pub struct CreateOnly {
    pub cfn_lint_version: String,
    types: BTreeMap<String, Vec<Vec<String>>>,
}

impl CreateOnly {
    pub fn embedded() -> CreateOnly {
        let v: Value = serde_json::from_str(CREATE_ONLY).expect("create_only.json is valid");
        let mut types = BTreeMap::new();
        for (t, list) in v["types"].as_object().expect("types object") {
            let pointers = list
                .as_array()
                .expect("a list of pointers")
                .iter()
                .filter_map(Value::as_str)
                .filter_map(|p| p.strip_prefix("/properties/"))
                .map(|p| p.split('/').map(str::to_string).collect())
                .collect();
            types.insert(t.clone(), pointers);
        }
        CreateOnly {
            cfn_lint_version: v["cfn_lint_version"].as_str().unwrap_or("").to_string(),
            types,
        }
    }

    /// Whether a change at `path` (segments under `Properties`) of a
    /// resource of type `ty` replaces it: the path lies inside a
    /// create-only property, or contains one (an object set or removed as
    /// a whole). `*` in a schema pointer matches any array index.
    pub fn replaces(&self, ty: &str, path: &[String]) -> bool {
        let Some(pointers) = self.types.get(ty) else {
            return false;
        };
        pointers
            .iter()
            .any(|p| p.iter().zip(path).all(|(a, b)| a == "*" || a == b))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Update,
    Replace,
    Delete,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    /// `Port`, `ContainerDefinitions/0/Image`.
    pub path: String,
    pub old: Option<Value>,
    pub new: Option<Value>,
    pub forces_replacement: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResourceChange {
    /// Logical ID (CloudFormation) or output file (ECS).
    pub resource: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub action: Action,
    pub fields: Vec<FieldChange>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Summary {
    pub create: usize,
    pub update: usize,
    pub replace: usize,
    pub delete: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff {
    pub changes: Vec<ResourceChange>,
    pub summary: Summary,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// One resource: its type and the JSON compared field by field.
struct Resource {
    ty: String,
    body: Value,
    /// CloudFormation: the part under `Properties` is where create-only
    /// pointers apply.
    cfn: bool,
}

/// Resources of a build: every template's `Resources` by logical ID (so
/// builds of stacks with different names, or split differently, still
/// match resource for resource; an ID found in two templates of one build is
/// prefixed with its file), and every other artifact as one resource named by
/// its path.
fn resources(artifacts: &[Artifact]) -> BTreeMap<String, Resource> {
    let mut templated = Vec::new();
    let mut out = BTreeMap::new();
    for a in artifacts {
        if let Some(res) = template_resources(a) {
            templated.push((a.path.as_str(), res));
            continue;
        }
        let body =
            serde_json::from_str(&a.contents).unwrap_or_else(|_| Value::String(a.contents.clone()));
        let ty = a
            .path
            .rsplit_once('/')
            .map_or("file", |(dir, _)| dir)
            .to_string();
        out.insert(
            a.path.clone(),
            Resource {
                ty,
                body,
                cfn: false,
            },
        );
    }
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (_, res) in &templated {
        for id in res.keys() {
            *seen.entry(id.as_str()).or_default() += 1;
        }
    }
    for (path, res) in &templated {
        for (id, r) in res {
            let key = if seen[id.as_str()] > 1 {
                format!("{path}:{id}")
            } else {
                id.clone()
            };
            let ty = r["Type"].as_str().unwrap_or("").to_string();
            out.insert(
                key,
                Resource {
                    ty,
                    body: r.clone(),
                    cfn: true,
                },
            );
        }
    }
    out
}

fn template_resources(a: &Artifact) -> Option<serde_json::Map<String, Value>> {
    let v: Value = serde_json::from_str(&a.contents).ok()?;
    v.get("AWSTemplateFormatVersion")?;
    v.get("Resources")?.as_object().cloned()
}

/// Leaf values of a JSON value by path; an empty object or array is a leaf.
fn flatten(v: &Value, path: &mut Vec<String>, out: &mut BTreeMap<Vec<String>, Value>) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, x) in m {
                path.push(k.clone());
                flatten(x, path, out);
                path.pop();
            }
        }
        Value::Array(a) if !a.is_empty() => {
            for (i, x) in a.iter().enumerate() {
                path.push(i.to_string());
                flatten(x, path, out);
                path.pop();
            }
        }
        leaf => {
            out.insert(path.clone(), leaf.clone());
        }
    }
}

/// Compares two builds' artifacts.
pub fn diff(old: &[Artifact], new: &[Artifact], create_only: &CreateOnly) -> Diff {
    let old = resources(old);
    let new = resources(new);
    let mut changes = Vec::new();
    let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
    keys.sort();
    keys.dedup();
    for key in keys {
        match (old.get(key), new.get(key)) {
            (Some(o), None) => changes.push(ResourceChange {
                resource: key.clone(),
                ty: o.ty.clone(),
                action: Action::Delete,
                fields: Vec::new(),
            }),
            (None, Some(n)) => changes.push(ResourceChange {
                resource: key.clone(),
                ty: n.ty.clone(),
                action: Action::Create,
                fields: Vec::new(),
            }),
            (Some(o), Some(n)) => {
                if o.body == n.body {
                    continue;
                }
                let (mut a, mut b) = (BTreeMap::new(), BTreeMap::new());
                flatten(&o.body, &mut Vec::new(), &mut a);
                flatten(&n.body, &mut Vec::new(), &mut b);
                let type_changed = o.ty != n.ty;
                let mut paths: Vec<&Vec<String>> = a.keys().chain(b.keys()).collect();
                paths.sort();
                paths.dedup();
                let mut fields = Vec::new();
                for p in paths {
                    let (x, y) = (a.get(p), b.get(p));
                    if x == y {
                        continue;
                    }
                    let forces = n.cfn
                        && (type_changed
                            || (p.first().map(String::as_str) == Some("Properties")
                                && create_only.replaces(&n.ty, &p[1..])));
                    let shown = if n.cfn && p.first().map(String::as_str) == Some("Properties") {
                        p[1..].join("/")
                    } else {
                        p.join("/")
                    };
                    fields.push(FieldChange {
                        path: shown,
                        old: x.cloned(),
                        new: y.cloned(),
                        forces_replacement: forces,
                    });
                }
                let action = if fields.iter().any(|f| f.forces_replacement) {
                    Action::Replace
                } else {
                    Action::Update
                };
                changes.push(ResourceChange {
                    resource: key.clone(),
                    ty: n.ty.clone(),
                    action,
                    fields,
                });
            }
            (None, None) => {}
        }
    }
    let mut summary = Summary::default();
    for c in &changes {
        match c.action {
            Action::Create => summary.create += 1,
            Action::Update => summary.update += 1,
            Action::Replace => summary.replace += 1,
            Action::Delete => summary.delete += 1,
        }
    }
    Diff { changes, summary }
}

fn show(v: &Option<Value>) -> String {
    match v {
        None => "(absent)".to_string(),
        Some(v) => v.to_string(),
    }
}

/// The diff as text for people, in the manner of `terraform plan`.
pub fn render_human(d: &Diff) -> String {
    let mut out = String::new();
    if d.is_empty() {
        out.push_str("No changes.\n");
        return out;
    }
    for c in &d.changes {
        let (sign, what) = match c.action {
            Action::Create => ("+", "will be created"),
            Action::Update => ("~", "will be updated in place"),
            Action::Replace => ("-/+", "must be REPLACED"),
            Action::Delete => ("-", "will be destroyed"),
        };
        let _ = writeln!(out, "{sign:>3} {} ({}) {what}", c.resource, c.ty);
        for f in &c.fields {
            let tail = if f.forces_replacement {
                " # forces replacement"
            } else {
                ""
            };
            let line = match (&f.old, &f.new) {
                (None, Some(n)) => format!("      + {}: {n}", f.path),
                (Some(o), None) => format!("      - {}: {o}", f.path),
                _ => format!("      ~ {}: {} -> {}", f.path, show(&f.old), show(&f.new)),
            };
            let _ = writeln!(out, "{line}{tail}");
        }
    }
    let s = &d.summary;
    let _ = writeln!(
        out,
        "\nPlan: {} to add, {} to change, {} to replace, {} to destroy.",
        s.create, s.update, s.replace, s.delete
    );
    if s.replace > 0 {
        let _ = writeln!(
            out,
            "Warning: {} resource(s) will be replaced (deleted and created anew): a create-only property changed.",
            s.replace
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Vec<String> {
        s.split('/').map(str::to_string).collect()
    }

    #[test]
    fn create_only_properties_come_from_the_schemas() {
        let c = CreateOnly::embedded();
        assert!(c.replaces("AWS::ElasticLoadBalancingV2::TargetGroup", &p("Port")));
        assert!(c.replaces("AWS::ElasticLoadBalancingV2::LoadBalancer", &p("Scheme")));
        assert!(c.replaces("AWS::ECS::TaskDefinition", &p("Family")));
        assert!(c.replaces(
            "AWS::ECS::TaskDefinition",
            &p("ContainerDefinitions/0/Image")
        ));
        assert!(!c.replaces("AWS::ECS::Service", &p("DesiredCount")));
        assert!(!c.replaces("AWS::Unknown::Thing", &p("Port")));
    }
}
