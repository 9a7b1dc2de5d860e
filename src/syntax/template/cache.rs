//! What is made while rendering, kept: expression text → compiled expression, for the
//! texts only known then (nested variables, rescanned results, `@`), each compiled once per
//! template; and templates of texts a caller names by a key (joined deny messages). The
//! lists are behind mutexes so templates can be rendered from several threads.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::{Template, TemplateError};
use crate::jmespath::{CompileError, Expression};

/// Texts kept per template. Rescanned text can come from resources, so the cache is bounded;
/// past the bound a text is compiled each time it is met.
const CAPACITY: usize = 64;

/// Up to [`CAPACITY`] keys with what was made of them, searched in order: a template meets
/// a handful of texts, which compare by length before bytes for less than hashing one.
#[derive(Debug)]
struct Kept<K, T> {
    entries: Mutex<Vec<(K, T)>>,
}

impl<K, T> Default for Kept<K, T> {
    fn default() -> Self {
        Kept {
            entries: Mutex::new(Vec::new()),
        }
    }
}

impl<K, T: Clone> Kept<K, T> {
    /// What was made for the key `is` finds, else the key and value `make` makes, kept
    /// while there is room.
    fn get_or_make(&self, is: impl Fn(&K) -> bool, make: impl FnOnce() -> (K, T)) -> T {
        if let Some((_, made)) = self.lock().iter().find(|(k, _)| is(k)) {
            return made.clone();
        }
        let (key, made) = make();
        let mut entries = self.lock();
        if entries.len() < CAPACITY {
            entries.push((key, made.clone()));
        }
        made
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> MutexGuard<'_, Vec<(K, T)>> {
        // A panic elsewhere while holding the lock cannot leave the list half-written (push
        // is the only mutation), so a poisoned list is still sound.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

type Compiled = Result<Arc<Expression>, CompileError>;

#[derive(Debug, Default)]
pub(super) struct ExprCache {
    texts: Kept<Box<str>, Compiled>,
}

impl ExprCache {
    /// The compiled expression for `text` (trimmed, not empty).
    pub fn compile(&self, text: &str) -> Compiled {
        let compile = || (text.into(), Expression::compile(text).map(Arc::new));
        self.texts
            .get_or_make(|kept| kept.len() == text.len() && **kept == *text, compile)
    }

    /// How many texts are kept.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.texts.len()
    }
}

type Parsed = Arc<Result<Template, TemplateError>>;

/// Templates parsed from texts a caller names by a key (the conditions that decided a block,
/// say): the text is written and parsed only for a key not met before. Bounded as
/// [`ExprCache`]; past the bound a text is written and parsed each time.
#[derive(Debug)]
pub struct KeyedTemplates<K> {
    kept: Kept<K, Parsed>,
}

impl<K> Default for KeyedTemplates<K> {
    fn default() -> Self {
        KeyedTemplates {
            kept: Kept::default(),
        }
    }
}

impl<K: Copy + PartialEq> KeyedTemplates<K> {
    /// The template of the text `text` writes for `key`.
    pub fn parse(&self, key: K, text: impl FnOnce() -> String) -> Parsed {
        let parse = || (key, Arc::new(Template::parse(&text())));
        self.kept.get_or_make(|k| *k == key, parse)
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

    /// A key's text is written and parsed once; another key gets its own template.
    #[test]
    fn parses_a_keyed_text_once() {
        let cache = KeyedTemplates::default();
        let mut written = 0;
        let mut parse = |key: u8, text: &str| {
            cache.parse(key, || {
                written += 1;
                text.to_string()
            })
        };
        let first = parse(1, "x {{ a }}");
        let again = parse(1, "not written");
        let other = parse(2, "y");
        assert!(Arc::ptr_eq(&first, &again));
        assert!(matches!(&*other, Ok(t) if t.text() == "y"));
        assert_eq!(written, 2);
    }

    /// Texts of the same length are told apart, and past the bound texts are made each
    /// time without being kept.
    #[test]
    fn keeps_distinct_texts_up_to_the_bound() {
        let cache = ExprCache::default();
        let (ab, ac) = (cache.compile("a.b"), cache.compile("a.c"));
        assert!(matches!((ab, ac), (Ok(x), Ok(y)) if x.text() == "a.b" && y.text() == "a.c"));
        for i in 0..CAPACITY + 5 {
            let text = format!("k{i}");
            assert!(matches!(cache.compile(&text), Ok(e) if e.text() == text));
        }
        assert_eq!(cache.len(), CAPACITY);
        let past = format!("k{}", CAPACITY + 1);
        let (first, second) = (cache.compile(&past), cache.compile(&past));
        assert!(matches!((first, second), (Ok(a), Ok(b)) if !Arc::ptr_eq(&a, &b)));
    }
}
