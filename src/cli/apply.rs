//! `nomos apply`: evaluate policies over resources (in parallel), print the failures or a
//! report, exit 1 when an Enforce rule fails and 2 when the input is invalid.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde_json::Value;

use super::exit;
use super::output::table::{Part, table};
use super::output::{Entry, Evaluated, entries, junit::junit, report::reports, yaml::to_yaml};
use crate::compile::PolicySet;
use crate::diagnostic::{Diagnostic, Emitter};
use crate::load::inputs::LoadError;
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
    let result = match args.output {
        Format::Table => run_table(&args, &mut sources),
        Format::Json => run_reports(&args, &mut sources, json),
        Format::Yaml => run_reports(&args, &mut sources, yaml),
        Format::Junit => run_reports(&args, &mut sources, junit),
    };
    result.unwrap_or_else(|(message, diagnostics)| {
        eprint!("{}", Emitter::plain(&sources).render_all(&diagnostics));
        eprintln!("error: {message}");
        exit::INVALID_INPUT
    })
}

/// The table, each resource's part rendered as soon as it is evaluated.
fn run_table(args: &ApplyArgs, sources: &mut SourceMap) -> Result<u8, LoadError> {
    let audit_warn = args.audit_warn;
    let part =
        |set: &PolicySet, resource, responses| Part::new(set, audit_warn, resource, responses);
    let set = pipeline::compile_policies(args, sources)?;
    let parts = pipeline::run(&set, args, sources, part)?;
    eprint!("{}", Emitter::plain(sources).render_all(&set.diagnostics));
    let _ = write_out(|out| table(out, &set, &parts));
    let code = exit_code(&set, parts.iter().any(Part::enforced_failure));
    // The process ends right after this: freeing every part one by one would only delay
    // the exit.
    std::mem::forget(parts);
    Ok(code)
}

/// A report of every result, rendered by `render` (JSON, YAML, JUnit).
fn run_reports(
    args: &ApplyArgs,
    sources: &mut SourceMap,
    render: fn(&[Entry<'_>]) -> String,
) -> Result<u8, LoadError> {
    let set = pipeline::compile_policies(args, sources)?;
    let evaluated = pipeline::run(&set, args, sources, |_: &PolicySet, resource, responses| {
        Evaluated::new(resource, responses)
    })?;
    eprint!("{}", Emitter::plain(sources).render_all(&set.diagnostics));
    let entries = || entries(&set, &evaluated, args.audit_warn);
    let text = render(&entries().collect::<Vec<_>>());
    let _ = write_out(|out| out.write_all(text.as_bytes()));
    let failed = entries().any(|e| e.status == Status::Fail && e.response.enforce);
    let code = exit_code(&set, failed);
    // The process ends right after this: freeing every result one by one (hundreds of
    // thousands of small allocations on large runs) would only delay the exit.
    std::mem::forget(evaluated);
    Ok(code)
}

fn exit_code(set: &PolicySet, enforced_failure: bool) -> u8 {
    if set.diagnostics.iter().any(Diagnostic::is_error) {
        exit::INVALID_INPUT
    } else if enforced_failure {
        exit::FAILED
    } else {
        exit::OK
    }
}

/// Runs `write` on a buffered standard output, then flushes it.
fn write_out(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    write(&mut out)?;
    out.flush()
}

/// The PolicyReports as one JSON document (an array when there are several).
fn json(entries: &[Entry<'_>]) -> String {
    let docs = reports(entries);
    let value = if docs.len() == 1 {
        docs[0].clone()
    } else {
        Value::Array(docs)
    };
    serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
}

/// The PolicyReports as YAML documents.
fn yaml(entries: &[Entry<'_>]) -> String {
    let docs = reports(entries);
    docs.iter().map(to_yaml).collect::<Vec<_>>().join("---\n")
}
