//! Subcommands of the `mockexam` binary.

use crate::bank;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(name = "mockexam", version, about = "Realistic timed certification mock exams")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check, import or export a question bank.
    Bank {
        #[command(subcommand)]
        command: BankCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum BankCommand {
    /// Report every problem in a bank folder as file:line: message (exit 1 when any).
    Check {
        /// The exam folder holding exam.toml and question files.
        dir: PathBuf,
        /// Print the coverage table even when problems were found.
        #[arg(long)]
        quiet: bool,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Bank {
            command: BankCommand::Check { dir, quiet },
        } => bank_check(&dir, quiet),
    }
}

fn bank_check(dir: &std::path::Path, quiet: bool) -> ExitCode {
    match bank::load(dir) {
        Ok(b) => {
            if !quiet {
                let cov = bank::Coverage::of(&b.blueprint, &b.items);
                println!("{}", cov.table(&b.blueprint, &b.items, &b.scenarios));
            }
            println!(
                "{}: {} questions, {} case studies/series — no problems",
                b.blueprint.code,
                b.items.len(),
                b.scenarios.len()
            );
            ExitCode::SUCCESS
        }
        Err(problems) => {
            for p in &problems {
                eprintln!("{p}");
            }
            eprintln!("{} problem(s) found", problems.len());
            ExitCode::FAILURE
        }
    }
}
