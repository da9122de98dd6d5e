//! Subcommands of the `mockexam` binary.

use crate::{bank, db};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "mockexam",
    version,
    about = "Realistic timed certification mock exams"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(clap::Args, Debug, Clone)]
pub struct DbArgs {
    /// PostgreSQL URL; the database is created when missing.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: String,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the web server (applies migrations first).
    Serve(Box<crate::config::Config>),
    /// Create the database if needed and apply migrations.
    Migrate(DbArgs),
    /// Check, import or export a question bank.
    Bank {
        #[command(subcommand)]
        command: BankCommand,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Create the demo candidate and instructor, with realistic earlier attempts.
    Demo {
        #[command(flatten)]
        db: DbArgs,
        /// Password for both demo accounts.
        #[arg(
            long,
            env = "MOCKEXAM_DEMO_PASSWORD",
            default_value = "demo-password-2026"
        )]
        password: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create an account (or update its role and password if the email exists).
    Add {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = ["candidate", "instructor", "admin"], default_value = "candidate")]
        role: String,
        /// At least 12 characters.
        #[arg(long, env = "MOCKEXAM_USER_PASSWORD")]
        password: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum BankCommand {
    /// Report every problem in a bank folder as file:line: message (exit 1 when any).
    Check {
        /// The exam folder holding exam.toml and question files.
        dir: PathBuf,
        /// Print only problems, not the coverage table.
        #[arg(long)]
        quiet: bool,
    },
    /// Show what importing a bank folder or a question file would change (a dry run, with every
    /// problem as file:line); with --apply, load it in one transaction.
    Import {
        /// A bank folder (native), a native question file, or a GIFT, Moodle XML or QTI file.
        path: PathBuf,
        #[arg(long, value_parser = ["native", "gift", "moodle-xml", "qti"], default_value = "native")]
        format: String,
        /// Exam code the questions go into (needed for everything but a bank folder).
        #[arg(long)]
        exam: Option<String>,
        /// Objective code for questions whose file names none.
        #[arg(long)]
        objective: Option<String>,
        /// Write the changes; without it nothing changes.
        #[arg(long)]
        apply: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Write an exam's current bank from the database: a folder (native) or a file.
    Export {
        /// Exam code, e.g. DP-100.
        exam: String,
        /// Folder for native, file for gift, moodle-xml and qti (a zip content package).
        out: PathBuf,
        #[arg(long, value_parser = ["native", "gift", "moodle-xml", "qti"], default_value = "native")]
        format: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = match cli.command {
        Command::Bank {
            command: BankCommand::Check { dir, quiet },
        } => return bank_check(&dir, quiet),
        other => runtime.block_on(run(other)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}

async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve(config) => {
            crate::mail::Mailer::from_config(&config)?;
            let pool =
                db::connect_and_migrate_with(&config.database_url, db::PoolSettings::of(&config))
                    .await?;
            let state = crate::state::AppState::new(pool, *config);
            crate::app::serve(state).await
        }
        Command::Migrate(args) => {
            db::connect_and_migrate(&args.database_url).await?;
            println!("database ready: migrations applied");
            Ok(())
        }
        Command::Bank { command } => match command {
            BankCommand::Check { .. } => unreachable!("handled without a runtime"),
            BankCommand::Import {
                path,
                format,
                exam,
                objective,
                apply,
                db: args,
            } => {
                let pool = db::connect_and_migrate(&args.database_url).await?;
                let upload = crate::bank::formats::Format::parse(&format)
                    .ok_or_else(|| anyhow::anyhow!("unknown format `{format}`"))?;
                crate::bank::formats::cli::import(&pool, &path, upload, exam, objective, apply)
                    .await
            }
            BankCommand::Export {
                exam,
                out,
                format,
                db: args,
            } => {
                let pool = db::connect_and_migrate(&args.database_url).await?;
                let format = crate::bank::formats::Format::parse(&format)
                    .ok_or_else(|| anyhow::anyhow!("unknown format `{format}`"))?;
                crate::bank::formats::cli::export(&pool, &exam, &out, format).await
            }
        },
        Command::User {
            command:
                UserCommand::Add {
                    db: args,
                    email,
                    name,
                    role,
                    password,
                },
        } => {
            let pool = db::connect_and_migrate(&args.database_url).await?;
            let role = crate::types::Role::parse(&role)
                .ok_or_else(|| anyhow::anyhow!("unknown role `{role}`"))?;
            let outcome = crate::demo::upsert_user(&pool, &email, &name, role, &password).await?;
            println!("{outcome}");
            Ok(())
        }
        Command::Demo { db: args, password } => {
            let pool = db::connect_and_migrate(&args.database_url).await?;
            crate::demo::run(&pool, &password).await
        }
    }
}

fn bank_check(dir: &std::path::Path, quiet: bool) -> ExitCode {
    let checked = bank::check(dir);
    // The coverage table is shown even beside problems: it tells an author what is missing.
    if let (Some(b), false) = (&checked.bank, quiet) {
        let cov = bank::Coverage::of(&b.blueprint, &b.items);
        println!("{}", cov.table(&b.blueprint, &b.items, &b.scenarios));
    }
    if checked.problems.is_empty() {
        if let Some(b) = &checked.bank {
            println!(
                "{}: {} questions, {} case studies/series — no problems",
                b.blueprint.code,
                b.items.len(),
                b.scenarios.len()
            );
        }
        return ExitCode::SUCCESS;
    }
    for p in &checked.problems {
        eprintln!("{p}");
    }
    eprintln!("{} problem(s) found", checked.problems.len());
    ExitCode::FAILURE
}
