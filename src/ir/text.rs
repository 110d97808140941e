//! Strings that may contain typed inputs. The ECS and local backends
//! substitute the input's value; CloudFormation turns the input into a stack
//! parameter and the string into `Fn::Sub`.

use super::Input;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TextPart {
    Lit(String),
    /// Name of a string-typed [`Input`].
    Input(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Text {
    pub parts: Vec<TextPart>,
}

impl Text {
    pub fn lit(s: impl Into<String>) -> Text {
        Text {
            parts: vec![TextPart::Lit(s.into())],
        }
    }

    /// True when no input is involved.
    pub fn is_literal(&self) -> bool {
        self.parts.iter().all(|p| matches!(p, TextPart::Lit(_)))
    }

    /// The text with every input replaced by its value for this build.
    pub fn resolve(&self, inputs: &[Input]) -> String {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                TextPart::Lit(s) => out.push_str(s),
                TextPart::Input(name) => {
                    let input = inputs
                        .iter()
                        .find(|i| &i.name == name)
                        .expect("checked: input exists");
                    out.push_str(&input.value);
                }
            }
        }
        out
    }

    /// The literal text, if no input is involved.
    pub fn as_literal(&self) -> Option<String> {
        self.is_literal().then(|| {
            self.parts
                .iter()
                .map(|p| match p {
                    TextPart::Lit(s) => s.as_str(),
                    TextPart::Input(_) => "",
                })
                .collect()
        })
    }

    /// Names of the inputs used, in order of first use.
    pub fn inputs(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            TextPart::Input(n) => Some(n.as_str()),
            TextPart::Lit(_) => None,
        })
    }
}
