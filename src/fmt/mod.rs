//! The canonical formatter (`wharf fmt`). Stage: source text -> source text,
//! for a file that parses. Works on tokens, so comments stay where they are:
//! indentation is two spaces per open `{`, `[` or `(`; tokens on a line are
//! separated by one space (none before `,` `;` `:` `)` `]` or after `(` `[`);
//! trailing whitespace goes, runs of blank lines become one, and no blank
//! line opens or closes a block. Line breaks and `;` are kept as written, so
//! one-line blocks stay one line. Idempotent, and the parsed tree of the
//! output equals that of the input (spans aside): `tests/fmt.rs`.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Word,
    Str,
    Comment,
    Open,
    Close,
    Comma,
    Semi,
    Colon,
    Equals,
    Continuation,
    Newline,
}

#[derive(Debug)]
struct Token<'a> {
    kind: Kind,
    text: &'a str,
    /// Whether whitespace came right before it on the same line.
    spaced: bool,
}

/// Formats a source text. The caller parses it first: text that does not
/// parse is never handed here (the lexer is lenient, not a checker).
pub fn format(src: &str) -> String {
    let tokens = lex(src);
    let mut out = String::with_capacity(src.len() + src.len() / 8);
    let mut depth: usize = 0;
    let mut line: Vec<&Token> = Vec::new();
    let mut blank_pending = false;
    let mut at_start = true;
    let mut prev_line_opened = false;
    for t in &tokens {
        if t.kind != Kind::Newline {
            line.push(t);
            continue;
        }
        if line.is_empty() {
            blank_pending = !at_start;
            continue;
        }
        let closes_first = line[0].kind == Kind::Close;
        if blank_pending && !closes_first && !prev_line_opened {
            out.push('\n');
        }
        blank_pending = false;
        let indent = depth.saturating_sub(usize::from(closes_first));
        emit_line(&mut out, &line, indent);
        for tok in &line {
            match tok.kind {
                Kind::Open => depth += 1,
                Kind::Close => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        prev_line_opened = line.last().is_some_and(|t| t.kind == Kind::Open);
        at_start = false;
        line.clear();
    }
    out
}

fn emit_line(out: &mut String, line: &[&Token], indent: usize) {
    for _ in 0..indent {
        out.push_str("  ");
    }
    let mut prev: Option<&Token> = None;
    for t in line {
        if let Some(p) = prev {
            if space_between(p, t) {
                out.push(' ');
            }
        }
        out.push_str(t.text.trim_end());
        prev = Some(t);
    }
    out.push('\n');
}

fn space_between(prev: &Token, next: &Token) -> bool {
    match (prev.kind, next.kind) {
        (_, Kind::Comma | Kind::Semi) => false,
        // `app:3000`, `key: "value"`: the colon hugs its name, and the space
        // after it is kept as written.
        (_, Kind::Colon) => false,
        (Kind::Colon, _) => next.spaced,
        (Kind::Open, Kind::Close) => false,
        (Kind::Open, _) => prev.text == "{",
        (_, Kind::Close) => next.text == "}",
        // a call: `name(`
        (Kind::Word, Kind::Open) if next.text == "(" => next.spaced,
        (Kind::Word, Kind::Open) if next.text == "[" => true,
        _ => true,
    }
}

fn lex(src: &str) -> Vec<Token<'_>> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut spaced = false;
    while i < b.len() {
        let start = i;
        let kind = match b[i] {
            b' ' | b'\t' | b'\r' => {
                i += 1;
                spaced = true;
                continue;
            }
            b'\n' => {
                i += 1;
                Kind::Newline
            }
            b'\\' if src[i..].starts_with("\\\n") || src[i..].starts_with("\\\r\n") => {
                i += 1;
                Kind::Continuation
            }
            b'/' if src[i..].starts_with("//") => {
                i = src[i..].find('\n').map_or(b.len(), |n| i + n);
                Kind::Comment
            }
            b'/' if src[i..].starts_with("/*") => {
                i = src[i + 2..].find("*/").map_or(b.len(), |n| i + 2 + n + 2);
                Kind::Comment
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(b.len());
                Kind::Str
            }
            b'{' | b'[' | b'(' => {
                i += 1;
                Kind::Open
            }
            b'}' | b']' | b')' => {
                i += 1;
                Kind::Close
            }
            b',' => {
                i += 1;
                Kind::Comma
            }
            b';' => {
                i += 1;
                Kind::Semi
            }
            b':' => {
                i += 1;
                Kind::Colon
            }
            b'=' => {
                i += 1;
                Kind::Equals
            }
            _ => {
                while i < b.len()
                    && !b" \t\r\n{}[](),;:=\"\\".contains(&b[i])
                    && !src[i..].starts_with("//")
                {
                    i += src[i..].chars().next().map_or(1, char::len_utf8);
                }
                if i == start {
                    // A lone `\` (not a line continuation): one character, so
                    // the lexer always moves on (it looped forever here).
                    i += 1;
                }
                Kind::Word
            }
        };
        out.push(Token {
            kind,
            text: &src[start..i],
            spaced,
        });
        spaced = false;
    }
    if out.last().is_some_and(|t| t.kind != Kind::Newline) {
        out.push(Token {
            kind: Kind::Newline,
            text: "\n",
            spaced: false,
        });
    }
    out
}
