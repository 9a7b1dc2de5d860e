//! Why a template could not be parsed or rendered, worded as Kyverno words it
//! (jmespath.md §1.10 step 6, rules.md §4.3 and §4.5).

use std::error::Error;

use crate::jmespath::{CompileError, EvalError};

/// A template that could not be parsed or rendered.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// `{{ a. }}`, `{{ }}`: a variable whose expression does not compile, found when the
    /// template is parsed (Kyverno's policy validation rejects such a policy).
    #[error("{error}")]
    Invalid {
        /// Where the string sits in its document (empty for a single string).
        pointer: String,
        /// Byte offset of the variable's `{{` in the string.
        offset: usize,
        error: QueryTextError,
    },
    /// `{{ request.object.missing }}`: a variable that could not be resolved while rendering.
    #[error("failed to resolve {expr} at path {pointer}: {cause}")]
    Resolve {
        /// The expression as queried (after `@` and DELETE rewriting).
        expr: String,
        pointer: String,
        cause: ResolveCause,
    },
    /// `{"{{ request.object.spec.replicas }}": 1}`: a key must stay a string.
    #[error("expected string after substituting variables in key \"{key}\"")]
    KeyNotString { key: String, pointer: String },
    /// A value that embeds itself (`a: "{{a}}"` rendered into `"x{{a}}"`) would make Kyverno
    /// loop forever; here it stops at a limit.
    #[error("variable substitution at path {pointer} stopped: {limit}")]
    Limit { pointer: String, limit: Limit },
}

impl TemplateError {
    /// The path in the document the error belongs to.
    pub fn pointer(&self) -> &str {
        match self {
            TemplateError::Invalid { pointer, .. }
            | TemplateError::Resolve { pointer, .. }
            | TemplateError::KeyNotString { pointer, .. }
            | TemplateError::Limit { pointer, .. } => pointer,
        }
    }
}

/// An expression text that cannot be queried.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum QueryTextError {
    /// `{{ }}`, `{{- }}`.
    #[error("invalid query (nil)")]
    Empty,
    /// `{{ a. }}`: the parser's message.
    #[error("incorrect query {expr}: {error}")]
    Syntax { expr: String, error: CompileError },
}

/// Why one variable could not be resolved.
#[derive(Debug, thiserror::Error)]
pub enum ResolveCause {
    /// The context answered with an error.
    #[error("{0}")]
    Query(#[from] QueryError),
    /// An expression only known while rendering (nested or rescanned) does not compile.
    #[error("{0}")]
    Invalid(QueryTextError),
    /// `x{{- request.object.spec }}`: a shallow variable inside text must give a string or
    /// null (Kyverno crashes on anything else).
    #[error("shallow substitution needs a string, got {0}")]
    ShallowNotString(&'static str),
}

/// What a [`super::Resolver`] answers when a query fails.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// `request.object.missing`: `JMESPath query failed: Unknown key "missing" in path`.
    #[error("JMESPath query failed: {0}")]
    Eval(#[from] EvalError),
    /// A context entry the query needed could not be loaded (rules.md §5.1); its message is
    /// reported as is.
    #[error("{0}")]
    Context(Box<dyn Error + Send + Sync>),
}

/// Which bound stopped a runaway substitution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Limit {
    /// The text came back unchanged from a pass, so every further pass would repeat it.
    #[error("the text reproduces itself")]
    Cycle,
    /// A text to be scanned again grew too long.
    #[error("the text grew past {} bytes", super::render::MAX_TEXT)]
    Length,
    /// Too many variables evaluated for one string.
    #[error("more than {} variables evaluated", super::render::MAX_VARIABLES)]
    Variables,
    /// Whole-string results that hold further variables, nested too deep.
    #[error(
        "results nest variables more than {} levels deep",
        super::doc::MAX_DEPTH
    )]
    Depth,
}
