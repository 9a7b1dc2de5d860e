//! `nomos apply`: evaluate policies over resources (in parallel), print the failures or a
//! report, exit 1 when an Enforce rule fails and 2 when the input is invalid.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use rayon::prelude::*;
use serde_json::Value;

use super::exit;
use super::output::{
    Evaluated, entries, junit::junit, report::reports, table::table, yaml::to_yaml,
};
use crate::compile::{self, PolicySet};
use crate::diagnostic::{Diagnostic, Emitter};
use crate::engine::evaluate::{self, Inputs};
use crate::engine::request::{Operation, Request, default_namespace};
use crate::ir::inputs::{UserInfo, Values};
use crate::load::inputs::{LoadError, exception_docs, one_file, policy_set};
use crate::load::{self, testsuite};
use crate::report::Status;
use crate::source::SourceMap;
use crate::testsuite::run::resource_ref;

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

struct Loaded {
    set: PolicySet,
    resources: Vec<Value>,
    values: Option<Values>,
    user: Option<UserInfo>,
}

pub fn run(args: ApplyArgs) -> u8 {
    let mut sources = SourceMap::new();
    let loaded = match load_all(&args, &mut sources) {
        Ok(l) => l,
        Err((message, diagnostics)) => {
            eprint!("{}", Emitter::plain(&sources).render_all(&diagnostics));
            eprintln!("error: {message}");
            return exit::INVALID_INPUT;
        }
    };
    let diagnostics = &loaded.set.diagnostics;
    eprint!("{}", Emitter::plain(&sources).render_all(diagnostics));
    let (set, evaluated) = evaluate_all(loaded);
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

fn load_all(args: &ApplyArgs, sources: &mut SourceMap) -> Result<Loaded, LoadError> {
    let policies = load::load_nodes(&args.policies, sources);
    if policies.has_errors() {
        return Err(("policies could not be loaded".into(), policies.diagnostics));
    }
    let mut ir = policy_set(&policies)?;
    let exceptions = load::load_nodes(&args.exceptions, sources);
    if exceptions.has_errors() {
        return Err((
            "exceptions could not be loaded".into(),
            exceptions.diagnostics,
        ));
    }
    ir.exceptions.extend(exception_docs(&exceptions)?);
    let resources = load::load_values(&args.resources, sources);
    if resources.has_errors() {
        return Err((
            "resources could not be loaded".into(),
            resources.diagnostics,
        ));
    }
    let values = args
        .values
        .as_ref()
        .map(|p| one_file(p, sources, testsuite::values_file))
        .transpose()?;
    let user = args
        .userinfo
        .as_ref()
        .map(|p| one_file(p, sources, testsuite::user_info_file))
        .transpose()?;
    let resources = resources
        .documents
        .into_iter()
        .map(|d| {
            let mut r = d.node;
            default_namespace(&mut r);
            r
        })
        .collect();
    Ok(Loaded {
        set: compile::compile(&ir),
        resources,
        values,
        user,
    })
}

/// Every resource through every policy, in parallel; results keep the resources' order.
/// Each resource moves into its request (no copy) once its name is taken for the output.
fn evaluate_all(loaded: Loaded) -> (PolicySet, Vec<Evaluated>) {
    let Loaded {
        set,
        resources,
        values,
        user,
    } = loaded;
    let inputs = Inputs {
        values: values.as_ref(),
        offline: None,
    };
    let operation = values
        .as_ref()
        .and_then(|v| {
            v.global_values
                .iter()
                .rev()
                .find(|(k, _)| k == "request.operation")
        })
        .and_then(|(_, v)| v.as_str()?.parse::<Operation>().ok())
        .unwrap_or_default();
    let evaluated = resources
        .into_par_iter()
        .map(|resource| {
            let reference = resource_ref(&resource);
            let mut request = Request::simulate(resource, operation, user.clone());
            request.namespace_labels = values
                .as_ref()
                .and_then(|v| v.labels_of(&request.namespace))
                .cloned();
            (reference, evaluate::evaluate(&set, request, inputs))
        })
        .collect();
    (set, evaluated)
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
