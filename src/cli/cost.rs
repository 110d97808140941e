//! `wharf cost FILE [--env E] [--region R]`: the monthly Fargate price of a
//! program's services (see `report::cost`), as text or, with
//! `--message-format json`, one JSON object on stdout.

use super::{Context, Exit, InputArgs, MessageFormat};
use crate::diag::Code;
use crate::driver::{self, Disk};
use crate::report::cost::{self, CostError, PriceTable};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct CostCommand {
    /// The main .wharf file.
    pub file: PathBuf,
    /// Price in this AWS region instead of the program's `region`.
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    #[command(flatten)]
    pub inputs: InputArgs,
}

impl CostCommand {
    pub fn run(self, ctx: &mut Context) -> Result<(), Exit> {
        let options = self.inputs.options()?;
        let program = driver::compile(&Disk, &self.file, &options)
            .map_err(|d| ctx.fail(&d))?
            .program;
        let table = PriceTable::embedded();
        match cost::cost(&program, self.region.as_deref(), &table) {
            Ok(report) => {
                match ctx.message_format {
                    MessageFormat::Human => print!("{}", cost::render_human(&report)),
                    _ => println!(
                        "{}",
                        serde_json::to_string_pretty(&report).expect("a report serializes")
                    ),
                }
                ctx.document_printed.set(true);
                Ok(())
            }
            Err(CostError::NoRegion) => {
                ctx.report_error(
                    Code::CostNoRegion,
                    "the program names no region to price in",
                    "give `--region us-east-1` (or write `region \"us-east-1\"` in the program)",
                );
                Err(Exit::InputErrors)
            }
            Err(CostError::UnpricedRegion { region, known }) => {
                ctx.report_error(
                    Code::CostUnpricedRegion,
                    &format!(
                        "no Fargate price for region `{region}` in Wharf's price table of {}",
                        table.date
                    ),
                    &format!(
                        "Wharf prices only the regions of its table: {}; give one with `--region`",
                        known.join(", ")
                    ),
                );
                Err(Exit::InputErrors)
            }
        }
    }
}
