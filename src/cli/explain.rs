//! `wharf explain E0xxx`: the long explanation of a diagnostic code.

use super::{Context, Exit, MessageFormat};
use crate::diag::{explain, Code};

#[derive(clap::Args, Debug)]
pub struct ExplainCommand {
    /// A diagnostic code such as E0401.
    pub code: String,
}

impl ExplainCommand {
    pub fn run(self, ctx: &mut Context) -> Result<(), Exit> {
        let code: Code = self.code.parse().map_err(|()| {
            Exit::Usage(format!(
                "`{}` is not a Wharf diagnostic code (they look like E0401)",
                self.code
            ))
        })?;
        let body =
            explain::explanation(code).unwrap_or("No explanation has been written for this code.");
        match ctx.message_format {
            MessageFormat::Human => println!("{}: {}\n\n{}", code.as_str(), code.title(), body),
            MessageFormat::Json | MessageFormat::Sarif => println!(
                "{}",
                serde_json::json!({
                    "type": "explanation",
                    "code": code.as_str(),
                    "title": code.title(),
                    "explanation": body,
                })
            ),
        }
        Ok(())
    }
}
