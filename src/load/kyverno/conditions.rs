//! Condition blocks: the any/all form or the legacy list (rules.md §6.1), and context
//! entries (rules.md §5).

use crate::ir::{Condition, Conditions, ContextEntry, ContextSource, Node, NodeValue};
use crate::load::fields::Decoder;

const CONDITION_FIELDS: &[&str] = &["key", "operator", "value", "message"];

/// A block as rule preconditions and `deny.conditions` accept it: a list is the legacy
/// form; in a mapping only `any` and `all` count and other keys are ignored (rules.md
/// §6.1, quirk).
pub fn lenient_block(d: &mut Decoder, node: &Node, path: &str) -> Option<Conditions> {
    match &node.value {
        NodeValue::Seq(_) => Some(Conditions::List {
            span: node.span,
            conditions: d.each(node, path, condition),
        }),
        NodeValue::Map(_) => Some(any_all(d, node, path)),
        _ => {
            d.error(
                node,
                format!(
                    "{path}: expected a mapping with any/all or a list of conditions, found {}",
                    node.kind_name()
                ),
                Some("expected any/all or a list".into()),
            );
            None
        }
    }
}

/// A block as foreach preconditions accept it: only the any/all mapping.
pub fn strict_block(d: &mut Decoder, node: &Node, path: &str) -> Option<Conditions> {
    d.object(node, path, &["any", "all"])?;
    Some(any_all(d, node, path))
}

fn any_all(d: &mut Decoder, node: &Node, path: &str) -> Conditions {
    let list = |d: &mut Decoder, key: &str| {
        node.get(key)
            .filter(|n| !n.is_null())
            .map(|n| d.each(n, &format!("{path}.{key}"), condition))
    };
    Conditions::AnyAll {
        span: node.span,
        any: list(d, "any"),
        all: list(d, "all"),
    }
}

fn condition(d: &mut Decoder, node: &Node, path: &str) -> Option<Condition> {
    let obj = d.object(node, path, CONDITION_FIELDS)?;
    Some(Condition {
        span: node.span,
        key: obj.get("key").cloned(),
        operator: obj.string(d, "operator"),
        value: obj.get("value").cloned(),
        message: obj.string(d, "message"),
    })
}

const CONTEXT_FIELDS: &[&str] = &[
    "name",
    "variable",
    "configMap",
    "apiCall",
    "imageRegistry",
    "globalReference",
];

pub fn context_entries(d: &mut Decoder, node: &Node, path: &str) -> Vec<ContextEntry> {
    d.each(node, path, context_entry)
}

fn context_entry(d: &mut Decoder, node: &Node, path: &str) -> Option<ContextEntry> {
    let obj = d.object(node, path, CONTEXT_FIELDS)?;
    let name = obj
        .required(d, "name")
        .and_then(|n| d.string(n, &obj.at("name")))?;
    let source = if let Some(v) = obj.get("variable") {
        variable(d, v, &obj.at("variable"))?
    } else if let Some(c) = obj.get("configMap") {
        let cm = d.object(c, &obj.at("configMap"), &["name", "namespace"])?;
        ContextSource::ConfigMap {
            name: cm.required(d, "name")?.clone(),
            namespace: cm.get("namespace").cloned(),
        }
    } else if let Some(n) = obj.get("apiCall") {
        ContextSource::ApiCall(n.clone())
    } else if let Some(n) = obj.get("imageRegistry") {
        ContextSource::ImageRegistry(n.clone())
    } else if let Some(n) = obj.get("globalReference") {
        ContextSource::GlobalReference(n.clone())
    } else {
        ContextSource::Missing
    };
    Some(ContextEntry {
        span: node.span,
        name,
        source,
    })
}

fn variable(d: &mut Decoder, node: &Node, path: &str) -> Option<ContextSource> {
    let obj = d.object(node, path, &["value", "jmesPath", "default"])?;
    Some(ContextSource::Variable {
        value: obj.get("value").cloned(),
        jmes_path: obj.string(d, "jmesPath"),
        default: obj.get("default").cloned(),
    })
}
