//! Every message the checker can produce, one constructor each, so wording
//! stays consistent: lowercase, no final period, names in backticks, the
//! label says what is at the span, the help says what to do.

pub mod job;
pub mod limit;
pub mod platform;
pub mod rule;

use super::vocabulary::{self, Kind};
use crate::ast::{Expr, Statement};
use crate::diag::{closest, Code, Diagnostic, Span};
use crate::ir::InputType;

fn did_you_mean(name: &str, candidates: &[&str]) -> Option<String> {
    closest(name, candidates.iter().copied()).map(|c| format!("did you mean `{c}`?"))
}

/// Words as a comma-separated list in backticks, broken into lines of
/// about 90 columns so a long vocabulary stays readable.
fn list(words: &[&str]) -> String {
    let mut out = String::new();
    let mut line = 0;
    for (i, w) in words.iter().enumerate() {
        let item = format!("`{w}`");
        if i > 0 {
            if line + item.len() + 2 > 90 {
                out.push_str(",\n");
                line = 0;
            } else {
                out.push_str(", ");
                line += 2;
            }
        }
        line += item.len();
        out.push_str(&item);
    }
    out
}

// ----- statements and words -------------------------------------------------

/// A statement the block does not take: "did you mean" the property with
/// the closest name, or the one filling the closest ECS member (`enviroment`
/// for `env`, which fills `environment`); else the block's properties, a
/// short list of them when there are many.
pub fn unknown_property(head: &str, block: &vocabulary::Block, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::UnknownDirective,
        format!("unknown property `{head}` {}", block.place),
        span,
        "not known here",
    )
    .with_help(property_help(head, block))
}

/// Up to this many properties, the help lists them all; beyond, a few.
const LISTED: usize = 12;
/// How many properties a short list shows.
const SHORT_LIST: usize = 8;

fn property_help(head: &str, block: &vocabulary::Block) -> String {
    let names = block.names();
    if let Some(d) = did_you_mean(head, &names) {
        return d;
    }
    let members: Vec<(&str, &str)> = block
        .properties()
        .filter(|p| !p.ecs.is_empty())
        .map(|p| (p.ecs, p.name))
        .collect();
    if let Some(m) = closest(head, members.iter().map(|(m, _)| *m)) {
        let name = members.iter().find(|(e, _)| *e == m).map_or(m, |(_, n)| n);
        return format!("did you mean `{name}`? (it becomes ECS's `{m}`)");
    }
    if names.len() <= LISTED {
        return format!("allowed here: {}", list(&names));
    }
    // Properties sharing a word with the unknown one (`timeout`:
    // `stop_timeout`, `start_timeout`), else the first ones of the block.
    let words: Vec<&str> = head.split('_').filter(|w| w.len() >= 3).collect();
    let related: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| n.split('_').any(|part| words.contains(&part)))
        .take(SHORT_LIST)
        .collect();
    let shown = if related.is_empty() {
        &names[..SHORT_LIST]
    } else {
        &related[..]
    };
    format!(
        "allowed here: {}, and {} more\nlisted in docs/language.md under `{}`",
        list(shown),
        names.len() - shown.len(),
        block.section
    )
}

pub fn unknown_statement(head: &str, place: &str, known: &[&str], span: Span) -> Diagnostic {
    let help = match did_you_mean(head, known) {
        Some(d) => d,
        None => format!("allowed here: {}", list(known)),
    };
    Diagnostic::error(
        Code::UnknownDirective,
        format!("unknown property `{head}` {place}"),
        span,
        "not known here",
    )
    .with_help(help)
}

pub fn unexpected_word(head: &str, word: &Expr, known: &[&str]) -> Diagnostic {
    let (message, help) = match word.as_ident() {
        Some(id) => (
            format!("`{head}` does not take `{}`", id.name),
            did_you_mean(&id.name, known).unwrap_or_else(|| {
                if known.is_empty() {
                    format!("`{head}` takes no further words here")
                } else {
                    format!("`{head}` knows {}", list(known))
                }
            }),
        ),
        None => (
            format!("`{head}` has a value too many"),
            "remove it, or put it after the keyword it belongs to".to_string(),
        ),
    };
    Diagnostic::error(Code::UnknownArgument, message, word.span, "unexpected here").with_help(help)
}

pub fn keyword_without_value(word: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::ArgumentCount,
        format!("`{word}` needs a value"),
        span,
        "no value follows",
    )
    .with_help(format!("write a value after `{word}`"))
}

pub fn missing_word(head: &str, what: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::ArgumentCount,
        format!("`{head}` needs {what}"),
        span,
        format!("{what} missing"),
    )
    .with_help(format!("add {what} to this `{head}`"))
}

/// `cpu = 256` where the property takes words: `cpu 256`.
pub fn value_after_equals(head: &str, what: &str, span: Span, value: &Expr) -> Diagnostic {
    Diagnostic::error(
        Code::ArgumentCount,
        format!("`{head}` needs {what}, written without `=`"),
        span,
        format!("`{head}` takes words, not `= value`"),
    )
    .with_help(format!(
        "write `{head} {}`: only named entries such as `env NAME = value` use `=`",
        as_written(value)
    ))
}

/// A value as the user wrote it, for a help line: numbers and names are
/// shown, strings are not (one may hold a secret).
fn as_written(e: &Expr) -> String {
    use crate::ast::ExprKind;
    match &e.kind {
        ExprKind::Quantity(q) => format!("{}{}", q.number, q.unit),
        ExprKind::Path(p) => p.dotted(),
        ExprKind::Str(_) => "\"...\"".to_string(),
        _ => "...".to_string(),
    }
}

pub fn missing_value(head: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::MissingProperty,
        format!("`{head}` needs `= value`"),
        span,
        "no value",
    )
    .with_help(format!("write `{head} NAME = \"value\"`"))
}

/// `env NAME "value"`: a value written without `=`.
pub fn missing_equals(head: &str, value_span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::MissingProperty,
        format!("`{head}` needs `=` before its value"),
        value_span,
        "value without `=`",
    )
    .with_help(format!("write `{head} NAME = value`"))
}

pub fn argument_count(callee: &str, expected: usize, found: usize, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::ArgumentCount,
        format!("`{callee}` takes {expected} positional argument, found {found}"),
        span,
        "in this call",
    )
    .with_help(format!(
        "pass the reference as the first argument of `{callee}(...)`; options go as `name: value`"
    ))
}

pub fn unknown_named_argument(
    callee: &str,
    name: &str,
    allowed: &[&str],
    span: Span,
) -> Diagnostic {
    let help = did_you_mean(name, allowed)
        .unwrap_or_else(|| format!("`{callee}` takes {}", list(allowed)));
    Diagnostic::error(
        Code::UnknownArgument,
        format!("`{callee}` has no option `{name}`"),
        span,
        "unknown option",
    )
    .with_help(help)
}

pub fn duplicate_property(head: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::DuplicateProperty,
        format!("`{head}` is set twice"),
        span,
        "second setting",
    )
    .with_help("keep one of them")
}

/// `stmt` is the declaration that lacks the property; the span is its head
/// and name (`container app`), not the whole block.
pub fn missing_property(noun: &str, name: &str, property: &str, stmt: &Statement) -> Diagnostic {
    let span = stmt
        .words
        .first()
        .map_or(stmt.head.span, |w| stmt.head.span.to(w.span));
    Diagnostic::error(
        Code::MissingProperty,
        format!("{noun} `{name}` has no `{property}`"),
        span,
        format!("`{property}` is required here"),
    )
    .with_help(format!("add `{property} ...` to the block"))
}

// ----- names ----------------------------------------------------------------

pub fn duplicate(noun: &str, name: &str, span: Span, previous: Span) -> Diagnostic {
    Diagnostic::error(
        Code::DuplicateName,
        format!("{noun} `{name}` is declared twice"),
        span,
        "declared again here",
    )
    .with_label(previous, "first declared here")
    .with_help(format!("rename one of the two {noun}s"))
}

pub fn unknown_reference(kind: Kind, name: &str, candidates: &[&str], span: Span) -> Diagnostic {
    let code = match kind {
        Kind::Task => Code::UnknownTask,
        Kind::Cluster => Code::UnknownCluster,
        Kind::LoadBalancer => Code::UnknownLoadBalancer,
        Kind::Service => Code::UnknownService,
        // Nothing refers to a schedule by name; a job is what schedules name.
        Kind::Job | Kind::Schedule => Code::UnknownJob,
        Kind::Network => Code::UnknownNetwork,
    };
    let noun = kind.noun();
    let help = match did_you_mean(name, candidates) {
        Some(d) => format!("declare it, or {d}"),
        None if candidates.is_empty() => format!("declare a {noun} named `{name}`"),
        None => format!("declare it; known {noun}s: {}", list(candidates)),
    };
    Diagnostic::error(
        code,
        format!("unknown {noun} `{name}`"),
        span,
        format!("no {noun} of this name"),
    )
    .with_help(help)
}

pub fn unknown_container(name: &str, task: &str, candidates: &[&str], span: Span) -> Diagnostic {
    let help = match did_you_mean(name, candidates) {
        Some(d) => d,
        None => format!("containers of `{task}`: {}", list(candidates)),
    };
    Diagnostic::error(
        Code::UnknownContainer,
        format!("unknown container `{name}`"),
        span,
        format!("not a container of task `{task}`"),
    )
    .with_help(help)
}

pub fn unknown_volume(name: &str, candidates: &[&str], span: Span) -> Diagnostic {
    let help = match did_you_mean(name, candidates) {
        Some(d) => d,
        None => format!(
            "declare it in the task: `volume {name} efs \"fs-...\"` or `volume {name} bind`"
        ),
    };
    Diagnostic::error(
        Code::UnknownVolume,
        format!("unknown volume `{name}`"),
        span,
        "no volume of this name in the task",
    )
    .with_help(help)
}

/// `bare` is true for a name written as a value (`image nginx`), which is
/// most often text with its quotes forgotten; false inside `${...}`.
pub fn unknown_value(name: &str, candidates: &[&str], span: Span, bare: bool) -> Diagnostic {
    let help = match did_you_mean(name, candidates) {
        Some(d) => d,
        None if bare => format!(
            "if it is text, quote it: `\"{name}\"`; else declare it with `let {name} = ...`"
        ),
        None => format!("declare it with `let {name} = ...` or `input {name}: string`"),
    };
    Diagnostic::error(
        Code::UnknownValue,
        format!("unknown constant or input `{name}`"),
        span,
        "not declared",
    )
    .with_help(help)
}

pub fn unknown_environment(name: &str, known: &[&str], span: Span) -> Diagnostic {
    let help = match did_you_mean(name, known) {
        Some(d) => d,
        None if known.is_empty() => {
            format!("declare it: `environment {name} {{ service api {{ count 2 }} }}`")
        }
        None => format!("environments of this program: {}", list(known)),
    };
    Diagnostic::error(
        Code::UnknownEnvironment,
        format!("`--env {name}` is not an environment of this program"),
        span,
        "no such environment",
    )
    .with_help(help)
}

pub fn unknown_cli_input(name: &str, inputs: &[&str], span: Span) -> Diagnostic {
    let help = match did_you_mean(name, inputs) {
        Some(d) => d,
        None => format!("declare it with `input {name}: string` or remove `--input {name}=...`"),
    };
    Diagnostic::error(
        Code::UnknownInput,
        format!("`--input {name}` is not an input of this program"),
        span,
        "this program declares no such input",
    )
    .with_help(help)
}

pub fn missing_input(name: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::MissingInput,
        format!("input `{name}` has no value"),
        span,
        "no default here",
    )
    .with_help(format!(
        "pass `--input {name}=...`, set the environment variable `{name}`, or give a default"
    ))
}

pub fn invalid_input_value(name: &str, ty: InputType, value: &str, span: Span) -> Diagnostic {
    let expected = match ty {
        InputType::String => "a string",
        InputType::Int => "a whole number",
        InputType::Bool => "`true` or `false`",
        InputType::VpcId => "a VPC ID (`vpc-...`)",
        InputType::SubnetIds => "comma-separated subnet IDs (`subnet-...`)",
        InputType::SecurityGroupIds => "comma-separated security group IDs (`sg-...`)",
    };
    Diagnostic::error(
        Code::InvalidInputValue,
        format!(
            "input `{name}` is {}, which is not {expected}",
            shown(value)
        ),
        span,
        "input declared here",
    )
    .with_help(format!("give `{name}` {expected}"))
}

pub fn malformed_let(span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::ArgumentCount,
        "`let` needs one name and a value",
        span,
        "not `let NAME = value`",
    )
    .with_help("write `let name = value`")
}

pub fn malformed_input(span: Span) -> Diagnostic {
    Diagnostic::error(Code::ArgumentCount, "`input` needs a name and a type", span, "not `input NAME: type`")
        .with_help("write `input NAME: string = \"default\"` (types: string, int, bool, vpc_id, subnets, security_groups)")
}

// ----- templates ------------------------------------------------------------

pub fn malformed_param(span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::TemplateArgument,
        "`param` needs a name and a type",
        span,
        "not `param NAME: TYPE`",
    )
    .with_help(format!(
        "write `param port: port = 8080`; types: {}",
        list(super::vocabulary::PARAM_TYPES)
    ))
}

pub fn unknown_template(name: &str, known: &[&str], span: Span) -> Diagnostic {
    let help = match did_you_mean(name, known) {
        Some(d) => d,
        None if known.is_empty() => format!("declare it with `template {name} {{ ... }}`"),
        None => format!("known templates: {}", list(known)),
    };
    Diagnostic::error(
        Code::UnknownTemplate,
        format!("unknown template `{name}`"),
        span,
        "no template of this name",
    )
    .with_help(help)
}

pub fn template_recursion(name: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::TemplateRecursion,
        format!("template `{name}` uses itself"),
        span,
        "used again here",
    )
    .with_help("a template may use other templates, but not itself, directly or through another")
}

pub fn template_too_large(name: &str, depth: usize, size: usize, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::TemplateTooLarge,
        format!("using template `{name}` here goes past the bounds of template expansion"),
        span,
        "expanded here",
    )
    .with_help(format!("templates may nest {depth} `use`s deep and produce {size} statements in all: check for templates that use others several times at every level"))
}

pub fn unknown_template_argument(
    template: &str,
    name: &str,
    known: &[&str],
    span: Span,
) -> Diagnostic {
    let help = match did_you_mean(name, known) {
        Some(d) => d,
        None if known.is_empty() => format!("`{template}` takes no more arguments"),
        None => format!("`{template}` takes {}", list(known)),
    };
    Diagnostic::error(
        Code::TemplateArgument,
        format!("`{template}` has no parameter `{name}`"),
        span,
        "unknown argument",
    )
    .with_help(help)
}

pub fn missing_template_argument(
    template: &str,
    param: &str,
    span: Span,
    param_span: Span,
) -> Diagnostic {
    Diagnostic::error(
        Code::TemplateArgument,
        format!("`{template}` needs `{param}`"),
        span,
        format!("`{param}` not given"),
    )
    .with_label(param_span, "parameter declared here without a default")
    .with_help(format!("pass `{param}: ...`"))
}

// ----- values ---------------------------------------------------------------

pub fn type_mismatch(expected: &str, found: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::TypeMismatch,
        format!("expected {expected}, found {found}"),
        span,
        format!("this is {found}"),
    )
    .with_help(format!("write {expected} here"))
}

pub fn input_not_measure(name: &str, what: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::TypeMismatch,
        format!("input `{name}` cannot be used as {what}"),
        span,
        "a plain input here",
    )
    .with_help(format!(
        "declare `{name}` as `int`, or write {what} with its unit"
    ))
}

pub fn missing_unit(what: &str, units: &[&str], example: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::UnknownUnit,
        format!("{what} needs a unit"),
        span,
        "number without unit",
    )
    .with_help(format!("write `{example}`; units: {}", list(units)))
}

pub fn unknown_unit(unit: &str, what: &str, units: &[&str], span: Span) -> Diagnostic {
    let help = match did_you_mean(unit, units) {
        Some(d) => d,
        None => format!("{what} takes {}", list(units)),
    };
    Diagnostic::error(
        Code::UnknownUnit,
        format!("unknown unit `{unit}` for {what}"),
        span,
        "unit not known here",
    )
    .with_help(help)
}

/// `value` is the amount in the unit `what` names (CPU units, MiB, ...).
pub fn not_whole(what: &str, value: f64, span: Span) -> Diagnostic {
    if value < 0.0 {
        return Diagnostic::error(
            Code::TypeMismatch,
            format!("expected {what}, found a negative number"),
            span,
            "negative",
        )
        .with_help("write a value of 0 or more");
    }
    if value > f64::from(i32::MAX) {
        return Diagnostic::error(
            Code::OutOfRange,
            format!("expected {what}, found a number too large to use"),
            span,
            "too large",
        )
        .with_help(
            "AWS stores whole numbers as 32-bit integers: at most 2147483647 (in the field's unit)",
        );
    }
    let help = if what.contains("duration") {
        "ECS takes whole seconds: write `2s` rather than `1.5s`, `2000ms` rather than `1500ms`"
    } else if what.contains("percentage") {
        "write a whole percentage, such as `75%`"
    } else {
        "write a value that comes to a whole amount, such as 0.25vcpu (256 units) or 0.5GiB (512MiB)"
    };
    Diagnostic::error(
        Code::TypeMismatch,
        format!(
            "expected {what}, found {}, which is not whole",
            (value * 1000.0).round() / 1000.0
        ),
        span,
        "not a whole amount",
    )
    .with_help(help)
}

pub fn not_finite(what: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::OutOfRange,
        format!("expected {what}, found a number too large to represent"),
        span,
        "too large",
    )
    .with_help("no AWS field takes a number of this size: write a realistic value")
}

pub fn out_of_range(what: &str, value: &str, range: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::OutOfRange,
        format!("{what} of {value} is out of range"),
        span,
        format!("must be {range}"),
    )
    .with_help(format!("use a value from {range}"))
}

pub fn invalid_choice(what: &str, word: &str, allowed: &[&str], span: Span) -> Diagnostic {
    let help = match did_you_mean(word, allowed) {
        Some(d) => d,
        None => format!("use one of {}", list(allowed)),
    };
    Diagnostic::error(
        Code::InvalidEnum,
        format!("{} is not {what}", shown(word)),
        span,
        format!("not {what}"),
    )
    .with_help(help)
}

pub fn recursive_constant(name: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::RecursiveConstant,
        format!("constant `{name}` is defined in terms of itself"),
        span,
        "this reference leads back here",
    )
    .with_help("give one of the constants in the cycle a literal value")
}

pub fn constant_chain_too_deep(name: &str, limit: usize, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::ConstantChainTooDeep,
        format!("constant `{name}` is built from a chain of more than {limit} constants"),
        span,
        "this value starts the chain",
    )
    .with_help(
        "write the value, or an inner part of it, directly instead of through so many constants",
    )
}

pub fn text_too_long(limit: usize, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::TextTooLong,
        format!("this string expands to more than {limit} bytes"),
        span,
        "too long once constants and inputs are substituted",
    )
    .with_help("an ECS task definition holds at most 64 KiB: check for a constant interpolated into itself many times over")
}

/// A value as a diagnostic may show it: in backticks, or a note that it is
/// not shown when it holds a credential or is too long to be a plain word
/// (it may come from `--input` or the environment, and end in CI logs).
pub fn shown(value: &str) -> String {
    let safe = value.len() <= 64
        && !value.chars().any(char::is_control)
        && !looks_like_a_key(value)
        && super::secrets::credential(None, value).is_none();
    if safe {
        format!("`{value}`")
    } else {
        "a value not shown here".to_string()
    }
}

/// A long word of upper and lower case letters and digits with no
/// structure, like an AWS secret access key or an API token: it may be a
/// secret given to the wrong input, so it is not echoed. ARNs, IDs
/// (`subnet-0a1b...`), image names and sentences are shown.
fn looks_like_a_key(value: &str) -> bool {
    let has = |f: fn(&char) -> bool| value.chars().any(|c| f(&c));
    value.len() >= 20
        && !value.starts_with("arn:")
        && !value.contains(char::is_whitespace)
        && has(char::is_ascii_uppercase)
        && has(char::is_ascii_lowercase)
        && has(char::is_ascii_digit)
}

pub fn credential_in_value(
    kind: super::secrets::Credential,
    name: Option<&str>,
    span: Span,
) -> Diagnostic {
    let whose = name.map_or(String::new(), |n| format!(" given to `{n}`"));
    Diagnostic::error(
        Code::CredentialInValue,
        format!("the value{whose} contains {}", kind.describe()),
        span,
        format!("{} (not shown)", kind.describe()),
    )
    .with_help("a credential must not be written into a task definition or template: keep it in Secrets Manager or SSM and use `secret NAME = secretsmanager(\"arn:...\")`; if it is a published example, add `not_secret` to this statement")
}

pub fn credential_in_name(kind: super::secrets::Credential, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::CredentialInValue,
        format!("a name here contains {}", kind.describe()),
        span,
        format!("{} (not shown)", kind.describe()),
    )
    .with_help("names are written into the task definition as they are: give the variable a plain name and keep the credential in Secrets Manager or SSM")
}

pub fn secret_input_resolved(input: &str, used: Span, secret: Span) -> Diagnostic {
    Diagnostic::error(
        Code::SecretInputInPlainText,
        format!("input `{input}` feeds a secret, and this use writes its value in plain text"),
        used,
        "the input's value is written here",
    )
    .with_label(secret, format!("`{input}` is a secret because of this"))
    .with_help("a name, path or ARN is written as its value by every target: use another input here, or keep the secret in Secrets Manager or SSM (`secret NAME = ...`)")
}

pub fn secret_input_default(input: &str, span: Span, secret: Span) -> Diagnostic {
    Diagnostic::error(
        Code::LiteralSecret,
        format!("input `{input}` feeds a secret but has a literal default"),
        span,
        "its default is written in the source",
    )
    .with_label(secret, format!("`{input}` is a secret because of this"))
    .with_help(format!("remove the default and give the value when building (`--input {input}=...` or the environment variable `{input}`), or keep it in Secrets Manager or SSM (`secret NAME = ...`)"))
}

pub fn bad_account(value: &str, span: Span) -> Diagnostic {
    let value = shown(value);
    Diagnostic::error(
        Code::InvalidFormat,
        format!("{value} is not an AWS account ID"),
        span,
        "expected 12 digits",
    )
    .with_help("write the account ID as a string of 12 digits, such as \"123456789012\"")
}

pub fn bad_cidr(value: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidFormat,
        format!("`{value}` is not a VPC CIDR block"),
        span,
        "expected a.b.c.d/16 to /28",
    )
    .with_help("write a CIDR such as \"10.0.0.0/16\"")
}

pub fn bad_ip_cidr(value: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidFormat,
        format!("`{value}` is not a CIDR block"),
        span,
        "expected an address and a prefix length",
    )
    .with_help("write an IPv4 block such as \"10.0.0.0/8\" (prefix 0 to 32) or an IPv6 one such as \"::/0\" (0 to 128)")
}

pub fn bad_role_arn(value: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidFormat,
        format!("`{value}` is not an IAM role ARN or role name"),
        span,
        "expected arn:aws:iam::ACCOUNT:role/NAME or a role name",
    )
    .with_help("give the role's full ARN or its name (up to 64 letters, digits and +=,.@_-), or leave the role out to have one generated")
}

pub fn bad_action(value: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidFormat,
        format!("`{value}` is not an IAM action"),
        span,
        "expected service:Action",
    )
    .with_help("write actions such as \"s3:GetObject\" or \"sqs:*\"")
}

pub fn bad_discovery_name(value: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidFormat,
        format!("`{value}` is not a service discovery name"),
        span,
        "expected name.namespace",
    )
    .with_help("write a DNS name such as \"orders.internal\": the service name, then the namespace")
}

// ----- conflicts and shapes --------------------------------------------------

pub fn network_both(name: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::ConflictingProperties,
        format!("network `{name}` has both `vpc` and `cidr`"),
        span,
        "existing or created?",
    )
    .with_help("use `vpc` and subnets for an existing VPC, or `cidr` to have the stack create one")
}

pub fn fargate_with_asg(span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::ConflictingProperties,
        "Fargate capacity has no auto scaling group",
        span,
        "Fargate provider",
    )
    .with_help("remove `asg ...`, or give the EC2 capacity provider its own name")
}

pub fn ec2_provider_without_asg(name: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::MissingProperty,
        format!("capacity provider `{name}` has no auto scaling group"),
        span,
        "EC2 capacity provider",
    )
    .with_help(format!(
        "write `capacity {name} asg \"arn:aws:autoscaling:...\"`, or use FARGATE / FARGATE_SPOT"
    ))
}

pub fn unlisted_not_ec2(span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::ConflictingProperties,
        "`unlisted` compatibility is EC2 alone",
        span,
        "`compat ... unlisted`",
    )
    .with_help(
        "ECS validates a task definition without requiresCompatibilities for EC2: write \
         `compat ec2 unlisted`, or list the compatibilities without `unlisted`",
    )
}

pub fn autoprovision_without_shared(span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::ConflictingProperties,
        "`autoprovision` on a Docker volume that is not `scope shared`",
        span,
        "this volume",
    )
    .with_help(
        "ECS creates a Docker volume that does not exist only for `scope shared` \
         (a task-scoped one is always created); add `scope shared` or remove `autoprovision`",
    )
}

pub fn launch_and_capacity(span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::ConflictingProperties,
        "a service has either `launch` or `capacity`, not both",
        span,
        "this service",
    )
    .with_help("keep `launch TYPE`, or the `capacity` strategy")
}

pub fn daemon_with_count(span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::ConflictingProperties,
        "a DAEMON service has no `count`",
        span,
        "count of a daemon",
    )
    .with_help("remove `count`: a daemon runs one task on each instance")
}

pub fn service_without_cluster(name: &str, span: Span, clusters: &[&str]) -> Diagnostic {
    let help = if clusters.is_empty() {
        "declare a `cluster` and place the service with `service NAME in CLUSTER`".to_string()
    } else {
        format!(
            "write `service {name} in CLUSTER`; clusters: {}",
            list(clusters)
        )
    };
    Diagnostic::error(
        Code::MissingProperty,
        format!("service `{name}` is in no cluster"),
        span,
        "which cluster?",
    )
    .with_help(help)
}

pub fn allow_without_resources(span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::MissingProperty,
        "`allow` needs the resources it applies to",
        span,
        "no `on [...]`",
    )
    .with_help("write `allow [\"s3:GetObject\"] on [\"arn:aws:s3:::bucket/*\"]`")
}

pub fn autoscale_without_target(span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::MissingProperty,
        "`autoscale` needs a target",
        span,
        "no metric to track",
    )
    .with_help("add `cpu 70%`, `memory 80%` or `requests 1000`")
}

pub fn secret_not_call(span: Span) -> Diagnostic {
    Diagnostic::error(Code::MalformedSecret, "a secret comes from `secretsmanager(...)` or `ssm(...)`", span, "not a secret source")
        .with_help("write `secret NAME = secretsmanager(\"arn:aws:secretsmanager:...\", key: \"field\")` or `ssm(\"/param/name\")`")
}

pub fn awslogs_option_elsewhere(driver: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::UnknownArgument,
        format!("`group`, `region` and `prefix` are awslogs settings, not {driver}"),
        span,
        "this log configuration",
    )
    .with_help("put driver options in the block: `logs fluentd { \"fluentd-address\" = \"...\" }`")
}

pub fn missing_region(span: Span) -> Diagnostic {
    Diagnostic::error(Code::AwslogsIncomplete, "awslogs needs a region and none is known", span, "awslogs here")
        .with_help("add `region \"us-east-1\"` at the top of the program, `region` to `logs awslogs`, or set AWS_REGION")
}
