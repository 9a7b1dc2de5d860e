//! Which parts of its elements a `deny` foreach reads (see [`ElementReads`]): found from
//! every expression evaluated while an element is set — preconditions, conditions, their
//! messages and the rule message. The engine then copies only those parts of each element
//! into the JSON context.

use super::{Check, Foreach, ForeachCheck, Validate};
use crate::engine::conditions::Block;
use crate::jmespath::Expression;
use crate::syntax::template::{Template, TemplateDoc};

/// The parts of an element a foreach body reads, as a tree of keys.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ElementReads {
    /// The whole value here is read.
    pub whole: bool,
    pub keys: Vec<(Box<str>, ElementReads)>,
}

impl ElementReads {
    fn insert(&mut self, path: &[Box<str>]) {
        let Some((first, rest)) = path.split_first() else {
            self.whole = true;
            return;
        };
        let at = match self.keys.iter().position(|(k, _)| k == first) {
            Some(at) => at,
            None => {
                self.keys.push((first.clone(), ElementReads::default()));
                self.keys.len() - 1
            }
        };
        self.keys[at].1.insert(rest);
    }
}

/// Plans the element copies of every `deny` foreach of a validate rule. A rule with
/// context entries gets none: an entry loaded while an element is set may read any of it.
pub fn plan(validate: &mut Validate, rule_has_context: bool) {
    let Check::Foreach(list) = &mut validate.check else {
        return;
    };
    if rule_has_context {
        return;
    }
    let message = validate.message.as_ref();
    for entry in list {
        plan_entry(entry, message);
    }
}

fn plan_entry(entry: &mut Foreach, rule_message: Option<&Template>) {
    match &mut entry.check {
        ForeachCheck::Nested(list) => {
            list.iter_mut().for_each(|e| plan_entry(e, rule_message));
            return;
        }
        ForeachCheck::Deny(_) | ForeachCheck::None => {}
        ForeachCheck::Pattern(_) | ForeachCheck::AnyPattern(_) => return,
    }
    // Indexed names copy the element again, and context entries may read any of it.
    if entry.indexed || !entry.context.is_empty() {
        return;
    }
    entry.element_reads = reads_of(entry, rule_message);
}

/// `None` when the whole element may be read, or which parts cannot be told.
fn reads_of(entry: &Foreach, rule_message: Option<&Template>) -> Option<ElementReads> {
    let mut templates: Vec<&Template> = Vec::new();
    let mut parsed: Vec<Template> = Vec::new();
    let mut texts: Vec<&str> = Vec::new();
    if let Some(block) = &entry.preconditions {
        block_templates(block, &mut templates);
    }
    if let ForeachCheck::Deny(Some(block)) = &entry.check {
        block_templates(block, &mut templates);
        // Condition messages are joined with the rule message and parsed when a rule fails.
        for c in conditions_of(block) {
            texts.push(&c.message);
        }
    }
    if let Some(message) = rule_message {
        templates.push(message);
        texts.push(message.text());
    }
    for text in texts {
        // A `{{` closed in another message of the joined text would form another variable.
        if text.matches("{{").count() != text.matches("}}").count() {
            return None;
        }
        parsed.push(Template::parse(text).ok()?);
    }
    let mut reads = ElementReads::default();
    for template in templates.into_iter().chain(&parsed) {
        for query in template.queries() {
            add_reads(query?, &mut reads)?;
        }
    }
    (!reads.whole).then_some(reads)
}

/// Adds what `expr` reads of `element`; `None` when it reads the whole context.
fn add_reads(expr: &Expression, reads: &mut ElementReads) -> Option<()> {
    for path in expr.reads() {
        match path.split_first() {
            None => return None,
            Some((first, rest)) if &**first == "element" => reads.insert(rest),
            Some(_) => {}
        }
    }
    Some(())
}

fn block_templates<'b>(block: &'b Block<TemplateDoc>, out: &mut Vec<&'b Template>) {
    for c in conditions_of(block) {
        out.extend(c.key.templates());
        out.extend(c.value.templates());
    }
}

fn conditions_of<T>(
    block: &Block<T>,
) -> impl Iterator<Item = &crate::engine::conditions::Condition<T>> {
    let lists: Vec<&[crate::engine::conditions::Condition<T>]> = match block {
        Block::AnyAll { any, all } => [any, all]
            .into_iter()
            .flatten()
            .map(Vec::as_slice)
            .collect(),
        Block::List(list) => vec![list.as_slice()],
    };
    lists.into_iter().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::conditions::Condition;
    use crate::engine::operators::Operator;
    use serde_json::json;

    fn doc(value: serde_json::Value) -> TemplateDoc {
        TemplateDoc::parse(&value).expect("invariant: valid document")
    }

    fn deny(key: &str, message: &str) -> Foreach {
        let condition = Condition {
            key: doc(json!(key)),
            operator: Operator::AnyIn,
            value: doc(json!(["NET_ADMIN"])),
            message: message.into(),
        };
        Foreach {
            list: Expression::compile("request.object.spec.containers").expect("valid"),
            indexed: false,
            element_scope: None,
            context: Vec::new(),
            preconditions: None,
            check: ForeachCheck::Deny(Some(Block::List(vec![condition]))),
            element_reads: None,
        }
    }

    fn planned(entry: Foreach, message: &str) -> Option<Vec<String>> {
        let message = Template::parse(message).expect("invariant: valid template");
        let reads = reads_of(&entry, Some(&message))?;
        fn flatten(r: &ElementReads, at: &str, out: &mut Vec<String>) {
            if r.whole {
                out.push(at.to_string());
            }
            for (k, child) in &r.keys {
                flatten(child, &format!("{at}.{k}"), out);
            }
        }
        let mut out = Vec::new();
        flatten(&reads, "", &mut out);
        out.sort();
        Some(out)
    }

    #[test]
    fn deny_bodies_read_the_keys_their_expressions_name() {
        let entry = deny(
            "{{ element.securityContext.capabilities.add || `[]` }}",
            "{{ element.name }} adds {{ join(', ', element.securityContext.capabilities.add) }}",
        );
        assert_eq!(
            planned(entry, "no {{ request.object.metadata.name }}"),
            Some(vec![
                ".name".into(),
                ".securityContext.capabilities.add".into()
            ])
        );
    }

    #[test]
    fn whole_reads_and_unknowable_texts_copy_everything() {
        assert_eq!(planned(deny("{{ length(element) }}", ""), ""), None);
        assert_eq!(planned(deny("{{ keys(@) }}", ""), ""), None);
        assert_eq!(planned(deny("{{ element.name }}", "{{@}}"), ""), None);
        assert_eq!(planned(deny("{{ element.name }}", "a {{ b"), "c }}"), None);
    }
}
