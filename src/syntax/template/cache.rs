//! Expression text → compiled expression, for the texts only known while rendering (nested
//! variables, rescanned results, `@`). Each text is compiled once per template; the map is
//! behind a mutex so a template can be rendered from several threads.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::{Template, TemplateError};
use crate::jmespath::{CompileError, Expression};

/// Texts kept per template. Rescanned text can come from resources, so the cache is bounded;
/// past the bound a text is compiled each time it is met.
const CAPACITY: usize = 64;

type Compiled = Result<Arc<Expression>, CompileError>;

#[derive(Debug, Default)]
pub(super) struct ExprCache {
    map: Mutex<HashMap<Box<str>, Compiled>>,
}

impl ExprCache {
    /// The compiled expression for `text` (trimmed, not empty).
    pub fn compile(&self, text: &str) -> Compiled {
        if let Some(found) = self.lock().get(text) {
            return found.clone();
        }
        let compiled = Expression::compile(text).map(Arc::new);
        let mut map = self.lock();
        if map.len() < CAPACITY {
            map.insert(text.into(), compiled.clone());
        }
        compiled
    }

    /// How many texts are kept.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Box<str>, Compiled>> {
        // A panic elsewhere while holding the lock cannot leave the map half-written
        // (insert is the only mutation), so a poisoned map is still sound.
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

type Parsed = Arc<Result<Template, TemplateError>>;

/// Templates parsed from texts assembled while evaluating (a rule message joined with the
/// messages of the conditions that failed): each text is parsed once. Bounded like
/// [`ExprCache`]; past the bound a text is parsed each time it is met.
#[derive(Debug, Default)]
pub struct TemplateCache {
    map: Mutex<HashMap<Box<str>, Parsed>>,
}

impl TemplateCache {
    /// The template of `text`, parsed on first use.
    pub fn parse(&self, text: &str) -> Parsed {
        if let Some(found) = self.lock().get(text) {
            return Arc::clone(found);
        }
        let parsed = Arc::new(Template::parse(text));
        let mut map = self.lock();
        if map.len() < CAPACITY {
            map.insert(text.into(), Arc::clone(&parsed));
        }
        parsed
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Box<str>, Parsed>> {
        // As for ExprCache: insert is the only mutation, so a poisoned map is still sound.
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiles_a_text_once() {
        let cache = ExprCache::default();
        let first = cache.compile("a.b").ok();
        let second = cache.compile("a.b").ok();
        assert!(matches!((first, second), (Some(a), Some(b)) if Arc::ptr_eq(&a, &b)));
        assert!(cache.compile("a.").is_err());
    }

    #[test]
    fn parses_a_template_once() {
        let cache = TemplateCache::default();
        let first = cache.parse("x {{ a }}; y");
        let second = cache.parse("x {{ a }}; y");
        assert!(Arc::ptr_eq(&first, &second));
        assert!(matches!(&*first, Ok(t) if t.text() == "x {{ a }}; y"));
        assert!(cache.parse("{{ a. }}").is_err());
    }
}
