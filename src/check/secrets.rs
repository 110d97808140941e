//! Secret detection, in two parts, both pure functions of text:
//!
//! - [`credential`]: a value that *is* a credential, whatever it is called
//!   and wherever it appears (AWS access key IDs, AWS secret keys next to
//!   their name, PEM private keys, JWTs, URLs with a password, and the
//!   well-known token shapes of GitHub, GitLab, Slack, Stripe, Google, npm,
//!   SendGrid). The checker runs it over every string that reaches the IR.
//! - [`secret_name`] and [`plain_value`]: an environment variable whose
//!   name says it holds a secret (`DB_PASSWORD`, `DD_API_KEY`) and whose
//!   value does not look like something else (a boolean, a number, a URL
//!   without credentials, a path, an ARN, a placeholder, a mode word).
//!
//! Nothing here returns or formats the value: callers name the kind of
//! credential only, so no diagnostic can echo a secret.

/// A kind of credential found in a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    AwsAccessKeyId,
    AwsSecretKey,
    PrivateKey,
    Jwt,
    UrlPassword,
    GithubToken,
    GitlabToken,
    SlackToken,
    SlackWebhook,
    StripeKey,
    GoogleApiKey,
    NpmToken,
    SendgridKey,
}

impl Credential {
    /// In words, for a diagnostic ("an AWS access key ID").
    pub fn describe(self) -> &'static str {
        match self {
            Credential::AwsAccessKeyId => "an AWS access key ID",
            Credential::AwsSecretKey => "an AWS secret access key",
            Credential::PrivateKey => "a PEM private key",
            Credential::Jwt => "a JSON Web Token",
            Credential::UrlPassword => "a URL with a password",
            Credential::GithubToken => "a GitHub token",
            Credential::GitlabToken => "a GitLab token",
            Credential::SlackToken => "a Slack token",
            Credential::SlackWebhook => "a Slack webhook URL",
            Credential::StripeKey => "a Stripe secret key",
            Credential::GoogleApiKey => "a Google API key",
            Credential::NpmToken => "an npm token",
            Credential::SendgridKey => "a SendGrid API key",
        }
    }
}

fn alnum(c: u8) -> bool {
    c.is_ascii_alphanumeric()
}

fn upper_digit(c: u8) -> bool {
    c.is_ascii_uppercase() || c.is_ascii_digit()
}

fn b64url(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-' || c == b'_'
}

/// Length of the run of `class` characters at `at`.
fn run(b: &[u8], at: usize, class: impl Fn(u8) -> bool) -> usize {
    b[at.min(b.len())..]
        .iter()
        .take_while(|&&c| class(c))
        .count()
}

/// True when no `class` character touches `at` from the left.
fn starts_word(b: &[u8], at: usize, class: impl Fn(u8) -> bool) -> bool {
    at == 0 || !class(b[at - 1])
}

/// Token shapes `PREFIX` + at least `min` characters of a class.
const PREFIXED: &[(&str, usize, Credential)] = &[
    ("ghp_", 36, Credential::GithubToken),
    ("gho_", 36, Credential::GithubToken),
    ("ghu_", 36, Credential::GithubToken),
    ("ghs_", 36, Credential::GithubToken),
    ("ghr_", 36, Credential::GithubToken),
    ("github_pat_", 22, Credential::GithubToken),
    ("glpat-", 20, Credential::GitlabToken),
    ("xoxb-", 10, Credential::SlackToken),
    ("xoxp-", 10, Credential::SlackToken),
    ("xoxa-", 10, Credential::SlackToken),
    ("xoxr-", 10, Credential::SlackToken),
    ("xoxs-", 10, Credential::SlackToken),
    ("xoxe-", 10, Credential::SlackToken),
    ("sk_live_", 16, Credential::StripeKey),
    ("rk_live_", 16, Credential::StripeKey),
    ("sk_test_", 16, Credential::StripeKey),
    ("AIza", 35, Credential::GoogleApiKey),
    ("npm_", 36, Credential::NpmToken),
];

/// The first two bytes of every token shape of `credential` (`AKIA`,
/// `ASIA`, `eyJ`, `SG.` and the `PREFIXED` prefixes), indexed by
/// `first << 8 | second`: most places in a value start none of them, and one
/// look-up skips them.
static TOKEN_START: [bool; 1 << 16] = {
    let mut t = [false; 1 << 16];
    let fixed: [&str; 4] = ["AKIA", "ASIA", "eyJ", "SG."];
    let mut i = 0;
    while i < fixed.len() {
        let p = fixed[i].as_bytes();
        t[(p[0] as usize) << 8 | p[1] as usize] = true;
        i += 1;
    }
    let mut i = 0;
    while i < PREFIXED.len() {
        let p = PREFIXED[i].0.as_bytes();
        t[(p[0] as usize) << 8 | p[1] as usize] = true;
        i += 1;
    }
    t
};

/// The first credential in `value`, if any. `name` is the variable or
/// option the value is given to, which an AWS secret key needs as context
/// (40 base64 characters are otherwise too common to call a secret).
pub fn credential(name: Option<&str>, value: &str) -> Option<Credential> {
    let b = value.as_bytes();
    if value.contains("-----BEGIN") && value.contains("PRIVATE KEY") {
        return Some(Credential::PrivateKey);
    }
    if value.contains("hooks.slack.com/services/T") {
        return Some(Credential::SlackWebhook);
    }
    if url_password(value) {
        return Some(Credential::UrlPassword);
    }
    for i in 0..b.len().saturating_sub(1) {
        // Most places start no token shape: one table look-up skips them
        // (every shape is longer than two bytes).
        if !TOKEN_START[(b[i] as usize) << 8 | b[i + 1] as usize] {
            continue;
        }
        let rest = &b[i..];
        // AKIA (long-term) / ASIA (temporary) + 16 upper-case letters or digits.
        if (rest.starts_with(b"AKIA") || rest.starts_with(b"ASIA"))
            && starts_word(b, i, upper_digit)
            && run(b, i + 4, upper_digit) == 16
        {
            return Some(Credential::AwsAccessKeyId);
        }
        if rest.starts_with(b"eyJ") && starts_word(b, i, b64url) && jwt(b, i) {
            return Some(Credential::Jwt);
        }
        if rest.starts_with(b"SG.") && starts_word(b, i, b64url) && run(b, i + 3, b64url) >= 16 {
            let second = i + 3 + run(b, i + 3, b64url);
            if b.get(second) == Some(&b'.') && run(b, second + 1, b64url) >= 30 {
                return Some(Credential::SendgridKey);
            }
        }
        for &(prefix, min, kind) in PREFIXED {
            if rest.starts_with(prefix.as_bytes())
                && starts_word(b, i, alnum)
                && run(b, i + prefix.len(), |c| b64url(c) || c == b'-') >= min
            {
                return Some(kind);
            }
        }
    }
    if aws_secret_key(name, value) {
        return Some(Credential::AwsSecretKey);
    }
    None
}

/// `eyJ...` header, `.`, payload, `.`, signature: base64url segments.
fn jwt(b: &[u8], at: usize) -> bool {
    let header = run(b, at, b64url);
    if header < 10 || b.get(at + header) != Some(&b'.') {
        return false;
    }
    let p = at + header + 1;
    let payload = run(b, p, b64url);
    payload >= 10 && b.get(p + payload) == Some(&b'.')
}

/// `scheme://user:password@host`, with a password that is not a
/// placeholder (`${...}`, `<...>`, `$VAR`, `***`).
fn url_password(value: &str) -> bool {
    let mut rest = value;
    while let Some(at) = rest.find("://") {
        let after = &rest[at + 3..];
        let authority_end = after
            .find(|c: char| matches!(c, '/' | '?' | '#') || c.is_whitespace())
            .unwrap_or(after.len());
        let authority = &after[..authority_end];
        if let Some(userinfo) = authority.rfind('@').map(|i| &authority[..i]) {
            if let Some((_, password)) = userinfo.split_once(':') {
                if !password.is_empty() && !placeholder(password) {
                    return true;
                }
            }
        }
        rest = after;
    }
    false
}

/// A 40-character base64 string with upper case, lower case and a digit,
/// given to something named like an AWS secret key, or written after one
/// (`aws_secret_access_key=...`).
fn aws_secret_key(name: Option<&str>, value: &str) -> bool {
    let named = |n: &str| {
        let n = n.to_ascii_lowercase().replace(['-', '.'], "_");
        n.contains("secret_access_key") || n.contains("secretaccesskey") || n.contains("aws_secret")
    };
    let context = name.is_some_and(named) || named(value);
    if !context {
        return false;
    }
    let b = value.as_bytes();
    let key = |c: u8| c.is_ascii_alphanumeric() || c == b'/' || c == b'+';
    let mut i = 0;
    while i < b.len() {
        let n = run(b, i, key);
        if n == 40 {
            let s = &b[i..i + 40];
            if s.iter().any(u8::is_ascii_uppercase)
                && s.iter().any(u8::is_ascii_lowercase)
                && s.iter().any(u8::is_ascii_digit)
            {
                return true;
            }
        }
        i += n.max(1);
    }
    false
}

/// Name segments that say the value is secret on their own.
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "SECRET",
    "SECRETS",
    "TOKEN",
    "CREDENTIAL",
    "CREDENTIALS",
    "APIKEY",
    "PRIVATEKEY",
    "ACCESSKEY",
    "SECRETKEY",
];

/// Segments that make `KEY` after them a secret (`API_KEY`, `LICENSE_KEY`);
/// `KEY` alone (`SORT_KEY`, `PARTITION_KEY`) is not.
const KEY_QUALIFIERS: &[&str] = &[
    "API",
    "SECRET",
    "ACCESS",
    "PRIVATE",
    "ENCRYPTION",
    "SIGNING",
    "MASTER",
    "LICENSE",
    "CLIENT",
    "APP",
    "AUTH",
    "SESSION",
    "INGEST",
    "HEC",
];

/// A last segment that says the value is *about* a secret, not the secret:
/// `TOKEN_ENDPOINT`, `PASSWORD_FILE`, `SECRET_ARN`, `API_KEY_ID`.
const NOT_THE_SECRET: &[&str] = &[
    "URL",
    "URI",
    "ENDPOINT",
    "HOST",
    "PORT",
    "PATH",
    "FILE",
    "DIR",
    "ARN",
    "ID",
    "NAME",
    "TYPE",
    "TTL",
    "TIMEOUT",
    "EXPIRY",
    "EXPIRATION",
    "LENGTH",
    "HEADER",
    "FIELD",
    "REGION",
    "ENABLED",
    "DISABLED",
    "MODE",
    "METHOD",
    "ALGORITHM",
    "POLICY",
    "VERSION",
    "LIFETIME",
    "REFRESH",
    "ROTATION",
    "PREFIX",
    "SUFFIX",
    "FORMAT",
    "PARAMETER",
    "PARAM",
];

/// The segments of a name: split at anything not a letter or digit and at
/// lower-to-upper case changes (`dbPassword` is `DB`, `PASSWORD`).
fn segments(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_uppercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// True when a variable's name says it holds a secret.
pub fn secret_name(name: &str) -> bool {
    let segs = segments(name);
    if segs
        .last()
        .is_some_and(|l| NOT_THE_SECRET.contains(&l.as_str()))
    {
        return false;
    }
    segs.iter().enumerate().any(|(i, s)| {
        SECRET_WORDS.contains(&s.as_str())
            || (s == "KEY" && i > 0 && KEY_QUALIFIERS.contains(&segs[i - 1].as_str()))
    })
}

/// Words that configure how a secret is used rather than being one.
const MODE_WORDS: &[&str] = &[
    "none",
    "required",
    "optional",
    "basic",
    "bearer",
    "digest",
    "plain",
    "md5",
    "sha256",
    "scram-sha-256",
    "trust",
    "peer",
    "ldap",
    "jwt",
    "oauth",
    "oauth2",
    "oidc",
    "saml",
    "auto",
    "default",
    "strict",
    "lax",
    "header",
    "cookie",
    "query",
    "env",
    "file",
    "vault",
    "kms",
    "ssm",
];

/// True when a value plainly is something other than a secret: empty, a
/// boolean, a number, a URL without a password, a path, an ARN or secret
/// reference, a placeholder, or a mode word. Used with [`secret_name`]; a
/// credential shape is refused whatever this says.
pub fn plain_value(value: &str) -> bool {
    let v = value.trim();
    let lower = v.to_ascii_lowercase();
    v.is_empty()
        || matches!(
            lower.as_str(),
            "yes" | "no" | "true" | "false" | "on" | "off" | "enabled" | "disabled" | "y" | "n"
        )
        || v.parse::<f64>().is_ok()
        || (v.contains("://") && !url_password(v) && !v.contains(char::is_whitespace))
        || ((v.starts_with('/')
            || v.starts_with("./")
            || v.starts_with("../")
            || v.starts_with("~/"))
            && !v.contains(char::is_whitespace))
        || lower.starts_with("arn:")
        || placeholder(v)
        || MODE_WORDS.contains(&lower.as_str())
}

/// `<YOUR_API_KEY>`, `{{token}}`, `${TOKEN}`, `$TOKEN`, `***`, `xxxx`: text
/// that stands for a value to fill in.
fn placeholder(v: &str) -> bool {
    let wrapped = |open: &str, close: &str| {
        v.starts_with(open) && v.ends_with(close) && v.len() > open.len() + close.len()
    };
    wrapped("<", ">")
        || wrapped("{{", "}}")
        || wrapped("${", "}")
        || wrapped("%(", ")s")
        || (v.starts_with('$')
            && v.len() > 1
            && v[1..]
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'_'))
        || (!v.is_empty() && v.bytes().all(|c| c == b'*'))
        || (v.len() >= 3 && v.bytes().all(|c| c == b'x' || c == b'X'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_shapes() {
        let cases: &[(Option<&str>, &str, Credential)] = &[
            (None, "AKIAIOSFODNN7EXAMPLE", Credential::AwsAccessKeyId),
            (None, "key=ASIAY34FZKBOKMUTVV7A;", Credential::AwsAccessKeyId),
            (
                Some("AWS_SECRET_ACCESS_KEY"),
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                Credential::AwsSecretKey,
            ),
            (
                None,
                "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                Credential::AwsSecretKey,
            ),
            (None, "-----BEGIN RSA PRIVATE KEY-----\nMIIE", Credential::PrivateKey),
            (
                None,
                "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
                Credential::Jwt,
            ),
            (None, "postgres://app:s3cr3t@db:5432/app", Credential::UrlPassword),
            (None, "ghp_abcdefghijklmnopqrstuvwxyz0123456789", Credential::GithubToken),
            (None, "xoxb-123456789012-abcdefghij", Credential::SlackToken),
            (
                None,
                "https://hooks.slack.com/services/T000/B000/XXXX",
                Credential::SlackWebhook,
            ),
            (None, "sk_live_abcdefghijklmnop1234", Credential::StripeKey),
            (None, "AIzaSyA1234567890abcdefghijklmnopqrstuv", Credential::GoogleApiKey),
        ];
        for (name, value, kind) in cases {
            assert_eq!(credential(*name, value), Some(*kind), "{value}");
        }
    }

    #[test]
    fn not_credentials() {
        for v in [
            "https://auth.example.com/oauth/token",
            "postgres://app:${DB_PASSWORD}@db/app",
            "postgres://app@db/app",
            "AKIA-style names are fine",
            "XAKIAIOSFODNN7EXAMPLEX",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "nginx:1.27",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf",
        ] {
            assert_eq!(credential(Some("VALUE"), v), None, "{v}");
        }
    }

    #[test]
    fn names() {
        for n in [
            "DB_PASSWORD",
            "dbPassword",
            "DD_API_KEY",
            "API_KEY",
            "SECRET_KEY",
            "AWS_SECRET_ACCESS_KEY",
            "GITHUB_TOKEN",
            "SPLUNK_HEC_TOKEN",
            "NEW_RELIC_LICENSE_KEY",
            "MYSQL_ROOT_PASSWORD",
            "MYSQL_ALLOW_EMPTY_PASSWORD",
        ] {
            assert!(secret_name(n), "{n}");
        }
        for n in [
            "TOKEN_ENDPOINT",
            "SORT_KEY",
            "PARTITION_KEY",
            "DB_PASSWORD_FILE",
            "DB_SECRET_ARN",
            "ACCESS_KEY_ID",
            "NODE_ENV",
            "KEYCLOAK_URL",
        ] {
            assert!(!secret_name(n), "{n}");
        }
    }

    #[test]
    fn plain_values() {
        for v in [
            "yes",
            "",
            "8080",
            "https://auth.example.com/token",
            "/run/secrets/db",
            "<YOUR_DATADOG_API_KEY>",
            "arn:aws:ssm:us-east-1:123456789012:parameter/x",
            "bearer",
        ] {
            assert!(plain_value(v), "{v}");
        }
        for v in [
            "hunter2",
            "password",
            "s3cr3t-Value",
            "https://u:pw@x.example.com",
        ] {
            assert!(!plain_value(v), "{v}");
        }
    }
}
