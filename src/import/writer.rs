//! Writing Wharf source: string quoting, names, and nested blocks indented
//! the way `wharf fmt` lays them out (two spaces, one statement a line).

/// True when `s` is a Wharf name (`ident` in the grammar), so it can be
/// written bare.
pub fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A Wharf string literal holding exactly `s`: `"` and `\` escaped, `$`
/// escaped so `${...}` is never read as interpolation, control characters
/// spelled out. A template placeholder marked by `placeholders::mark`
/// becomes the interpolation of its input.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '$' => out.push_str("\\$"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            super::placeholders::OPEN => out.push_str("${"),
            super::placeholders::CLOSE => out.push('}'),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A name bare when it can be, else quoted (container names, option keys).
pub fn ident_or_quoted(s: &str) -> String {
    if is_ident(s) {
        s.to_string()
    } else {
        quote(s)
    }
}

/// `[a, b]` of quoted strings.
pub fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| quote(s)).collect();
    format!("[{}]", quoted.join(", "))
}

/// A statement with a block: its head line and its statements.
#[derive(Debug, Clone)]
pub struct Block {
    head: String,
    items: Vec<Item>,
}

#[derive(Debug, Clone)]
enum Item {
    Line(String),
    /// A nested block written right below the previous statement.
    Child(Block),
    /// A nested block set off by a blank line (a container in a task).
    Section(Block),
}

impl Block {
    pub fn new(head: impl Into<String>) -> Block {
        Block {
            head: head.into(),
            items: Vec::new(),
        }
    }

    pub fn line(&mut self, line: impl Into<String>) {
        self.items.push(Item::Line(line.into()));
    }

    pub fn child(&mut self, block: Block) {
        self.items.push(Item::Child(block));
    }

    pub fn section(&mut self, block: Block) {
        self.items.push(Item::Section(block));
    }

    /// The block as source, starting at `depth` levels of indentation. A
    /// block with no statement is written as its head alone.
    pub fn render(&self, depth: usize) -> String {
        let pad = "  ".repeat(depth);
        if self.items.is_empty() {
            return format!("{pad}{}\n", self.head);
        }
        let mut out = format!("{pad}{} {{\n", self.head);
        for item in &self.items {
            match item {
                Item::Line(l) => out.push_str(&format!("{pad}  {l}\n")),
                Item::Child(b) => out.push_str(&b.render(depth + 1)),
                Item::Section(b) => {
                    out.push('\n');
                    out.push_str(&b.render(depth + 1));
                }
            }
        }
        out.push_str(&format!("{pad}}}\n"));
        out
    }
}
