//! Loading context entries (rules.md §5.2): `variable` entries computed from their value,
//! path and default; the other sources only as supplied offline.

use std::borrow::Cow;

use serde_json::Value;

use super::context::{JsonContext, Loader};
use crate::compile::{ContextEntry, PathExpr, Source};
use crate::jmespath::Expression;
use crate::syntax::template::{Site, TemplateDoc};
use crate::value::go;

impl Loader for ContextEntry {
    fn load(&self, ctx: &mut JsonContext<'_>) -> Result<Value, String> {
        match &self.source {
            Source::Variable(v) => variable(
                &self.name,
                v.value.as_ref(),
                v.jmes_path.as_ref(),
                v.default.as_ref(),
                ctx,
            ),
            _ => Err(format!(
                "context entry {} is not available offline",
                self.name
            )),
        }
    }
}

/// Whether an entry is registered at all offline: sources that need a cluster are not,
/// so a values-file value of the same name stays visible (rules.md §5.4).
pub fn registered(entry: &ContextEntry) -> bool {
    matches!(entry.source, Source::Variable(_) | Source::Missing)
}

fn render(doc: &TemplateDoc, ctx: &mut JsonContext<'_>) -> Result<Value, String> {
    let delete = ctx.is_delete();
    doc.render(
        ctx,
        Site {
            delete,
            ..Site::default()
        },
    )
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
        .map(|d| render(d, ctx))
        .transpose()?
        .unwrap_or(Value::Null);
    let output = match (value, &path) {
        (Some(v), None) => render(v, ctx)?,
        (Some(v), Some(expr)) => {
            let v = render(v, ctx)?;
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

fn path_expression(path: &PathExpr, ctx: &mut JsonContext<'_>) -> Result<Expression, String> {
    match path {
        PathExpr::Static(e) => Ok(e.clone()),
        PathExpr::Dynamic(t) => {
            let delete = ctx.is_delete();
            let text = t
                .render(
                    ctx,
                    Site {
                        delete,
                        ..Site::default()
                    },
                )
                .map_err(|e| e.to_string())?;
            let text = text
                .as_str()
                .ok_or("jmesPath must be a string after substitution")?;
            Expression::compile(text).map_err(|e| format!("incorrect query {text}: {e}"))
        }
    }
}
