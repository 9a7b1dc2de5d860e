//! `nomos apply`: evaluate policies over resources (in parallel), print the failures or a
//! report, exit 1 when an Enforce rule fails and 2 when the input is invalid.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use rayon::prelude::*;
use serde_json::Value;

use super::exit;
use super::output::{Entry, junit::junit, report::reports, yaml::to_yaml};
use crate::compile::{self, PolicySet};
use crate::diagnostic::{Diagnostic, Emitter};
use crate::engine::evaluate::{self, Inputs};
use crate::engine::request::{Operation, Request, default_namespace};
use crate::ir::inputs::{UserInfo, Values};
use crate::load::inputs::{LoadError, exception_docs, one_file, policy_set};
use crate::load::{self, testsuite};
use crate::report::{PolicyResponse, ResourceRef, Status};
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
    let responses = evaluate_all(&loaded);
    let refs: Vec<ResourceRef> = loaded.resources.iter().map(resource_ref).collect();
    let entries = entries(&loaded.set, &refs, &responses, args.audit_warn);
    print(&args, &loaded.set, &refs, &entries);
    if diagnostics.iter().any(Diagnostic::is_error) {
        exit::INVALID_INPUT
    } else if entries
        .iter()
        .any(|e| e.status == Status::Fail && e.response.enforce)
    {
        exit::FAILED
    } else {
        exit::OK
    }
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
fn evaluate_all(loaded: &Loaded) -> Vec<Vec<PolicyResponse>> {
    let inputs = Inputs {
        values: loaded.values.as_ref(),
        offline: None,
    };
    let operation = loaded
        .values
        .as_ref()
        .and_then(|v| {
            v.global_values
                .iter()
                .rev()
                .find(|(k, _)| k == "request.operation")
        })
        .and_then(|(_, v)| v.as_str()?.parse::<Operation>().ok())
        .unwrap_or_default();
    loaded
        .resources
        .par_iter()
        .map(|resource| {
            let mut request = Request::simulate(resource.clone(), operation, loaded.user.clone());
            request.namespace_labels = loaded
                .values
                .as_ref()
                .and_then(|v| v.labels_of(&request.namespace))
                .cloned();
            evaluate::evaluate(&loaded.set, &mut request, inputs)
        })
        .collect()
}

fn entries<'a>(
    set: &'a PolicySet,
    refs: &'a [ResourceRef],
    responses: &'a [Vec<PolicyResponse>],
    audit_warn: bool,
) -> Vec<Entry<'a>> {
    let mut out = Vec::new();
    for (resource, per_policy) in refs.iter().zip(responses) {
        for response in per_policy {
            let policy = &set.policies[response.policy];
            for rule in &response.rules {
                let warn = rule.status == Status::Fail
                    && (!policy.scored || (audit_warn && !rule.enforce));
                out.push(Entry {
                    policy: &policy.name,
                    policy_namespace: policy.namespace.as_deref(),
                    resource,
                    response: rule,
                    status: if warn { Status::Warn } else { rule.status },
                    category: policy.annotation("policies.kyverno.io/category"),
                    severity: policy.annotation("policies.kyverno.io/severity"),
                    scored: policy.scored,
                });
            }
        }
    }
    out
}

fn print(args: &ApplyArgs, set: &PolicySet, refs: &[ResourceRef], entries: &[Entry<'_>]) {
    let mut out = std::io::stdout().lock();
    let text = match args.output {
        Format::Table => table(set, refs, entries),
        Format::Json => {
            let docs = reports(entries);
            let value = if docs.len() == 1 {
                docs[0].clone()
            } else {
                Value::Array(docs)
            };
            serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
        }
        Format::Yaml => reports(entries)
            .iter()
            .map(to_yaml)
            .collect::<Vec<_>>()
            .join("---\n"),
        Format::Junit => junit(entries),
    };
    let _ = out.write_all(text.as_bytes());
}

/// Kyverno's default output: failures grouped by policy and resource, then the counts.
fn table(set: &PolicySet, refs: &[ResourceRef], entries: &[Entry<'_>]) -> String {
    let rules: usize = set
        .policies
        .iter()
        .filter(|p| p.invalid.is_none())
        .map(|p| p.rules.len())
        .sum();
    let mut out = format!(
        "\nApplying {rules} policy rule(s) to {} resource(s)...\n",
        refs.len()
    );
    let invalid: Vec<&str> = set
        .policies
        .iter()
        .filter(|p| p.invalid.is_some())
        .map(|p| p.name.as_str())
        .collect();
    if !invalid.is_empty() {
        out.push_str(&format!(
            "\nInvalid policies (not evaluated): {}\n",
            invalid.join(", ")
        ));
    }
    let mut group: Option<(&str, &ResourceRef)> = None;
    let mut n = 0;
    for e in entries
        .iter()
        .filter(|e| matches!(e.status, Status::Fail | Status::Warn | Status::Error))
    {
        if group != Some((e.policy, e.resource)) {
            group = Some((e.policy, e.resource));
            n = 0;
            let how = if e.status == Status::Warn {
                "failed as audit warning"
            } else {
                "failed"
            };
            out.push_str(&format!(
                "\npolicy {} -> resource {} {how}:\n",
                e.policy,
                e.resource.apply_key()
            ));
        }
        n += 1;
        out.push_str(&format!(
            "{n}. {} [{}] {}\n",
            e.response.rule, e.status, e.response.message
        ));
    }
    let count = |s: Status| entries.iter().filter(|e| e.status == s).count();
    out.push_str(&format!(
        "\npass: {}, fail: {}, warn: {}, error: {}, skip: {}\n",
        count(Status::Pass),
        count(Status::Fail),
        count(Status::Warn),
        count(Status::Error),
        count(Status::Skip)
    ));
    out
}
