//! `nomos apply`: evaluate policies over resources (in parallel), print the failures or a
//! report, exit 1 when an Enforce rule fails and 2 when the input is invalid.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde_json::Value;

use super::exit;
use super::output::{
    Evaluated, entries, junit::junit, report::reports, table::table, yaml::to_yaml,
};
use crate::compile::PolicySet;
use crate::diagnostic::{Diagnostic, Emitter};
use crate::report::Status;
use crate::source::SourceMap;

mod pipeline;

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// Policy files or directories.
    #[arg(required = true)]
    policies: Vec<PathBuf>,
    /// Resource files or directories (`-` for stdin).
    #[arg(
        short = 'r',
        long = "resource",
        alias = "resources",
        required = true,
        value_delimiter = ','
    )]
    resources: Vec<PathBuf>,
    /// A values file (cli.kyverno.io/v1alpha1 Values).
    #[arg(short = 'f', long = "values-file", alias = "values")]
    values: Option<PathBuf>,
    /// A user-info file (cli.kyverno.io/v1alpha1 UserInfo).
    #[arg(short = 'u', long)]
    userinfo: Option<PathBuf>,
    /// PolicyException files.
    #[arg(
        short = 'e',
        long = "exception",
        alias = "exceptions",
        value_delimiter = ','
    )]
    exceptions: Vec<PathBuf>,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = Format::Table)]
    output: Format,
    /// Report failures of Audit policies as warnings.
    #[arg(long)]
    audit_warn: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Table,
    Json,
    Yaml,
    Junit,
}

pub fn run(args: ApplyArgs) -> u8 {
    let mut sources = SourceMap::new();
    let (set, evaluated) = match pipeline::run(&args, &mut sources) {
        Ok(run) => run,
        Err((message, diagnostics)) => {
            eprint!("{}", Emitter::plain(&sources).render_all(&diagnostics));
            eprintln!("error: {message}");
            return exit::INVALID_INPUT;
        }
    };
    eprint!("{}", Emitter::plain(&sources).render_all(&set.diagnostics));
    let _ = print(&args, &set, &evaluated);
    let enforced_failure = entries(&set, &evaluated, args.audit_warn)
        .any(|e| e.status == Status::Fail && e.response.enforce);
    let code = if set.diagnostics.iter().any(Diagnostic::is_error) {
        exit::INVALID_INPUT
    } else if enforced_failure {
        exit::FAILED
    } else {
        exit::OK
    };
    // The process ends right after this: freeing every result one by one (hundreds of
    // thousands of small allocations on large runs) would only delay the exit.
    std::mem::forget(evaluated);
    code
}

/// Writes the results in the chosen format to standard output.
fn print(args: &ApplyArgs, set: &PolicySet, evaluated: &[Evaluated]) -> io::Result<()> {
    let mut out = BufWriter::new(io::stdout().lock());
    let entries = || entries(set, evaluated, args.audit_warn);
    match args.output {
        Format::Table => table(&mut out, set, evaluated.len(), entries())?,
        Format::Json => {
            let docs = reports(&entries().collect::<Vec<_>>());
            let value = if docs.len() == 1 {
                docs[0].clone()
            } else {
                Value::Array(docs)
            };
            let text = serde_json::to_string_pretty(&value).unwrap_or_default();
            writeln!(out, "{text}")?;
        }
        Format::Yaml => {
            let docs = reports(&entries().collect::<Vec<_>>());
            let text = docs.iter().map(to_yaml).collect::<Vec<_>>().join("---\n");
            out.write_all(text.as_bytes())?;
        }
        Format::Junit => out.write_all(junit(&entries().collect::<Vec<_>>()).as_bytes())?,
    }
    out.flush()
}
