//! Reading spanned mappings field by field: unknown fields and wrong types become
//! diagnostics that name the field path; decoding goes on so every problem is reported.

use crate::diagnostic::Diagnostic;
use crate::ir::{Node, NodeValue};
use crate::source::Spanned;

/// Collects the diagnostics of one document.
#[derive(Default)]
pub struct Decoder {
    pub diagnostics: Vec<Diagnostic>,
}

impl Decoder {
    pub fn error(&mut self, node: &Node, message: String, expected: Option<String>) {
        let mut d = Diagnostic::error(message).at(node.span);
        if let Some(label) = expected {
            d = d.with_label(label);
        }
        self.diagnostics.push(d);
    }

    fn wrong_type(&mut self, node: &Node, path: &str, expected: &str) {
        self.error(
            node,
            format!("{path}: expected {expected}, found {}", node.kind_name()),
            Some(format!("expected {expected}")),
        );
    }

    /// A mapping whose keys must be among `known`; `None` (with a diagnostic) otherwise.
    pub fn object<'a>(&mut self, node: &'a Node, path: &str, known: &[&str]) -> Option<Obj<'a>> {
        let Some(entries) = node.entries() else {
            self.wrong_type(node, path, "a mapping");
            return None;
        };
        for entry in entries {
            if !known.contains(&entry.key.node.as_str()) {
                self.diagnostics.push(
                    Diagnostic::error(format!("{path}: unknown field \"{}\"", entry.key.node))
                        .at(entry.key.span)
                        .with_label(format!("expected one of: {}", known.join(", "))),
                );
            }
        }
        Some(Obj {
            node,
            path: path.to_string(),
        })
    }

    pub fn string(&mut self, node: &Node, path: &str) -> Option<Spanned<String>> {
        match &node.value {
            NodeValue::String(s) => Some(Spanned::new(s.clone(), node.span)),
            _ => {
                self.wrong_type(node, path, "a string");
                None
            }
        }
    }

    pub fn boolean(&mut self, node: &Node, path: &str) -> Option<Spanned<bool>> {
        match node.value {
            NodeValue::Bool(b) => Some(Spanned::new(b, node.span)),
            _ => {
                self.wrong_type(node, path, "a boolean");
                None
            }
        }
    }

    /// The items of a list; `None` (with a diagnostic) for anything else.
    pub fn list<'a>(&mut self, node: &'a Node, path: &str) -> Option<&'a [Node]> {
        let items = node.items();
        if items.is_none() {
            self.wrong_type(node, path, "a list");
        }
        items
    }

    pub fn strings(&mut self, node: &Node, path: &str) -> Vec<Spanned<String>> {
        let items = self.list(node, path).unwrap_or_default();
        items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| self.string(item, &format!("{path}[{i}]")))
            .collect()
    }

    /// A mapping of strings to strings, in source order.
    pub fn string_map(
        &mut self,
        node: &Node,
        path: &str,
    ) -> Vec<(Spanned<String>, Spanned<String>)> {
        let Some(entries) = node.entries() else {
            self.wrong_type(node, path, "a mapping of strings");
            return Vec::new();
        };
        entries
            .iter()
            .filter_map(|e| {
                let value = self.string(&e.value, &format!("{path}.{}", e.key.node))?;
                Some((e.key.clone(), value))
            })
            .collect()
    }

    /// Decodes every item of a list with `item`, naming each `path[i]`.
    pub fn each<T>(
        &mut self,
        node: &Node,
        path: &str,
        mut item: impl FnMut(&mut Decoder, &Node, &str) -> Option<T>,
    ) -> Vec<T> {
        let items = self.list(node, path).unwrap_or_default();
        items
            .iter()
            .enumerate()
            .filter_map(|(i, n)| item(self, n, &format!("{path}[{i}]")))
            .collect()
    }
}

/// A mapping being decoded; fields that are absent or `null` read as absent, as in
/// Kubernetes.
pub struct Obj<'a> {
    pub node: &'a Node,
    pub path: String,
}

impl<'a> Obj<'a> {
    pub fn get(&self, key: &str) -> Option<&'a Node> {
        self.node.get(key).filter(|n| !n.is_null())
    }

    /// The path of a field, for diagnostics.
    pub fn at(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    pub fn string(&self, d: &mut Decoder, key: &str) -> Option<Spanned<String>> {
        self.get(key).and_then(|n| d.string(n, &self.at(key)))
    }

    pub fn boolean(&self, d: &mut Decoder, key: &str) -> Option<Spanned<bool>> {
        self.get(key).and_then(|n| d.boolean(n, &self.at(key)))
    }

    pub fn strings(&self, d: &mut Decoder, key: &str) -> Vec<Spanned<String>> {
        self.get(key)
            .map(|n| d.strings(n, &self.at(key)))
            .unwrap_or_default()
    }

    pub fn string_map(
        &self,
        d: &mut Decoder,
        key: &str,
    ) -> Option<Vec<(Spanned<String>, Spanned<String>)>> {
        self.get(key).map(|n| d.string_map(n, &self.at(key)))
    }

    /// A required field: a diagnostic at the mapping when it is missing.
    pub fn required(&self, d: &mut Decoder, key: &str) -> Option<&'a Node> {
        let found = self.get(key);
        if found.is_none() {
            d.error(
                self.node,
                format!(
                    "{}: missing required field \"{key}\"",
                    display_path(&self.path)
                ),
                Some(format!("add `{key}`")),
            );
        }
        found
    }
}

fn display_path(path: &str) -> &str {
    if path.is_empty() { "document" } else { path }
}
