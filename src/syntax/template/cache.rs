//! Expression text → compiled expression, for the texts only known while rendering (nested
//! variables, rescanned results, `@`). Each text is compiled once per template; the map is
//! behind a mutex so a template can be rendered from several threads.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

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
}
