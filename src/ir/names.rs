//! What AWS accepts as a name of each kind, in one table. The checker
//! applies it to every name of a program (whatever its source: literal,
//! `let`, input, environment override, template argument), and a backend
//! to every name it derives by joining others. A stack, cluster, service,
//! family or capacity provider name that passes is also a safe file name
//! (no `/`, no `.`, never empty), as the output files are named after them.
//!
//! Sources of the rules:
//! - ECS API reference, `CreateCluster` `clusterName`, `CreateService`
//!   `serviceName`, `RegisterTaskDefinition` `family`, `ContainerDefinition`
//!   `name`, `Volume` `name`: "Up to 255 letters (uppercase and lowercase),
//!   numbers, underscores, and hyphens are allowed."
//! - ECS API reference, `CreateCapacityProvider` `name`: the same, and the
//!   name cannot begin with `aws`, `ecs` or `fargate`.
//! - CloudFormation API reference, `CreateStack` `StackName`: alphanumeric
//!   characters and hyphens, starting with a letter, at most 128 characters.
//! - CloudWatch Logs API reference, `CreateLogGroup` `logGroupName`: 1 to
//!   512 of `a-z A-Z 0-9 _ - / . #`.
//! - Application Auto Scaling API reference, `PutScalingPolicy`
//!   `PolicyName`: 1 to 256 printable characters.

/// A kind of AWS name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    Stack,
    Cluster,
    Service,
    Family,
    Container,
    Volume,
    CapacityProvider,
    LogGroup,
    /// Application Auto Scaling policy: Wharf names it `<service>-<metric>`.
    ScalingPolicy,
}

/// The rule for one kind of name.
pub struct NameRule {
    pub kind: NameKind,
    /// How the name is called in messages: "stack", "log group", ...
    pub noun: &'static str,
    pub max_len: usize,
    /// Characters allowed besides ASCII letters and digits; [`PRINTABLE`]
    /// for any printable character.
    pub extra: &'static str,
    /// Must start with an ASCII letter.
    pub letter_first: bool,
    /// Prefixes AWS reserves (compared without regard to case).
    pub reserved_prefixes: &'static [&'static str],
    /// The characters, in words, for help lines.
    pub allowed: &'static str,
    /// Where the rule is written.
    pub reference: &'static str,
}

const ECS_NAME: &str = "letters, digits, `-` and `_`";

/// `extra` of a rule that allows any printable character.
pub const PRINTABLE: &str = "<printable>";

pub const RULES: &[NameRule] = &[
    NameRule {
        kind: NameKind::Stack,
        noun: "stack",
        max_len: 128,
        extra: "-",
        letter_first: true,
        reserved_prefixes: &[],
        allowed: "letters, digits and `-`, starting with a letter",
        reference: "CloudFormation API reference, CreateStack StackName",
    },
    NameRule {
        kind: NameKind::Cluster,
        noun: "cluster",
        max_len: 255,
        extra: "-_",
        letter_first: false,
        reserved_prefixes: &[],
        allowed: ECS_NAME,
        reference: "ECS API reference, CreateCluster clusterName",
    },
    NameRule {
        kind: NameKind::Service,
        noun: "service",
        max_len: 255,
        extra: "-_",
        letter_first: false,
        reserved_prefixes: &[],
        allowed: ECS_NAME,
        reference: "ECS API reference, CreateService serviceName",
    },
    NameRule {
        kind: NameKind::Family,
        noun: "task family",
        max_len: 255,
        extra: "-_",
        letter_first: false,
        reserved_prefixes: &[],
        allowed: ECS_NAME,
        reference: "ECS API reference, RegisterTaskDefinition family",
    },
    NameRule {
        kind: NameKind::Container,
        noun: "container",
        max_len: 255,
        extra: "-_",
        letter_first: false,
        reserved_prefixes: &[],
        allowed: ECS_NAME,
        reference: "ECS API reference, ContainerDefinition name",
    },
    NameRule {
        kind: NameKind::Volume,
        noun: "volume",
        max_len: 255,
        extra: "-_",
        letter_first: false,
        reserved_prefixes: &[],
        allowed: ECS_NAME,
        reference: "ECS API reference, Volume name",
    },
    NameRule {
        kind: NameKind::CapacityProvider,
        noun: "capacity provider",
        max_len: 255,
        extra: "-_",
        letter_first: false,
        reserved_prefixes: &["aws", "ecs", "fargate"],
        allowed: ECS_NAME,
        reference: "ECS API reference, CreateCapacityProvider name",
    },
    NameRule {
        kind: NameKind::LogGroup,
        noun: "log group",
        max_len: 512,
        extra: "-_/.#",
        letter_first: false,
        reserved_prefixes: &[],
        allowed: "letters, digits, `-`, `_`, `/`, `.` and `#`",
        reference: "CloudWatch Logs API reference, CreateLogGroup logGroupName",
    },
    NameRule {
        kind: NameKind::ScalingPolicy,
        noun: "scaling policy",
        max_len: 256,
        extra: PRINTABLE,
        letter_first: false,
        reserved_prefixes: &[],
        allowed: "printable characters",
        reference: "Application Auto Scaling API reference, PutScalingPolicy PolicyName",
    },
];

impl NameRule {
    fn allows(&self, c: char) -> bool {
        if self.extra == PRINTABLE {
            !c.is_control()
        } else {
            c.is_ascii_alphanumeric() || self.extra.contains(c)
        }
    }
}

/// What is wrong with a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameProblem {
    Empty,
    TooLong { len: usize, max: usize },
    BadChar(char),
    FirstNotLetter(char),
    Reserved(&'static str),
}

impl NameProblem {
    /// The problem in words, for a label.
    pub fn describe(&self) -> String {
        match self {
            NameProblem::Empty => "empty".into(),
            NameProblem::TooLong { len, max } => format!("{len} characters, at most {max}"),
            NameProblem::BadChar(c) => format!("`{}` is not allowed", c.escape_debug()),
            NameProblem::FirstNotLetter(c) => {
                format!("starts with `{}`, not a letter", c.escape_debug())
            }
            NameProblem::Reserved(p) => format!("begins with `{p}`, which AWS reserves"),
        }
    }
}

impl NameKind {
    pub fn rule(self) -> &'static NameRule {
        RULES
            .iter()
            .find(|r| r.kind == self)
            .expect("every kind has a rule")
    }

    /// Checks `name` against AWS's rule for this kind; the first problem.
    pub fn check(self, name: &str) -> Result<(), NameProblem> {
        let rule = self.rule();
        let Some(first) = name.chars().next() else {
            return Err(NameProblem::Empty);
        };
        if let Some(c) = name.chars().find(|c| !rule.allows(*c)) {
            return Err(NameProblem::BadChar(c));
        }
        if rule.letter_first && !first.is_ascii_alphabetic() {
            return Err(NameProblem::FirstNotLetter(first));
        }
        if name.len() > rule.max_len {
            return Err(NameProblem::TooLong {
                len: name.len(),
                max: rule.max_len,
            });
        }
        let lower = name.to_ascii_lowercase();
        if let Some(p) = rule
            .reserved_prefixes
            .iter()
            .find(|p| lower.starts_with(**p))
        {
            return Err(NameProblem::Reserved(p));
        }
        Ok(())
    }

    /// A valid name of this kind made from `name`: each character AWS does
    /// not accept becomes `-`, a letter is put first if one is needed, and
    /// the result is cut to the length limit. Used only for names Wharf
    /// picks itself (the stack name taken from the file name).
    pub fn sanitize(self, name: &str) -> String {
        let rule = self.rule();
        let mut out: String = name
            .chars()
            .map(|c| if rule.allows(c) { c } else { '-' })
            .collect();
        if out.is_empty()
            || (rule.letter_first && !out.starts_with(|c: char| c.is_ascii_alphabetic()))
        {
            out.insert(0, 'w');
        }
        out.truncate(rule.max_len);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_aws_rules() {
        assert_eq!(NameKind::Stack.check("storefront-web"), Ok(()));
        assert_eq!(
            NameKind::Stack.check("../x"),
            Err(NameProblem::BadChar('.'))
        );
        assert_eq!(
            NameKind::Stack.check("1app"),
            Err(NameProblem::FirstNotLetter('1'))
        );
        assert_eq!(
            NameKind::Stack.check("my_app"),
            Err(NameProblem::BadChar('_'))
        );
        assert_eq!(NameKind::Service.check("my_app-2"), Ok(()));
        assert_eq!(NameKind::Service.check(""), Err(NameProblem::Empty));
        assert_eq!(
            NameKind::Cluster.check(&"a".repeat(256)),
            Err(NameProblem::TooLong { len: 256, max: 255 })
        );
        assert_eq!(
            NameKind::Family.check("/abs"),
            Err(NameProblem::BadChar('/'))
        );
        assert_eq!(NameKind::LogGroup.check("/ecs/web.v2#1"), Ok(()));
        assert_eq!(
            NameKind::LogGroup.check("/ecs/a b"),
            Err(NameProblem::BadChar(' '))
        );
        assert_eq!(
            NameKind::CapacityProvider.check("FargateMine"),
            Err(NameProblem::Reserved("fargate"))
        );
        assert_eq!(NameKind::ScalingPolicy.check("web svc/cpu"), Ok(()));
        assert_eq!(
            NameKind::ScalingPolicy.check(&format!("{}-requests", "s".repeat(255))),
            Err(NameProblem::TooLong { len: 264, max: 256 })
        );
    }

    #[test]
    fn sanitized_names_pass() {
        for raw in ["my_app", "1st", "", "..", &"x".repeat(300)] {
            let s = NameKind::Stack.sanitize(raw);
            assert_eq!(NameKind::Stack.check(&s), Ok(()), "{raw} -> {s}");
        }
        assert_eq!(NameKind::Stack.sanitize("my_app"), "my-app");
    }
}
