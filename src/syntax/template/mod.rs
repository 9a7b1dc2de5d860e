//! `{{ }}` templates (rules.md §4): a string is parsed once into its variables, each with its
//! expression compiled once; rendering asks a [`Resolver`] for each value and returns the
//! typed result or the substituted text, exactly as Kyverno substitutes variables.
//! [`TemplateDoc`] does the same for a whole JSON document (values and keys).

mod at;
mod cache;
mod doc;
mod error;
mod render;
mod scan;

use std::borrow::Cow;

use serde_json::Value;

use crate::jmespath::Expression;

pub use at::at_path;
pub use cache::KeyedTemplates;

pub use doc::TemplateDoc;
pub use error::{Limit, QueryError, QueryTextError, ResolveCause, TemplateError};
pub use render::{query, query_error};

use cache::ExprCache;
use scan::{Found, Parts};

/// Whether `text` holds `{{`, the opening of a variable. Found by looking for `{` and then
/// its neighbour: the texts asked about are short, and preparing a substring search cost
/// more than the search. The shortest (most names and images) are scanned by a plain loop.
#[inline]
pub fn opens_variable(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.len() < crate::value::SHORT_SCAN {
        return bytes
            .windows(2)
            .any(|pair| pair[0] == b'{' && pair[1] == b'{');
    }
    memchr::memchr_iter(b'{', bytes).any(|at| bytes.get(at + 1) == Some(&b'{'))
}

/// What DELETE requests rewrite in every expression (rules.md §4.7).
const OBJECT: &str = "request.object";
const OLD_OBJECT: &str = "request.oldObject";

/// Answers queries against the JSON context (`request`, `element`, context entries, ...).
pub trait Resolver {
    /// Evaluates `expr`; the result may borrow from the context or the expression.
    fn query<'a>(&'a mut self, expr: &'a Expression) -> Result<Cow<'a, Value>, QueryError>;
}

/// A plain JSON value is a context: queries search it.
impl Resolver for Value {
    fn query<'a>(&'a mut self, expr: &'a Expression) -> Result<Cow<'a, Value>, QueryError> {
        Ok(expr.search(self)?)
    }
}

/// Where a string is rendered.
#[derive(Clone, Copy, Debug, Default)]
pub struct Site<'a> {
    /// The string's path in its document as Kyverno prints it (`/spec/containers/0/name`);
    /// empty for a condition key or value.
    pub pointer: &'a str,
    /// The JMESPath `{{@}}` stands for; `None` derives it from `pointer` with the root
    /// `request.object` (rules.md §4.6.6).
    pub at: Option<&'a str>,
    /// The request is a DELETE: `request.object` in every expression reads
    /// `request.oldObject` (rules.md §4.7).
    pub delete: bool,
}

impl<'a> Site<'a> {
    fn at_text(&self) -> Cow<'a, str> {
        match self.at {
            Some(text) => Cow::Borrowed(text),
            None => Cow::Owned(at_path(self.pointer, OBJECT)),
        }
    }
}

/// A string parsed once: its text and the variables Kyverno's first scan finds in it.
#[derive(Debug)]
pub struct Template {
    text: Box<str>,
    body: Body,
    /// Expressions only known while rendering (nested variables, rescanned text, `@`).
    cache: ExprCache,
}

#[derive(Debug)]
enum Body {
    /// No variable: the final text (`\{{` already turned into `{{`), handed out by reference.
    Static(Value),
    /// The variables of the first pass, left to right.
    Variables(Vec<Variable>),
}

#[derive(Debug)]
struct Variable {
    found: Found,
    query: Query,
    shallow: bool,
}

#[derive(Debug)]
enum Query {
    /// The expression, and its DELETE twin when the text names `request.object`.
    Compiled {
        expr: Expression,
        on_delete: Option<Box<Expression>>,
    },
    /// `{{@}}`: the path of the string, known only where it is rendered.
    At,
}

impl Query {
    /// The expression to run (the DELETE twin on DELETE); `None` for `{{@}}`.
    fn compiled(&self, delete: bool) -> Option<&Expression> {
        match self {
            Query::Compiled {
                on_delete: Some(twin),
                ..
            } if delete => Some(twin),
            Query::Compiled { expr, .. } => Some(expr),
            Query::At => None,
        }
    }
}

impl Template {
    /// Finds the variables of `text` and compiles their expressions. A text without `{{` is
    /// recognised without scanning.
    pub fn parse(text: &str) -> Result<Template, TemplateError> {
        let found = scan::scan(text);
        let body = if found.is_empty() {
            Body::Static(Value::String(unescape(text.to_string())))
        } else {
            let variables = found.into_iter().map(|f| Variable::compile(text, f));
            Body::Variables(variables.collect::<Result<_, _>>()?)
        };
        Ok(Template {
            text: text.into(),
            body,
            cache: ExprCache::default(),
        })
    }

    /// The text as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether the text holds no variable (rendering then never queries).
    pub fn is_static(&self) -> bool {
        matches!(self.body, Body::Static(_))
    }

    /// The rendered text of a template without variables.
    pub fn static_text(&self) -> Option<&str> {
        match &self.body {
            Body::Static(value) => value.as_str(),
            Body::Variables(_) => None,
        }
    }

    /// The expressions of the variables written in the text (`@` as `@`); nested outer
    /// expressions are not known before rendering.
    pub fn expressions(&self) -> impl Iterator<Item = &str> {
        let variables = match &self.body {
            Body::Static(_) => &[][..],
            Body::Variables(variables) => variables.as_slice(),
        };
        variables.iter().map(|v| match &v.query {
            Query::Compiled { expr, .. } => expr.text(),
            Query::At => "@",
        })
    }

    /// The expression of a text that is one variable and nothing else (its DELETE twin on
    /// DELETE): rendering such a text gives that query's result as it is, so a caller can
    /// query it directly and borrow the result (see [`query`]). `None` for `{{@}}`.
    pub fn whole_query(&self, delete: bool) -> Option<&Expression> {
        let Body::Variables(variables) = &self.body else {
            return None;
        };
        let first = variables.first().filter(|v| v.found.is_whole(&self.text))?;
        first.query.compiled(delete)
    }

    /// Substitutes every variable: a string that is one variable gives that variable's typed
    /// value, any other string gives text (rules.md §4.3).
    pub fn render(
        &self,
        ctx: &mut dyn Resolver,
        site: Site<'_>,
    ) -> Result<Cow<'_, Value>, TemplateError> {
        match &self.body {
            Body::Static(value) => Ok(Cow::Borrowed(value)),
            Body::Variables(variables) => self.substitute(variables, ctx, site).map(Cow::Owned),
        }
    }
}

impl Clone for Template {
    /// The clone starts with an empty cache.
    fn clone(&self) -> Template {
        let reparsed = Template::parse(&self.text);
        reparsed.expect("invariant: a parsed template's text parses again")
    }
}

impl Variable {
    fn compile(text: &str, found: Found) -> Result<Variable, TemplateError> {
        let Parts { expr, shallow } = scan::parts(found.token(text));
        let invalid = |error| TemplateError::Invalid {
            pointer: String::new(),
            offset: found.open,
            error,
        };
        let query = match expr.as_str() {
            "@" => Query::At,
            "" => return Err(invalid(QueryTextError::Empty)),
            _ => {
                let compile = |text: &str| {
                    Expression::compile(text).map_err(|error| {
                        let expr = text.to_string();
                        invalid(QueryTextError::Syntax { expr, error })
                    })
                };
                let compiled = compile(&expr)?;
                let twin = expr
                    .contains(OBJECT)
                    .then(|| expr.replace(OBJECT, OLD_OBJECT));
                Query::Compiled {
                    expr: compiled,
                    on_delete: twin.as_deref().map(compile).transpose()?.map(Box::new),
                }
            }
        };
        Ok(Variable {
            found,
            query,
            shallow,
        })
    }
}

/// The last step of every substitution: an escaped `\{{` loses its backslash.
fn unescape(text: String) -> String {
    if text.contains("\\{{") {
        text.replace("\\{{", "{{")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn variables(template: &Template) -> &[Variable] {
        match &template.body {
            Body::Variables(variables) => variables,
            Body::Static(_) => &[],
        }
    }

    #[test]
    fn opens_variable_finds_two_braces_in_a_row() {
        for text in ["{{", "a{{b", "{x{{", "{{{", "é{{"] {
            assert!(opens_variable(text), "{text:?}");
        }
        for text in ["", "{", "{ {", "a{b{c", "}}", "x{"] {
            assert!(!opens_variable(text), "{text:?}");
        }
        // Texts of 32 bytes and more are searched with memchr.
        let long = "x".repeat(40);
        assert!(opens_variable(&format!("{long}{{{{")));
        assert!(opens_variable(&format!("{{{{{long}")));
        assert!(!opens_variable(&format!("{long}{{")));
        assert!(!opens_variable(&"{ ".repeat(20)));
    }

    #[test]
    fn templates_can_be_shared_between_threads() {
        fn shared<T: Send + Sync>() {}
        shared::<Template>();
        shared::<TemplateDoc>();
    }

    #[test]
    fn a_text_without_variables_renders_by_reference() {
        let template = Template::parse("plain").expect("parses");
        let rendered = template.render(&mut json!({}), Site::default());
        assert!(matches!(rendered, Ok(Cow::Borrowed(_))));
        assert_eq!(template.static_text(), Some("plain"));
    }

    #[test]
    fn only_expressions_naming_request_object_get_a_delete_twin() {
        let template = Template::parse("{{ a }} {{ request.object.b }}").expect("parses");
        let twins: Vec<Option<&str>> = variables(&template)
            .iter()
            .map(|v| match &v.query {
                Query::Compiled { on_delete, .. } => on_delete.as_deref().map(Expression::text),
                Query::At => None,
            })
            .collect();
        assert_eq!(twins, [None, Some("request.oldObject.b")]);
    }

    #[test]
    fn a_nested_outer_expression_is_compiled_once() {
        let template = Template::parse("{{ a.{{ b }} }}").expect("parses");
        let mut context = json!({"a": {"x": 1}, "b": "x"});
        for _ in 0..3 {
            let value = template.render(&mut context, Site::default());
            assert_eq!(value.ok().map(Cow::into_owned), Some(json!(1)));
        }
        assert_eq!(template.cache.len(), 1);
        assert_eq!(template.expressions().collect::<Vec<_>>(), ["b"]);
    }

    #[test]
    fn parse_errors_carry_the_offset_of_the_variable() {
        let error = Template::parse("ok {{ a }} then {{ a. }}").err();
        assert!(matches!(
            error,
            Some(TemplateError::Invalid { offset: 16, .. })
        ));
    }
}
