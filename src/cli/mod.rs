//! Command-line interface: argument parsing and output rendering. The only module that
//! prints.

mod apply;
mod bench;
mod jp;
mod output;
mod test;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// A fast, Kyverno-compatible policy interpreter.
#[derive(Debug, Parser)]
#[command(name = "nomos", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Apply policies to resources and report the results.
    Apply(apply::ApplyArgs),
    /// Time parsing and evaluating admission reviews against a policy set.
    Bench(bench::BenchArgs),
    /// Evaluate, list and parse Kyverno-dialect JMESPath expressions.
    Jp(jp::JpArgs),
    /// Run kyverno-test.yaml suites and compare with their expected results.
    Test(test::TestArgs),
}

/// Exit codes shared by every command.
pub mod exit {
    /// Success.
    pub const OK: u8 = 0;
    /// The command ran and found a failure (a failed rule, a failed expression).
    pub const FAILED: u8 = 1;
    /// The input could not be read or understood.
    pub const INVALID_INPUT: u8 = 2;
}

/// Runs nomos with the given arguments (the first is the program name).
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::INVALID_INPUT
            } else {
                exit::OK
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let code = match cli.command {
        Command::Apply(args) => apply::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Jp(args) => jp::run(args),
        Command::Test(args) => test::run(args),
    };
    ExitCode::from(code)
}
