//! Typed values: turns expressions into seconds, MiB, cpu units, percents,
//! ports, booleans, enums and [`Text`]s, following `let` constants and inputs.
//! Every conversion reports its own coded error and returns `None`.

use super::errors;
use super::scope::Binding;
use super::Cx;
use crate::ast::{Expr, ExprKind, Quantity, StrPart};
use crate::ir::{InputType, Text, TextPart};

/// The longest string a value may expand to, in bytes: a whole ECS task
/// definition is limited to 64 KiB, so no single value can be longer.
pub const MAX_TEXT: usize = 64 * 1024;

/// The largest integer AWS accepts in an integer field (`Integer`, int32).
pub const MAX_INT: f64 = i32::MAX as f64;

impl Cx<'_> {
    /// The value of a name used as a value: a `let` expression or an input.
    fn lookup<'s>(&'s self, e: &Expr) -> Option<&'s Binding> {
        let id = e.as_ident()?;
        self.scope.values.get(&id.name)
    }

    /// Resolves `e` through `let` constants; returns the final expression.
    pub fn value<'s>(&'s self, e: &'s Expr) -> &'s Expr {
        let mut cur = e;
        // Chains are acyclic and bounded (`constants::analyse`); a constant
        // on a cycle is returned as the name it is.
        for _ in 0..=super::constants::MAX_CHAIN {
            match self.lookup(cur) {
                Some(Binding::Let(_))
                    if cur
                        .as_ident()
                        .is_some_and(|id| self.broken.contains(&id.name)) =>
                {
                    return cur
                }
                Some(Binding::Let(expr)) => cur = expr,
                _ => return cur,
            }
        }
        cur
    }

    fn input_of(&self, e: &Expr) -> Option<(String, InputType, String)> {
        let e = self.value(e);
        match self.lookup(e) {
            Some(Binding::Input(i)) => Some((i.name.clone(), i.ty, i.value.clone())),
            _ => None,
        }
    }

    fn quantity<'s>(&'s self, e: &'s Expr) -> Option<(&'s Quantity, Option<String>)> {
        let e = self.value(e);
        match &e.kind {
            ExprKind::Quantity(q) => Some((q, None)),
            _ => None,
        }
    }

    /// A number with one of the allowed units, converted to the base unit by
    /// the factor of the matched unit. Inputs of type int count as unitless.
    fn measure(
        &mut self,
        e: &Expr,
        what: &str,
        units: &[(&str, f64)],
        bare: Option<f64>,
    ) -> Option<f64> {
        if let Some((name, InputType::Int, value)) = self.input_of(e) {
            return match (value.parse::<f64>(), bare) {
                (Ok(v), Some(f)) => Some(v * f),
                _ => {
                    self.push(errors::input_not_measure(&name, what, e.span));
                    None
                }
            };
        }
        let Some((q, _)) = self.quantity(e) else {
            if self.is_broken(e) {
                return None;
            }
            let found = self.value(e).describe();
            self.push(errors::type_mismatch(what, found, e.span));
            return None;
        };
        let number: f64 = q.number.parse().ok()?;
        if !number.is_finite() {
            // Hundreds of digits: no AWS field takes it.
            self.push(errors::not_finite(what, e.span));
            return None;
        }
        if q.unit.is_empty() {
            return match bare {
                Some(f) => Some(number * f),
                None => {
                    let names: Vec<&str> = units.iter().map(|u| u.0).collect();
                    let example = format!("{}{}", q.number, names[0]);
                    self.push(errors::missing_unit(what, &names, &example, e.span));
                    None
                }
            };
        }
        match units.iter().find(|(u, _)| *u == q.unit) {
            Some((_, f)) => Some(number * f),
            None => {
                let names: Vec<&str> = units.iter().map(|u| u.0).collect();
                let unit = q.unit.clone();
                self.push(errors::unknown_unit(&unit, what, &names, e.span));
                None
            }
        }
    }

    /// `v` as a whole number AWS can store: every integer field of the ECS,
    /// ELB, Auto Scaling and CloudWatch Logs APIs is a signed 32-bit integer.
    /// A value that is whole up to floating-point noise (`0.1m` is 6.000...1
    /// seconds) counts as whole; anything else is refused, never rounded.
    fn whole(&mut self, v: f64, what: &str, e: &Expr) -> Option<u32> {
        let r = v.round();
        let noise = 1e-9 * r.abs().max(1.0);
        if v < 0.0 || (v - r).abs() > noise || r > MAX_INT {
            self.push(errors::not_whole(what, v, e.span));
            return None;
        }
        Some(r as u32)
    }

    /// Seconds, from `30s`, `5m`, `1h`, `2000ms`: ECS takes whole seconds,
    /// so `1.5s` or `500ms` is refused rather than rounded.
    pub fn seconds(&mut self, e: &Expr) -> Option<u32> {
        let v = self.measure(
            e,
            "a duration",
            &[("s", 1.0), ("m", 60.0), ("h", 3600.0), ("ms", 0.001)],
            None,
        )?;
        self.whole(v, "a duration in whole seconds", e)
    }

    /// A whole percentage, from `70%` (the integer percent fields of ECS).
    pub fn percent_whole(&mut self, e: &Expr) -> Option<u32> {
        let p = self.percent(e)?;
        self.whole(p, "a whole percentage", e)
    }

    /// MiB, from `512MiB`, `2GiB`, `0.5GiB`.
    pub fn mib(&mut self, e: &Expr) -> Option<u32> {
        let v = self.measure(e, "a size", &[("MiB", 1.0), ("GiB", 1024.0)], None)?;
        self.whole(v, "a size in MiB", e)
    }

    /// GiB, from `21GiB`.
    pub fn gib(&mut self, e: &Expr) -> Option<u32> {
        let v = self.measure(e, "a size", &[("GiB", 1.0)], None)?;
        self.whole(v, "a size in GiB", e)
    }

    /// CPU units, from `256` (units) or `0.25vcpu`.
    pub fn cpu(&mut self, e: &Expr) -> Option<u32> {
        let v = self.measure(
            e,
            "a CPU amount",
            &[("vcpu", 1024.0), ("units", 1.0)],
            Some(1.0),
        )?;
        self.whole(v, "a CPU amount in units", e)
    }

    /// A percentage, from `70%`.
    pub fn percent(&mut self, e: &Expr) -> Option<f64> {
        self.measure(e, "a percentage", &[("%", 1.0)], None)
    }

    /// A whole number without unit.
    pub fn int(&mut self, e: &Expr) -> Option<u32> {
        let v = self.measure(e, "a whole number", &[], Some(1.0))?;
        self.whole(v, "a whole number", e)
    }

    /// A plain number (decimals allowed) without unit.
    pub fn number(&mut self, e: &Expr) -> Option<f64> {
        self.measure(e, "a number", &[], Some(1.0))
    }

    /// A TCP/UDP port, 1-65535 (0 only where `allow_zero`).
    pub fn port(&mut self, e: &Expr, allow_zero: bool) -> Option<u16> {
        let v = self.int(e)?;
        let min = u32::from(!allow_zero);
        if v < min || v > 65535 {
            self.push(errors::out_of_range(
                "a port",
                &v.to_string(),
                &format!("{min} to 65535"),
                e.span,
            ));
            return None;
        }
        Some(v as u16)
    }

    /// An IPv4 or IPv6 CIDR block of a security group rule (`0.0.0.0/0`,
    /// `10.0.0.0/8`, `::/0`): an address std parses, and a prefix length
    /// within its width (32 or 128), as EC2's `CidrIp` / `CidrIpv6` take.
    pub fn ip_cidr(&mut self, e: &Expr) -> Option<String> {
        let s = self.literal(e)?;
        let valid = s.split_once('/').is_some_and(|(ip, bits)| {
            let width = if ip.parse::<std::net::Ipv4Addr>().is_ok() {
                32
            } else if ip.parse::<std::net::Ipv6Addr>().is_ok() {
                128
            } else {
                return false;
            };
            !bits.starts_with('+') && bits.parse::<u8>().is_ok_and(|b| b <= width)
        });
        if !valid {
            self.push(errors::bad_ip_cidr(&s, e.span));
            return None;
        }
        Some(s)
    }

    /// `on` / `off` / `true` / `false` / `enabled` / `disabled`.
    pub fn boolean(&mut self, e: &Expr) -> Option<bool> {
        if let Some((_, InputType::Bool, value)) = self.input_of(e) {
            return Some(value == "true");
        }
        if self.is_broken(e) {
            return None;
        }
        let v = self.value(e);
        match v.as_ident().map(|i| i.name.as_str()) {
            Some("on" | "true" | "enabled" | "yes") => Some(true),
            Some("off" | "false" | "disabled" | "no") => Some(false),
            Some(word) => {
                let word = word.to_string();
                self.push(errors::invalid_choice(
                    "`on` or `off`",
                    &word,
                    &["on", "off"],
                    e.span,
                ));
                None
            }
            None => {
                self.push(errors::type_mismatch("`on` or `off`", v.describe(), e.span));
                None
            }
        }
    }

    /// One of a fixed set of words (matched case-insensitively).
    pub fn choice(
        &mut self,
        e: &Expr,
        what: &str,
        allowed: &[&'static str],
    ) -> Option<&'static str> {
        // A bare word that names a choice is that choice, even where a
        // `let` of the same name is in scope (`let size = ...` must not
        // change what `param memory: size` means).
        if let ExprKind::Path(p) = &e.kind {
            let word = p.dotted();
            if let Some(found) = allowed
                .iter()
                .copied()
                .find(|a| a.eq_ignore_ascii_case(&word))
            {
                return Some(found);
            }
        }
        // An input (`network MODE`, `"${MODE}"`) chooses with its value
        // for this build, as a template placeholder in an enum member does;
        // one with no value is already E0211.
        let input = match &e.kind {
            ExprKind::Path(p) => match self.scope.values.get(&p.dotted()) {
                Some(super::scope::Binding::Input(i)) => {
                    if self.scope.missing.contains(&i.name) {
                        return None;
                    }
                    Some(i.value.clone())
                }
                _ => None,
            },
            ExprKind::Str(_) => {
                let t = self.text(e)?;
                if self.scope.incomplete(&t) {
                    return None;
                }
                (!t.is_literal()).then(|| self.scope.resolve(&t))
            }
            _ => None,
        };
        let v = self.value(e);
        let word = match (&input, &v.kind) {
            (Some(value), _) => Some(value.clone()),
            (None, ExprKind::Path(p)) => Some(p.dotted()),
            (None, ExprKind::Str(_)) => v.as_plain_str(),
            _ => None,
        };
        let Some(word) = word else {
            self.push(errors::type_mismatch(what, v.describe(), e.span));
            return None;
        };
        let found = allowed
            .iter()
            .copied()
            .find(|a| a.eq_ignore_ascii_case(&word));
        if found.is_none() {
            self.push(errors::invalid_choice(what, &word, allowed, e.span));
        }
        found
    }

    /// A string (interpolation of constants and inputs allowed). Numbers are
    /// accepted as their written text. A text longer than [`MAX_TEXT`] once
    /// expanded is refused (E0315), whatever built it.
    ///
    /// The text, inputs substituted, is also searched for credentials
    /// (`secrets::credential`): a credential in any value is refused (E0443)
    /// unless its statement says `not_secret`.
    pub fn text(&mut self, e: &Expr) -> Option<Text> {
        let t = self.expand(e)?;
        for input in t.inputs() {
            if !self.used_inputs.contains(input) {
                self.used_inputs.insert(input.to_string());
            }
        }
        if self.not_secret {
            return Some(t);
        }
        let resolved = self.scope.resolve(&t);
        if let Some(kind) = super::secrets::credential(self.value_name.as_deref(), &resolved) {
            let reported = self.diags.iter().any(|d| {
                d.code == crate::diag::Code::CredentialInValue && d.primary.span == e.span
            });
            if !reported {
                let d = errors::credential_in_value(kind, self.value_name.as_deref(), e.span)
                    .with_redacted(e.span);
                self.push(d);
            }
            // The value is dropped, so the declaration is partial: rules
            // that count what it holds would report its absence too.
            self.read_broken.set(true);
            return None;
        }
        Some(t)
    }

    /// The value given to `name` (an environment variable, label, tag or log
    /// option), judged as a possible secret after interpolation, whatever
    /// its source: under a secret-looking name, a literal that is not plainly
    /// something else is refused (E0425), and every input in it becomes a
    /// secret input (`ir::Input::secret`). `not_secret` skips both checks and
    /// the credential search, for this value only.
    pub fn read_named(
        &mut self,
        name: &str,
        not_secret: bool,
        e: &Expr,
        span: crate::diag::Span,
    ) -> Option<Text> {
        // A name is written out as it is: it may not be a credential either.
        if !not_secret {
            if let Some(kind) = super::secrets::credential(None, name) {
                let d = errors::credential_in_name(kind, span).with_redacted(span);
                self.push(d);
                return None;
            }
        }
        let saved_flag = std::mem::replace(&mut self.not_secret, not_secret);
        let saved_name = self.value_name.replace(name.to_string());
        let t = self.text(e);
        self.not_secret = saved_flag;
        self.value_name = saved_name;
        let t = t?;
        if not_secret || !super::secrets::secret_name(name) {
            return Some(t);
        }
        if let Some(value) = t.as_literal() {
            if !super::secrets::plain_value(&value) {
                self.push(errors::rule::literal_secret(name, span).with_redacted(e.span));
                return None;
            }
        }
        for input in t.inputs() {
            self.secret_inputs.entry(input.to_string()).or_insert(span);
        }
        Some(t)
    }

    /// [`Cx::text`] without the credential search: constants are searched
    /// where they are used, once per use.
    fn expand(&mut self, e: &Expr) -> Option<Text> {
        let mut parts = Vec::new();
        if !self.text_into(e, &mut parts) {
            return None;
        }
        let size = self.text_size(&parts);
        if size > MAX_TEXT {
            let reported = self
                .diags
                .iter()
                .any(|d| d.code == crate::diag::Code::TextTooLong && d.primary.span == e.span);
            if !reported {
                self.push(errors::text_too_long(MAX_TEXT, e.span));
            }
            return None;
        }
        Some(normalize(parts))
    }

    /// Bytes of a text once inputs are substituted; every part counts at
    /// least one, so a text of many empty inputs is large too.
    fn text_size(&self, parts: &[TextPart]) -> usize {
        parts
            .iter()
            .map(|p| match p {
                TextPart::Lit(s) => s.len().max(1),
                TextPart::Input(n) => match self.scope.values.get(n) {
                    Some(Binding::Input(i)) => i.value.len().max(1),
                    _ => 1,
                },
            })
            .sum()
    }

    /// True when `e` names a constant `constants::analyse` reported: reading
    /// it again would only repeat that error.
    pub fn is_broken(&self, e: &Expr) -> bool {
        let broken = self
            .value(e)
            .as_ident()
            .is_some_and(|id| self.broken.contains(&id.name));
        if broken {
            self.read_broken.set(true);
        }
        broken
    }

    fn text_into(&mut self, e: &Expr, out: &mut Vec<TextPart>) -> bool {
        if let Some((name, ty, value)) = self.input_of(e) {
            match ty {
                InputType::String | InputType::VpcId => out.push(TextPart::Input(name)),
                _ => out.push(TextPart::Lit(value)),
            }
            return true;
        }
        if self.is_broken(e) {
            return false;
        }
        let v = self.value(e).clone();
        match &v.kind {
            ExprKind::Str(parts) => {
                let mut ok = true;
                for p in parts {
                    match p {
                        StrPart::Text(t) => out.push(TextPart::Lit(t.clone())),
                        StrPart::Interp(path) => {
                            let name = path.dotted();
                            let ref_expr = Expr {
                                kind: ExprKind::Path(path.clone()),
                                span: path.span,
                            };
                            match self.scope.values.get(&name) {
                                Some(Binding::Let(_)) if self.broken.contains(&name) => {
                                    self.read_broken.set(true);
                                    ok = false;
                                }
                                Some(Binding::Let(_)) => match self.let_text(&name) {
                                    Some(Some(t)) => out.extend(t.parts),
                                    Some(None) => {
                                        self.read_broken.set(true);
                                        ok = false;
                                    }
                                    None => ok &= self.text_into(&ref_expr, out),
                                },
                                Some(Binding::Input(_)) => ok &= self.text_into(&ref_expr, out),
                                None => {
                                    let names: Vec<&str> =
                                        self.scope.values.keys().map(String::as_str).collect();
                                    let d = errors::unknown_value(&name, &names, path.span, false);
                                    self.push(d);
                                    ok = false;
                                }
                            }
                        }
                    }
                }
                ok
            }
            ExprKind::Quantity(q) => {
                out.push(TextPart::Lit(format!("{}{}", q.number, q.unit)));
                true
            }
            ExprKind::Path(p) if p.single().is_some() => {
                let names: Vec<&str> = self.scope.values.keys().map(String::as_str).collect();
                let d = errors::unknown_value(&p.dotted(), &names, p.span, true);
                self.push(d);
                false
            }
            _ => {
                self.push(errors::type_mismatch("a string", v.describe(), e.span));
                false
            }
        }
    }

    /// The expanded text of a string constant, computed once: `Some(None)`
    /// if it failed (reported inside the constant), `None` if the constant
    /// is not a string (the caller reads it, and reports at the use).
    fn let_text(&mut self, name: &str) -> Option<Option<Text>> {
        if let Some(t) = self.let_texts.get(name) {
            return Some(t.clone());
        }
        let expr = match self.scope.values.get(name) {
            Some(Binding::Let(e)) => e.clone(),
            _ => return None,
        };
        let target = self.value(&expr).clone();
        if !matches!(target.kind, ExprKind::Str(_)) {
            return None;
        }
        // Acyclic and at most `constants::MAX_CHAIN` deep, so this recursion
        // (through `text` of the constants it interpolates) ends.
        let t = self.expand(&target);
        self.let_texts.insert(name.to_string(), t.clone());
        Some(t)
    }

    /// A string with inputs replaced by their values, for names, paths and
    /// ARNs the checker has to look into.
    pub fn literal(&mut self, e: &Expr) -> Option<String> {
        let t = self.text(e)?;
        for input in t.inputs() {
            self.resolved_inputs
                .entry(input.to_string())
                .or_insert(e.span);
        }
        Some(self.scope.resolve(&t))
    }

    /// A list's elements; a single non-list value counts as a list of one.
    pub fn list<'s>(&'s self, e: &'s Expr) -> Vec<&'s Expr> {
        match &self.value(e).kind {
            ExprKind::List(items) => items.iter().collect(),
            _ => vec![e],
        }
    }

    /// A list of strings.
    pub fn texts(&mut self, e: &Expr) -> Option<Vec<Text>> {
        let items: Vec<Expr> = self.list(e).into_iter().cloned().collect();
        let mut out = Vec::new();
        let mut ok = true;
        for item in &items {
            match self.text(item) {
                Some(t) => out.push(t),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// A bare name (`web`, `app`), for references to declarations.
    pub fn name(&mut self, e: &Expr, what: &str) -> Option<String> {
        match e.as_ident() {
            Some(id) => Some(id.name.clone()),
            None => {
                self.push(errors::type_mismatch(what, e.describe(), e.span));
                None
            }
        }
    }
}

/// Merges adjacent literal parts; an empty text is one empty literal.
fn normalize(parts: Vec<TextPart>) -> Text {
    // Sized to the parts (most texts are one literal): a program's texts
    // are held until every target is written.
    let mut out: Vec<TextPart> = Vec::with_capacity(parts.len().max(1));
    for p in parts {
        match (out.last_mut(), p) {
            (Some(TextPart::Lit(a)), TextPart::Lit(b)) => a.push_str(&b),
            (_, p) => out.push(p),
        }
    }
    if out.is_empty() {
        out.push(TextPart::Lit(String::new()));
    }
    out.shrink_to_fit();
    Text { parts: out }
}
