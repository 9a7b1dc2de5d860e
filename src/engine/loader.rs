//! Loading context entries (rules.md §5.2): `variable` entries computed from their value,
//! path and default; the sources that need a cluster from the offline backend
//! (rules.md §5.4), when the run has one.

use std::borrow::Cow;

use serde_json::Value;

use super::context::{JsonContext, Loader};
use super::offline::{Backend, Offline};
use super::sources;
use crate::compile::{ContextEntry, PathExpr, Source};
use crate::jmespath::Expression;
use crate::syntax::template::{Template, TemplateDoc};
use crate::value::go;

impl Loader for ContextEntry {
    fn load(&self, ctx: &mut JsonContext<'_>) -> Result<Value, String> {
        let name = self.name.as_str();
        let backend = ctx.backend();
        match (&self.source, backend) {
            (Source::Variable(v), _) => variable(
                name,
                v.value.as_ref(),
                v.jmes_path.as_ref(),
                v.default.as_ref(),
                ctx,
            ),
            (Source::ConfigMap(cm), Some(b)) => sources::config_map(name, cm, b, ctx),
            (Source::ApiCall(call), Some(b)) => sources::api_call(name, call, b, ctx),
            (Source::GlobalReference(g), Some(b)) => sources::global_reference(name, g, b, ctx),
            _ => Err(format!("context entry {name} is not available offline")),
        }
    }
}

/// Whether an entry is registered at all (rules.md §5.4 item 1): a source is registered
/// only when the run has its backend, so otherwise a values-file value of the same name
/// stays visible. Mocked `apiCall` entries are handled before registration.
pub fn registered(entry: &ContextEntry, backend: Option<Backend<'_>>) -> bool {
    let offline = backend.map(|b| b.offline);
    match entry.source {
        Source::Variable(_) | Source::Missing => true,
        Source::ConfigMap(_) | Source::ApiCall(_) => offline.is_some_and(|o| o.cluster().is_some()),
        Source::GlobalReference(_) => offline.is_some_and(Offline::has_globals),
        Source::ImageRegistry => false,
    }
}

/// A string template substituted in the context; `pointer` is its path in the document it
/// belongs to (empty for a lone string).
pub(super) fn render_text(
    t: &Template,
    pointer: &str,
    ctx: &mut JsonContext<'_>,
) -> Result<Value, String> {
    let site = ctx.site(pointer);
    t.render(ctx, site)
        .map(Cow::into_owned)
        .map_err(|e| e.to_string())
}

/// A document substituted in the context; `pointer` as for [`render_text`].
pub(super) fn render(
    doc: &TemplateDoc,
    pointer: &str,
    ctx: &mut JsonContext<'_>,
) -> Result<Value, String> {
    let site = ctx.site(pointer);
    doc.render(ctx, site)
        .map(Cow::into_owned)
        .map_err(|e| e.to_string())
}

fn variable(
    name: &str,
    value: Option<&TemplateDoc>,
    path: Option<&PathExpr>,
    default: Option<&TemplateDoc>,
    ctx: &mut JsonContext<'_>,
) -> Result<Value, String> {
    let path = path.map(|p| path_expression(p, ctx)).transpose()?;
    let default = default
        .map(|d| render(d, "", ctx))
        .transpose()?
        .unwrap_or(Value::Null);
    let output = match (value, &path) {
        (Some(v), None) => render(v, "", ctx)?,
        (Some(v), Some(expr)) => {
            let v = render(v, "", ctx)?;
            match expr.search(&v) {
                Ok(result) => result.into_owned(),
                Err(_) if !default.is_null() => default,
                Err(e) => {
                    return Err(format!(
                        "failed to apply jmespath {} to variable {}: {e}",
                        expr.text(),
                        go::sprint(&v)
                    ));
                }
            }
        }
        (None, Some(expr)) => match ctx.search(expr) {
            Ok(result) if !result.is_null() => result.into_owned(),
            Ok(_) => default,
            Err(_) if !default.is_null() => default,
            Err(e) => return Err(e.to_string()),
        },
        (None, None) => default,
    };
    if output.is_null() {
        return Err(format!(
            "failed to add context entry for variable {name} since it evaluated to nil"
        ));
    }
    Ok(output)
}

pub(super) fn path_expression(
    path: &PathExpr,
    ctx: &mut JsonContext<'_>,
) -> Result<Expression, String> {
    match path {
        PathExpr::Static(e) => Ok(e.clone()),
        PathExpr::Dynamic(t) => {
            let site = ctx.site("");
            let text = t.render(ctx, site).map_err(|e| e.to_string())?;
            let text = text
                .as_str()
                .ok_or("jmesPath must be a string after substitution")?;
            Expression::compile(text).map_err(|e| format!("incorrect query {text}: {e}"))
        }
    }
}
