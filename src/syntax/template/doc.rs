//! A JSON document whose strings and keys may hold variables → parsed once into a tree where
//! only those strings carry a [`Template`]; rendering substitutes them in place (rules.md
//! §4.3), descending into whole-string object and array results as Kyverno does.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::Limit;
use super::{QueryTextError, ResolveCause, Resolver, Site, Template, TemplateError};

/// Deepest nesting handled: document levels plus whole-string results descended into
/// (serde_json parses no deeper than this either).
pub(super) const MAX_DEPTH: usize = 128;

/// A document parsed once: fixed parts are kept as values, variable strings as templates.
#[derive(Clone, Debug)]
pub struct TemplateDoc {
    root: Node,
}

#[derive(Clone, Debug)]
enum Node {
    /// A part without any variable, returned as it is.
    Fixed(Value),
    Text(Template),
    Array(Vec<Node>),
    Object(Vec<Entry>),
}

#[derive(Clone, Debug)]
struct Entry {
    /// The key as written; the value's path uses it even when the key is renamed.
    key: String,
    /// The key's template, when the key holds `{{`.
    renamed: Option<Template>,
    value: Node,
}

impl TemplateDoc {
    /// Parses every string and key holding `{{`; an invalid expression is reported with the
    /// path of its string (its parent's path for a key).
    pub fn parse(doc: &Value) -> Result<TemplateDoc, TemplateError> {
        let mut pointer = String::new();
        Ok(TemplateDoc {
            root: parse_node(doc, &mut pointer, 0)?,
        })
    }

    /// Whether the document holds no variable.
    pub fn is_static(&self) -> bool {
        matches!(self.root, Node::Fixed(_))
    }

    /// The document's value when it holds no variable.
    pub fn fixed(&self) -> Option<&Value> {
        match &self.root {
            Node::Fixed(value) => Some(value),
            _ => None,
        }
    }

    /// The expression of a document that is one whole-variable string (see
    /// [`Template::whole_query`]). Its rendering is that query's result unless the result is
    /// an object or array holding `{{` (see [`TemplateDoc::walks_into`]).
    pub fn whole_query(&self, delete: bool) -> Option<&crate::jmespath::Expression> {
        match &self.root {
            Node::Text(template) => template.whole_query(delete),
            _ => None,
        }
    }

    /// Whether rendering substitutes inside this result of a whole-variable string.
    pub fn walks_into(result: &Value) -> bool {
        holds_variable(result)
    }

    /// [`TemplateDoc::walks_into`] for a result that is an array given as its elements.
    pub fn walks_into_elements(elements: &[&Value]) -> bool {
        elements
            .iter()
            .any(|element| holds_variable_inside(element))
    }

    /// The document with every variable substituted. `site.pointer` is the document's own
    /// path (usually empty); errors name the path of the failing string below it.
    pub fn render(
        &self,
        ctx: &mut dyn Resolver,
        site: Site<'_>,
    ) -> Result<Cow<'_, Value>, TemplateError> {
        if let Node::Fixed(value) = &self.root {
            return Ok(Cow::Borrowed(value));
        }
        let mut walk = Walk {
            ctx,
            site,
            pointer: site.pointer.to_string(),
        };
        walk.node(&self.root, 0).map(Cow::Owned)
    }
}

fn parse_node(value: &Value, pointer: &mut String, depth: usize) -> Result<Node, TemplateError> {
    if depth > MAX_DEPTH {
        return Err(too_deep(pointer));
    }
    match value {
        Value::String(s) if super::opens_variable(s) => parse_text(s, pointer),
        Value::Array(items) => {
            let mut nodes = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let len = push_index(pointer, i);
                nodes.push(parse_node(item, pointer, depth + 1)?);
                pointer.truncate(len);
            }
            Ok(fixed_array(nodes))
        }
        Value::Object(map) => {
            let mut entries = Vec::with_capacity(map.len());
            for (key, item) in map {
                entries.push(parse_entry(key, item, pointer, depth)?);
            }
            Ok(fixed_object(entries))
        }
        other => Ok(Node::Fixed(other.clone())),
    }
}

fn parse_text(text: &str, pointer: &str) -> Result<Node, TemplateError> {
    let template = Template::parse(text).map_err(|e| at_pointer(e, pointer))?;
    Ok(match template.static_text() {
        Some(fixed) => Node::Fixed(Value::String(fixed.to_string())),
        None => Node::Text(template),
    })
}

fn parse_entry(
    key: &str,
    value: &Value,
    pointer: &mut String,
    depth: usize,
) -> Result<Entry, TemplateError> {
    let renamed = match super::opens_variable(key) {
        true => Some(Template::parse(key).map_err(|e| at_pointer(e, pointer))?),
        false => None,
    };
    let len = push_key(pointer, key);
    let value = parse_node(value, pointer, depth + 1)?;
    pointer.truncate(len);
    Ok(Entry {
        key: key.to_string(),
        renamed,
        value,
    })
}

/// An array of fixed values is one fixed value.
fn fixed_array(nodes: Vec<Node>) -> Node {
    if !nodes.iter().all(|n| matches!(n, Node::Fixed(_))) {
        return Node::Array(nodes);
    }
    let values = nodes.into_iter().filter_map(|n| match n {
        Node::Fixed(value) => Some(value),
        _ => None,
    });
    Node::Fixed(Value::Array(values.collect()))
}

/// An object of fixed keys and fixed values is one fixed value.
fn fixed_object(entries: Vec<Entry>) -> Node {
    let fixed = |e: &Entry| e.renamed.is_none() && matches!(e.value, Node::Fixed(_));
    if !entries.iter().all(fixed) {
        return Node::Object(entries);
    }
    let map = entries.into_iter().filter_map(|e| match e.value {
        Node::Fixed(value) => Some((e.key, value)),
        _ => None,
    });
    Node::Fixed(Value::Object(map.collect()))
}

/// One rendering: the context, the site settings and the path of the current node.
struct Walk<'c, 's> {
    ctx: &'c mut dyn Resolver,
    site: Site<'s>,
    pointer: String,
}

impl Walk<'_, '_> {
    fn node(&mut self, node: &Node, depth: usize) -> Result<Value, TemplateError> {
        match node {
            Node::Fixed(value) => Ok(value.clone()),
            Node::Text(template) => {
                let value = self.text(template)?;
                self.descend(value, depth)
            }
            Node::Array(nodes) => {
                let mut values = Vec::with_capacity(nodes.len());
                for (i, node) in nodes.iter().enumerate() {
                    let len = push_index(&mut self.pointer, i);
                    values.push(self.node(node, depth + 1)?);
                    self.pointer.truncate(len);
                }
                Ok(Value::Array(values))
            }
            Node::Object(entries) => {
                let mut map = Map::new();
                for entry in entries {
                    let key = self.key(&entry.key, entry.renamed.as_ref())?;
                    let len = push_key(&mut self.pointer, &entry.key);
                    map.insert(key, self.node(&entry.value, depth + 1)?);
                    self.pointer.truncate(len);
                }
                Ok(Value::Object(map))
            }
        }
    }

    fn text(&mut self, template: &Template) -> Result<Value, TemplateError> {
        let site = Site {
            pointer: &self.pointer,
            ..self.site
        };
        Ok(template.render(&mut *self.ctx, site)?.into_owned())
    }

    /// A key must stay a string; a whole-string null keeps the key as written.
    fn key(&mut self, key: &str, renamed: Option<&Template>) -> Result<String, TemplateError> {
        let Some(template) = renamed else {
            return Ok(key.to_string());
        };
        match self.text(template)? {
            Value::String(s) => Ok(s),
            Value::Null => Ok(key.to_string()),
            _ => Err(TemplateError::KeyNotString {
                key: key.to_string(),
                pointer: self.pointer.clone(),
            }),
        }
    }

    /// Substitutes inside a whole-string object or array result **(quirk)**.
    fn descend(&mut self, value: Value, depth: usize) -> Result<Value, TemplateError> {
        if !holds_variable(&value) {
            return Ok(value);
        }
        if depth >= MAX_DEPTH {
            return Err(too_deep(&self.pointer));
        }
        let root = parse_node(&value, &mut String::new(), depth)
            .map_err(|e| rendered_invalid(e, &self.pointer))?;
        self.node(&root, depth + 1)
    }
}

/// Whether a result holds a string or key with `{{` inside an object or array.
fn holds_variable(value: &Value) -> bool {
    matches!(value, Value::Array(_) | Value::Object(_)) && holds_variable_inside(value)
}

/// Whether a value inside a result is, or holds, a string or key with `{{`.
fn holds_variable_inside(value: &Value) -> bool {
    match value {
        Value::String(s) => super::opens_variable(s),
        Value::Array(items) => items.iter().any(holds_variable_inside),
        Value::Object(map) => map
            .iter()
            .any(|(k, v)| super::opens_variable(k) || holds_variable_inside(v)),
        _ => false,
    }
}

/// Appends `/<i>`; returns the length to truncate back to.
fn push_index(pointer: &mut String, i: usize) -> usize {
    let len = pointer.len();
    pointer.push('/');
    pointer.push_str(&i.to_string());
    len
}

/// Appends `/<key>`, a `/` in the key written `\/` as Kyverno does.
fn push_key(pointer: &mut String, key: &str) -> usize {
    let len = pointer.len();
    pointer.push('/');
    pointer.push_str(&key.replace('/', "\\/"));
    len
}

fn at_pointer(error: TemplateError, pointer: &str) -> TemplateError {
    match error {
        TemplateError::Invalid { offset, error, .. } => TemplateError::Invalid {
            pointer: pointer.to_string(),
            offset,
            error,
        },
        other => other,
    }
}

/// An invalid expression inside a rendered result is found while rendering: Kyverno reports
/// it as a variable it failed to resolve.
fn rendered_invalid(error: TemplateError, base: &str) -> TemplateError {
    match error {
        TemplateError::Invalid { pointer, error, .. } => TemplateError::Resolve {
            expr: match &error {
                QueryTextError::Empty => String::new(),
                QueryTextError::Syntax { expr, .. } => expr.clone(),
            },
            pointer: format!("{base}{pointer}"),
            cause: ResolveCause::Invalid(error),
        },
        TemplateError::Limit { pointer, limit } => TemplateError::Limit {
            pointer: format!("{base}{pointer}"),
            limit,
        },
        other => other,
    }
}

fn too_deep(pointer: &str) -> TemplateError {
    TemplateError::Limit {
        pointer: pointer.to_string(),
        limit: Limit::Depth,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::TemplateDoc;

    /// A list given as its elements is walked into exactly when the array of them is: a
    /// string element holding `{{` counts, as it does inside the array.
    #[test]
    fn elements_are_walked_into_as_their_array() {
        let lists = [
            json!([]),
            json!(["nginx", "docker.io/istio/proxyv2:1"]),
            json!(["{{ request.object.kind }}"]),
            json!(["a", "b{{c"]),
            json!([{"k": "{{ x }}"}]),
            json!([{"{{ k }}": 1}]),
            json!([["{{ x }}"]]),
            json!([1, true, null, {"a": ["b"]}]),
        ];
        for list in lists {
            let elements: Vec<&Value> = list.as_array().into_iter().flatten().collect();
            assert_eq!(
                TemplateDoc::walks_into_elements(&elements),
                TemplateDoc::walks_into(&list),
                "{list}"
            );
        }
        // The elements' array counts; a single string result does not (its `{{` is text).
        assert!(TemplateDoc::walks_into_elements(&[&json!("{{ x }}")]));
        assert!(!TemplateDoc::walks_into(&json!("{{ x }}")));
    }
}
