//! `nomos apply`'s inputs → the compiled policies and every resource's responses. The
//! resources are evaluated as they are read, piece by piece in parallel, so a large input
//! never holds all its resources in memory at once; any problem in the resource files
//! falls back to reading them all first, which reports every problem exactly.

use rayon::prelude::*;
use serde_json::Value;

use super::ApplyArgs;
use crate::compile::{self, PolicySet};
use crate::engine::evaluate::{self, Inputs};
use crate::engine::request::{Operation, Request, default_namespace};
use crate::ir::{self, inputs::UserInfo, inputs::Values};
use crate::load::inputs::{LoadError, exception_docs, one_file, policy_set};
use crate::load::{self, testsuite};
use crate::report::{PolicyResponse, ResourceRef};
use crate::source::{FileId, SourceMap};
use crate::testsuite::run::resource_ref;

/// What is kept of one resource's responses (`keep` runs in parallel, as each resource
/// is evaluated). The responses borrow from the policy set (`'s`), and so may what is kept.
pub(super) trait Keep<'s, R>:
    Fn(&'s PolicySet, ResourceRef, Vec<PolicyResponse<'s>>) -> R + Sync
{
}

impl<'s, R, F> Keep<'s, R> for F where
    F: Fn(&'s PolicySet, ResourceRef, Vec<PolicyResponse<'s>>) -> R + Sync
{
}

/// The policies and exceptions, loaded and compiled: checked before any other input.
pub(super) fn compile_policies(
    args: &ApplyArgs,
    sources: &mut SourceMap,
) -> Result<PolicySet, LoadError> {
    Ok(compile::compile(&policies(args, sources)?))
}

/// What `keep` makes of each resource's responses to `set`, in input order. Inputs are
/// checked in order (after the policies and exceptions): resources, values, user info.
pub(super) fn run<'s, R: Send>(
    set: &'s PolicySet,
    args: &ApplyArgs,
    sources: &mut SourceMap,
    keep: impl Keep<'s, R>,
) -> Result<Vec<R>, LoadError> {
    let (values, user) = values_and_user(args, sources);
    let (files, read) = load::read_sources(&args.resources, sources);
    if let (Ok(values), Ok(user), true) = (&values, &user, read.is_empty()) {
        let context = Context::new(set, values.as_ref(), user.as_ref(), &keep);
        if let Some(evaluated) = evaluate_in_pieces(&context, sources, &files) {
            return Ok(evaluated);
        }
    }
    let resources = load::prepend(read, load::values(sources, &files));
    if resources.has_errors() {
        let message = "resources could not be loaded".into();
        return Err((message, resources.diagnostics));
    }
    let (values, user) = (values?, user?);
    let context = Context::new(set, values.as_ref(), user.as_ref(), &keep);
    let resources = resources.documents.into_par_iter().map(|d| d.node);
    Ok(resources.map(|r| context.evaluate(r)).collect())
}

type Loaded<T> = Result<Option<T>, LoadError>;

/// The values and user-info files, if given; their errors are reported after the
/// resources' own.
fn values_and_user(
    args: &ApplyArgs,
    sources: &mut SourceMap,
) -> (Loaded<Values>, Loaded<UserInfo>) {
    let values = args
        .values
        .as_ref()
        .map(|p| one_file(p, sources, testsuite::values_file))
        .transpose();
    let user = args
        .userinfo
        .as_ref()
        .map(|p| one_file(p, sources, testsuite::user_info_file))
        .transpose();
    (values, user)
}

fn policies(args: &ApplyArgs, sources: &mut SourceMap) -> Result<ir::PolicySet, LoadError> {
    let policies = load::load_nodes(&args.policies, sources);
    if policies.has_errors() {
        return Err(("policies could not be loaded".into(), policies.diagnostics));
    }
    let mut ir = policy_set(&policies)?;
    let exceptions = load::load_nodes(&args.exceptions, sources);
    if exceptions.has_errors() {
        let message = "exceptions could not be loaded".into();
        return Err((message, exceptions.diagnostics));
    }
    ir.exceptions.extend(exception_docs(&exceptions)?);
    Ok(ir)
}

/// Every resource of the files, read and evaluated piece by piece in parallel; `None`
/// when a piece cannot be read on its own.
fn evaluate_in_pieces<'s, R: Send, K: Keep<'s, R>>(
    context: &Context<'s, '_, K>,
    sources: &SourceMap,
    files: &[FileId],
) -> Option<Vec<R>> {
    let pieces = load::pieces(sources, files);
    let evaluated: Option<Vec<Vec<R>>> = pieces
        .par_iter()
        .map(|piece| {
            let resources = load::piece_values(sources, piece)?;
            let resources = resources.into_par_iter().map(|d| d.node);
            Some(resources.map(|r| context.evaluate(r)).collect())
        })
        .collect();
    Some(evaluated?.into_iter().flatten().collect())
}

/// What every resource is evaluated with, and what is kept of its responses.
struct Context<'s, 'a, K> {
    set: &'s PolicySet,
    values: Option<&'a Values>,
    user: Option<&'a UserInfo>,
    operation: Operation,
    keep: &'a K,
}

impl<'s, 'a, K> Context<'s, 'a, K> {
    fn new(
        set: &'s PolicySet,
        values: Option<&'a Values>,
        user: Option<&'a UserInfo>,
        keep: &'a K,
    ) -> Self {
        let operation = values
            .and_then(|v| {
                let mut globals = v.global_values.iter().rev();
                globals.find(|(k, _)| k == "request.operation")
            })
            .and_then(|(_, v)| v.as_str()?.parse::<Operation>().ok())
            .unwrap_or_default();
        Context {
            set,
            values,
            user,
            operation,
            keep,
        }
    }

    /// What is kept of the resource's responses; the resource moves into its request
    /// once its name is taken for the output.
    fn evaluate<R>(&self, mut resource: Value) -> R
    where
        K: Keep<'s, R>,
    {
        default_namespace(&mut resource);
        let reference = resource_ref(&resource);
        let mut request = Request::simulate(resource, self.operation, self.user.cloned());
        request.namespace_labels = self
            .values
            .and_then(|v| v.labels_of(&request.namespace))
            .cloned();
        let inputs = Inputs {
            values: self.values,
            offline: None,
            timings: None,
        };
        let responses = evaluate::evaluate(self.set, &mut request, inputs);
        (self.keep)(self.set, reference, responses)
    }
}
