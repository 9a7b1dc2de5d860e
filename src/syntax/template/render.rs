//! A parsed template + a context → its value. Kyverno's loop (rules.md §4.3): replace every
//! variable of a pass in order, then scan the new text again, until a pass finds no variable,
//! ends with a shallow one, or a variable is the whole text (its typed value is the result).

use std::borrow::Cow;
use std::ops::Deref;
use std::sync::Arc;

use serde_json::Value;

use super::scan::{self, Found, Parts};
use super::{
    Limit, OBJECT, OLD_OBJECT, QueryError, QueryTextError, ResolveCause, Resolver, Site, Template,
    TemplateError, Variable, unescape,
};
use crate::jmespath::Expression;
use crate::value::{go, type_name};

/// Most variables evaluated for one string, across all passes. Kyverno has no bound and
/// loops forever on self-reproducing values; real templates stay far below it.
pub(super) const MAX_VARIABLES: usize = 10_000;

/// Longest text that is scanned again. Only self-reproducing values grow past it (and would
/// make Kyverno loop forever); a longer final text is fine.
pub(super) const MAX_TEXT: usize = 1 << 20;

/// A variable of one pass: written in the template (compiled) or found in rescanned text.
#[derive(Clone, Copy)]
enum Item<'t> {
    Written(&'t Variable),
    Rescanned(Found),
}

impl Item<'_> {
    fn found(self) -> Found {
        match self {
            Item::Written(variable) => variable.found,
            Item::Rescanned(found) => found,
        }
    }
}

/// An expression ready to query: compiled with the template, or through its cache.
enum Ready<'t> {
    Written(&'t Expression),
    Cached(Arc<Expression>),
}

impl Deref for Ready<'_> {
    type Target = Expression;

    fn deref(&self) -> &Expression {
        match self {
            Ready::Written(expr) => expr,
            Ready::Cached(expr) => expr,
        }
    }
}

/// The outcome of one pass.
enum Passed {
    /// The first variable was the whole text.
    Whole(Value),
    /// The substituted text, and whether its last variable was shallow.
    Text { text: String, shallow_last: bool },
}

impl Template {
    pub(super) fn substitute(
        &self,
        variables: &[Variable],
        ctx: &mut dyn Resolver,
        site: Site<'_>,
    ) -> Result<Value, TemplateError> {
        let mut budget = MAX_VARIABLES;
        let written = variables.iter().map(Item::Written);
        let mut passed = self.pass(&self.text, written, ctx, site, &mut budget)?;
        let mut previous = Cow::Borrowed(&*self.text);
        loop {
            let (text, shallow_last) = match passed {
                Passed::Whole(value) => return Ok(value),
                Passed::Text { text, shallow_last } => (text, shallow_last),
            };
            if shallow_last {
                return Ok(Value::String(unescape(text)));
            }
            // Text without `{{` holds no variable, nor an escaped `\{{` to unescape: no need
            // to run the grammar over it.
            if !super::opens_variable(&text) {
                return Ok(Value::String(text));
            }
            let found = scan::scan(&text);
            if found.is_empty() {
                return Ok(Value::String(unescape(text)));
            }
            if text == previous {
                return Err(limit(site, Limit::Cycle));
            }
            if text.len() > MAX_TEXT {
                return Err(limit(site, Limit::Length));
            }
            let rescanned = found.into_iter().map(Item::Rescanned);
            passed = self.pass(&text, rescanned, ctx, site, &mut budget)?;
            previous = Cow::Owned(text);
        }
    }

    fn pass<'t>(
        &'t self,
        text: &str,
        items: impl Iterator<Item = Item<'t>>,
        ctx: &mut dyn Resolver,
        site: Site<'_>,
        budget: &mut usize,
    ) -> Result<Passed, TemplateError> {
        let mut splice = Splice::new(text);
        let mut shallow_last = false;
        for item in items {
            *budget = budget
                .checked_sub(1)
                .ok_or_else(|| limit(site, Limit::Variables))?;
            let found = item.found();
            let (expr, shallow) = self.ready(item, text, site)?;
            if found.is_whole(text) {
                return resolve(ctx, &expr, site, |v| Ok(v.into_owned())).map(Passed::Whole);
            }
            resolve(ctx, &expr, site, |v| {
                splice.replace(found, &piece(&v, shallow)?);
                Ok(())
            })?;
            // Searching is the slow path taken when produced text holds `{{`: bound it.
            if splice.searching && splice.out.len() > MAX_TEXT {
                return Err(limit(site, Limit::Length));
            }
            shallow_last = shallow;
        }
        let text = splice.finish();
        Ok(Passed::Text { text, shallow_last })
    }

    /// The expression an item queries, and whether it is shallow.
    fn ready<'t>(
        &'t self,
        item: Item<'t>,
        text: &str,
        site: Site<'_>,
    ) -> Result<(Ready<'t>, bool), TemplateError> {
        let variable = match item {
            Item::Written(variable) => variable,
            Item::Rescanned(found) => {
                let Parts { expr, shallow } = scan::parts(found.token(text));
                let expr = if expr == "@" {
                    site.at_text()
                } else {
                    Cow::Owned(expr)
                };
                return Ok((self.compile(&expr, site)?, shallow));
            }
        };
        let ready = match variable.query.compiled(site.delete) {
            Some(expr) => Ready::Written(expr),
            None => self.compile(&site.at_text(), site)?,
        };
        Ok((ready, variable.shallow))
    }

    /// Compiles an expression text met while rendering, through the template's cache.
    fn compile(&self, expr: &str, site: Site<'_>) -> Result<Ready<'_>, TemplateError> {
        let expr = if site.delete {
            Cow::Owned(expr.replace(OBJECT, OLD_OBJECT))
        } else {
            Cow::Borrowed(expr)
        };
        let invalid = |error| TemplateError::Resolve {
            expr: expr.to_string(),
            pointer: site.pointer.to_string(),
            cause: ResolveCause::Invalid(error),
        };
        if expr.is_empty() {
            return Err(invalid(QueryTextError::Empty));
        }
        self.cache
            .compile(&expr)
            .map(Ready::Cached)
            .map_err(|error| {
                let expr = expr.to_string();
                invalid(QueryTextError::Syntax { expr, error })
            })
    }
}

/// Queries the expression of a whole-variable text (see [`Template::whole_query`]), the
/// result borrowed from the context; a failure names the expression as rendering would.
pub fn query<'a>(
    ctx: &'a mut dyn Resolver,
    expr: &'a Expression,
    site: Site<'_>,
) -> Result<Cow<'a, Value>, TemplateError> {
    ctx.query(expr).map_err(|e| query_error(expr, site, e))
}

/// The error [`query`] gives when the query of `expr` fails, for a caller that ran the
/// query itself.
pub fn query_error(expr: &Expression, site: Site<'_>, error: QueryError) -> TemplateError {
    resolve_error(expr, site, error.into())
}

/// Queries `expr` and hands the result to `place`; a failure in either names the expression.
fn resolve<R>(
    ctx: &mut dyn Resolver,
    expr: &Expression,
    site: Site<'_>,
    place: impl FnOnce(Cow<'_, Value>) -> Result<R, ResolveCause>,
) -> Result<R, TemplateError> {
    let value = query(ctx, expr, site)?;
    place(value).map_err(|cause| resolve_error(expr, site, cause))
}

/// A failure to resolve `expr` at `site`.
fn resolve_error(expr: &Expression, site: Site<'_>, cause: ResolveCause) -> TemplateError {
    TemplateError::Resolve {
        expr: expr.text().to_string(),
        pointer: site.pointer.to_string(),
        cause,
    }
}

/// A value as text inside a string: strings as they are, anything else as Go JSON. A shallow
/// variable's `{{` are escaped so no later pass sees them.
fn piece(value: &Value, shallow: bool) -> Result<Cow<'_, str>, ResolveCause> {
    match value {
        Value::String(s) if shallow => Ok(Cow::Owned(s.replace("{{", "\\{{"))),
        Value::String(s) => Ok(Cow::Borrowed(s)),
        Value::Null => Ok(Cow::Borrowed("null")),
        other if shallow => Err(ResolveCause::ShallowNotString(type_name(other))),
        other => Ok(Cow::Owned(go::json(other))),
    }
}

fn limit(site: Site<'_>, limit: Limit) -> TemplateError {
    TemplateError::Limit {
        pointer: site.pointer.to_string(),
        limit,
    }
}

/// Builds the text of one pass. Kyverno replaces each variable (with the character before
/// it) at its *first occurrence* in the text replaced so far. That is the variable's own
/// position unless the text before it holds `{{`; only then is the occurrence searched for.
struct Splice<'s> {
    source: &'s str,
    /// The text so far; while not searching, the rest is `source[cursor..]`.
    out: String,
    cursor: usize,
    /// `out` holds `{{` somewhere.
    pair: bool,
    searching: bool,
}

impl<'s> Splice<'s> {
    fn new(source: &'s str) -> Splice<'s> {
        Splice {
            source,
            out: String::with_capacity(source.len() + 32),
            cursor: 0,
            pair: false,
            searching: false,
        }
    }

    fn replace(&mut self, found: Found, piece: &str) {
        if !self.searching {
            self.push(&self.source[self.cursor..found.start]);
            if !self.pair && !self.out.ends_with('{') {
                self.push(found.prefix(self.source));
                self.push(piece);
                self.cursor = found.end;
                return;
            }
            self.out.push_str(&self.source[found.start..]);
            self.cursor = self.source.len();
            self.searching = true;
        }
        let old = found.replaced(self.source);
        if let Some(at) = self.out.find(old) {
            let new = [found.prefix(self.source), piece].concat();
            self.out.replace_range(at..at + old.len(), &new);
        }
    }

    fn push(&mut self, chunk: &str) {
        let joins = self.out.ends_with('{') && chunk.starts_with('{');
        self.pair |= joins || super::opens_variable(chunk);
        self.out.push_str(chunk);
    }

    fn finish(mut self) -> String {
        self.out.push_str(&self.source[self.cursor..]);
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spliced(source: &str, pieces: &[&str]) -> String {
        let mut splice = Splice::new(source);
        for (found, piece) in scan::scan(source).into_iter().zip(pieces) {
            splice.replace(found, piece);
        }
        splice.finish()
    }

    #[test]
    fn a_growing_self_reproducing_value_stops_at_the_length_limit() {
        let a = format!("{}{{{{ a }}}}", "y".repeat(100_000));
        let template = Template::parse("x{{ a }}").expect("parses");
        let mut context = serde_json::json!({ "a": a });
        let outcome = template.render(&mut context, Site::default());
        assert!(matches!(
            outcome,
            Err(TemplateError::Limit {
                limit: Limit::Length,
                ..
            })
        ));
    }

    #[test]
    fn replaces_in_place_when_nothing_before_can_match() {
        assert_eq!(spliced("a {{x}} b {{y}}", &["1", "2"]), "a 1 b 2");
        assert_eq!(spliced("{{x}}-{{y}}", &["1", "2"]), "1-2");
    }

    #[test]
    fn replaces_the_first_occurrence_like_strings_replace() {
        // The first piece produces the text of the second variable: Kyverno's replacement
        // then hits the produced copy, leaving the written one for the next pass.
        assert_eq!(spliced("{{x}} {{y}}", &["a {{y}}", "2"]), "a 2 {{y}}");
        // `{{` written before the variables: searching finds the same place.
        assert_eq!(spliced("\\{{x}} {{y}}", &["2"]), "\\{{x}} 2");
    }
}
