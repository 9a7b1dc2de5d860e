//! The JSON context expressions are evaluated against (rules.md §4.6, §5): the request's
//! document (`request`, `serviceAccountName`, ...), borrowed and never changed, under a layer
//! of the top-level keys evaluation sets (`images`, context entries, values, `element`, ...).
//! The layer changes in nested scopes that are undone on exit; context entries load lazily
//! when a query mentions them.

use std::borrow::Cow;
use std::rc::Rc;

use serde_json::{Map, Value};

use super::offline::Backend;
use super::pattern::Outcome;
use super::podsecurity::{ExtractError, Memo, Pod, extract};
use super::presence::Facts;
use crate::compile::presence::{self, Guard};
use crate::jmespath::layer::{Layer, Slot};
use crate::jmespath::{EvalError, Expression, Found};
use crate::syntax::template::{QueryError, Resolver, Site};

/// Computes a context entry's value; its own queries go through the context.
pub trait Loader {
    fn load(&self, ctx: &mut JsonContext<'_>) -> Result<Value, String>;
}

/// A resource's kind and the pod extracted from it (podsecurity.md §3.3).
pub struct Extracted<'a> {
    pub kind: &'a str,
    pub pod: Result<Pod<'a>, ExtractError>,
}

impl<'a> Extracted<'a> {
    fn of(object: &'a Value) -> Extracted<'a> {
        let kind = crate::value::get(object, "kind")
            .and_then(Value::as_str)
            .unwrap_or_default();
        Extracted {
            kind,
            pod: extract(kind, object),
        }
    }
}

/// Kyverno recognises a missing key by this text (foreach lists, rules.md §8.2.1). A
/// missing key's own error always holds it; only other errors are formatted to look.
pub fn is_missing_key(error: &QueryError) -> bool {
    matches!(error, QueryError::Eval(EvalError::NotFound(_)))
        || error.to_string().contains("Unknown key")
}

struct Pending<'c> {
    name: &'c str,
    /// The name is made of word characters (see [`mentioned`]), decided once.
    word: bool,
    /// What the entry adds to [`JsonContext::pending`] while it is not loaded: its name's
    /// [`word_bit`](crate::jmespath::word_bit), or every bit for a name that is not a word.
    bits: u64,
    loader: &'c dyn Loader,
    loaded: bool,
}

#[derive(Default)]
struct Scope<'c> {
    /// Top-level keys changed in this scope and what they held before.
    saved: Vec<(Cow<'c, str>, Option<Slot<'c>>)>,
    entries: Vec<Pending<'c>>,
    /// Writes made while this scope was current (see [`JsonContext::writes`]).
    writes: usize,
}

/// A scope [`JsonContext::open_if`] may have opened, to hand to [`JsonContext::close`].
#[must_use]
pub struct MaybeScope {
    opened: bool,
    /// The current scope's writes when none was opened.
    writes: usize,
}

/// The context: the request's document, shared and never changed, under a layer of the
/// top-level keys set while evaluating (context entries, values, `element`, ...). A foreach
/// element found in the document is laid over it by reference, not copied.
pub struct JsonContext<'c> {
    base: &'c Value,
    /// The document's `request.object` (unless absent or null), read for every pattern and
    /// podSecurity rule: looked up once.
    base_object: Option<&'c Value>,
    top: Layer<'c>,
    /// Pod Security check results of this request's pod, shared by its podSecurity rules.
    memo: Memo,
    /// The pod of the document's new object, extracted on first use (see
    /// [`JsonContext::pod_and_memo`]).
    pod: Option<Rc<Extracted<'c>>>,
    scopes: Vec<Scope<'c>>,
    /// Popped scopes, emptied, kept for their allocations (a foreach opens one per element).
    spare: Vec<Scope<'c>>,
    /// Entries being loaded, innermost last: only entries registered before them count.
    loading: Vec<(usize, usize)>,
    /// What serves sources that need a cluster; `None` serves none of them.
    backend: Option<Backend<'c>>,
    /// `request.operation` is DELETE (read for every substitution: kept up to date instead).
    delete: bool,
    /// The set's presence tree, and what the document's object holds along it (walked on
    /// first use, see [`JsonContext::guarded`]).
    presence: Option<&'c presence::Index>,
    facts: Option<Facts<'c>>,
    /// Covers the [`Pending::bits`] of every entry not loaded: an expression whose words
    /// have none of them mentions no entry.
    pending: u64,
    /// The outcomes of the set's shared conditions met so far (see
    /// [`JsonContext::shared_outcome`]): bit `s` of `decided` says slot `s` is known, the
    /// same bit of `held` what it is.
    decided: u64,
    held: u64,
}

impl<'c> JsonContext<'c> {
    /// A context over `base`, an object (anything else reads as an empty one).
    pub fn new(base: &'c Value) -> Self {
        JsonContext::with_reads(base, RequestReads::of(base))
    }

    /// [`JsonContext::new`], given what `base`'s request holds.
    pub fn with_reads(base: &'c Value, reads: RequestReads<'c>) -> Self {
        let mut ctx = JsonContext {
            base,
            base_object: reads.object,
            // Sized for a policy, a rule and two levels of foreach: growing them by
            // reallocation per request cost more than the room.
            top: Layer::with_capacity(8),
            memo: Default::default(),
            pod: None,
            scopes: Vec::with_capacity(4),
            spare: Vec::with_capacity(4),
            loading: Vec::new(),
            backend: None,
            delete: reads.delete,
            presence: None,
            facts: None,
            pending: 0,
            decided: 0,
            held: 0,
        };
        ctx.scopes.push(Scope::default());
        ctx
    }

    /// Reads `request.operation` again (after `request` changed).
    fn read_delete(&mut self) {
        self.delete = self.request_field("operation").and_then(Value::as_str) == Some("DELETE");
    }

    /// Serves `configMap`, `apiCall` and `globalReference` entries from `backend`.
    pub fn set_backend(&mut self, backend: Option<Backend<'c>>) {
        self.backend = backend;
    }

    pub fn backend(&self) -> Option<Backend<'c>> {
        self.backend
    }

    /// How many writes went to the current scope while it was current (see
    /// [`JsonContext::set`], [`JsonContext::bind`], [`JsonContext::inject`],
    /// [`JsonContext::register`]); entries loading into their own scope do not count.
    pub fn writes(&self) -> usize {
        self.scopes.last().map_or(0, |scope| scope.writes)
    }

    /// Opens a scope when `needed` (something will write at this level); otherwise none is
    /// opened, and [`JsonContext::close`] checks in debug builds that nothing wrote.
    #[inline]
    pub fn open_if(&mut self, needed: bool) -> MaybeScope {
        if needed {
            self.push_scope();
        }
        MaybeScope {
            opened: needed,
            writes: self.writes(),
        }
    }

    /// Closes what [`JsonContext::open_if`] opened.
    #[inline]
    pub fn close(&mut self, scope: MaybeScope) {
        if scope.opened {
            self.pop_scope();
        }
        debug_assert!(
            scope.opened || self.writes() == scope.writes,
            "a write went to a context scope that was not opened"
        );
    }

    fn count_write(&mut self) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.writes += 1;
        }
    }

    /// The whole context as one object (a copy: for what needs it all at once).
    pub fn snapshot(&self) -> Value {
        self.top.merged(self.base)
    }

    /// `request.<key>`, unless absent or null.
    pub fn request_field(&self, key: &str) -> Option<&Value> {
        present(self.get("request")?, key)
    }

    /// The pod of the request's new object with its kind, and the Pod Security memo of this
    /// request; `None` without a new object. The pod of the document's own object is
    /// extracted once and shared by every podSecurity rule; an object values replaced is
    /// extracted each time.
    pub fn pod_and_memo(&mut self) -> Option<(Rc<Extracted<'_>>, &mut Memo)> {
        if let Some(request) = self.top.get("request") {
            let object = present(request, "object")?;
            return Some((Rc::new(Extracted::of(object)), &mut self.memo));
        }
        let object = self.base_object?;
        let pod = self
            .pod
            .get_or_insert_with(|| Rc::new(Extracted::of(object)));
        Some((Rc::clone(pod), &mut self.memo))
    }

    /// Lets [`JsonContext::guarded`] answer from one walk of the document's object along
    /// `index`.
    pub fn set_presence(&mut self, index: &'c presence::Index) {
        self.presence = Some(index);
    }

    /// What matching the pattern of `guard` against `object` gives, when the walk of the
    /// document's object (once per request) tells: a pass when the guard holds, the
    /// mismatch when the facts show it. `None` for any other value, or when the pattern
    /// must be matched to know.
    pub fn guarded<'g>(&mut self, guard: &'g Guard, object: &Value) -> Option<Outcome<'g>>
    where
        'c: 'g,
    {
        let (Some(index), Some(base)) = (self.presence, self.base_object) else {
            return None;
        };
        if !std::ptr::eq(base, object) {
            return None;
        }
        let facts = self.facts.get_or_insert_with(|| Facts::of(index, base));
        facts.outcome(guard)
    }

    /// `request.object`, unless absent or null, held apart from the context: borrowed from
    /// the request's document, or copied when values replaced the request.
    #[inline]
    pub fn object_apart(&self) -> Option<Cow<'c, Value>> {
        match self.top.get("request") {
            Some(request) => present(request, "object").cloned().map(Cow::Owned),
            None => self.base_object.map(Cow::Borrowed),
        }
    }

    /// `request.object`, unless absent or null.
    pub fn object(&self) -> Option<&Value> {
        match self.top.get("request") {
            Some(request) => present(request, "object"),
            None => self.base_object,
        }
    }

    /// Whether `request.operation` is DELETE: expressions then read `request.oldObject`.
    pub fn is_delete(&self) -> bool {
        self.delete
    }

    /// Where a string at `pointer` (empty for a lone string) is rendered in this request.
    pub fn site<'p>(&self, pointer: &'p str) -> Site<'p> {
        Site {
            pointer,
            delete: self.is_delete(),
            ..Site::default()
        }
    }

    /// A top-level key.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.top
            .get(key)
            .or_else(|| crate::value::get(self.base, key))
    }

    pub fn push_scope(&mut self) {
        let scope = self.spare.pop().unwrap_or_default();
        self.scopes.push(scope);
    }

    /// Undoes every change made since the matching `push_scope`.
    pub fn pop_scope(&mut self) {
        let Some(mut scope) = self.scopes.pop() else {
            return;
        };
        let mut request = false;
        for (key, old) in scope.saved.drain(..).rev() {
            request |= key == "request";
            match old {
                Some(slot) => self.top.insert(key, slot),
                None => self.top.remove(&key),
            };
        }
        let had_entries = !scope.entries.is_empty();
        scope.entries.clear();
        scope.writes = 0;
        self.spare.push(scope);
        if had_entries {
            self.pending = self.pending_bits();
        }
        if request {
            self.read_delete();
        }
    }

    /// Remembers a top-level key's value the first time the current scope changes it.
    fn save(&mut self, key: &str) {
        let innermost = self.scopes.len() - 1;
        if self.scopes[innermost].saved.iter().any(|(k, _)| k == key) {
            return;
        }
        let old = self.top.slot(key).cloned();
        let key = Cow::Owned(key.to_string());
        self.scopes[innermost].saved.push((key, old));
    }

    /// Sets a top-level key (not split on dots).
    pub fn set(&mut self, key: impl Into<Cow<'c, str>>, value: Value) {
        self.count_write();
        let innermost = self.scopes.len() - 1;
        self.put(innermost, key.into(), Slot::Owned(value));
    }

    /// Sets a top-level key to a value of the document (or of the policies): the value is
    /// laid over the context by reference, not copied.
    pub fn bind(&mut self, key: impl Into<Cow<'c, str>>, value: &'c Value) {
        self.count_write();
        let innermost = self.scopes.len() - 1;
        self.put(innermost, key.into(), Slot::Borrowed(value));
    }

    /// Sets `key` again to `value`, in the current scope, which set it before and so keeps
    /// what it held outside: the value is replaced in place (a foreach whose elements share
    /// one scope binds `element` per element).
    pub fn rebind(&mut self, key: &'c str, value: &'c Value) {
        debug_assert!(
            (self.scopes.last()).is_some_and(|s| s.saved.iter().any(|(k, _)| k == key)),
            "{key} is set again in a scope that did not set it"
        );
        self.count_write();
        match self.top.slot_mut(key) {
            Some(slot) => *slot = Slot::Borrowed(value),
            None => self.bind(key, value),
        }
    }

    /// Sets a top-level key for the life of scope `scope`; the value it replaces is kept
    /// (moved, not copied) the first time that scope changes the key.
    fn put(&mut self, scope: usize, key: Cow<'c, str>, slot: Slot<'c>) {
        let request = key == "request";
        let first = !self.scopes[scope].saved.iter().any(|(k, _)| *k == key);
        if first {
            let old = self.top.insert(key.clone(), slot);
            self.scopes[scope].saved.push((key, old));
        } else {
            self.top.insert(key, slot);
        }
        if request {
            self.read_delete();
        }
    }

    /// Writes a values-file entry: `key` is a dot path (`"` quotes a segment holding
    /// dots); intermediate objects are created and objects merge (cli-test.md §9.1).
    pub fn inject(&mut self, key: &str, value: Value) {
        self.count_write();
        let path = split_path(key);
        let Some((first, rest)) = path.split_first() else {
            return;
        };
        self.save(first);
        let mut slot = self.top.owned_mut(first, self.base.get(first.as_str()));
        for segment in rest {
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            let map = slot
                .as_object_mut()
                .expect("invariant: made an object just above");
            slot = map.entry(segment.clone()).or_insert(Value::Null);
        }
        merge(slot, value);
        if first == "request" {
            self.read_delete();
        }
    }

    /// Registers a context entry in the current scope; it loads when first mentioned.
    pub fn register(&mut self, name: &'c str, loader: &'c dyn Loader) {
        self.register_named(EntryName::new(name), loader);
    }

    /// [`JsonContext::register`] with the name's bits worked out before (a name registered
    /// for every request keeps them).
    pub fn register_named(&mut self, name: EntryName<'c>, loader: &'c dyn Loader) {
        self.count_write();
        let scope = self
            .scopes
            .last_mut()
            .expect("invariant: the base scope is never popped");
        let EntryName { name, word, bits } = name;
        scope.entries.push(Pending {
            name,
            word,
            bits,
            loader,
            loaded: false,
        });
        self.pending |= bits;
    }

    /// Whether a shared condition (see `Condition::shared`) whose key queries `expr`, which
    /// reads only `request`, has here the outcome it has over the request: nothing set on top
    /// of the document hides `request` (a value of that name), and `expr` mentions no entry
    /// not yet loaded, which evaluating it would load (and whose error it would give).
    #[inline]
    pub fn shares(&self, expr: &Expression) -> bool {
        !self.may_load(expr) && !self.top.contains("request")
    }

    /// The outcome of shared condition `slot`, if an earlier rule of this request kept it.
    #[inline]
    pub fn shared_outcome(&self, slot: u8) -> Option<bool> {
        let bit = 1u64.checked_shl(u32::from(slot))?;
        (self.decided & bit != 0).then_some(self.held & bit != 0)
    }

    /// Keeps the outcome of shared condition `slot`, evaluated where [`JsonContext::shares`]
    /// holds.
    pub fn share_outcome(&mut self, slot: u8, held: bool) {
        let Some(bit) = 1u64.checked_shl(u32::from(slot)) else {
            return;
        };
        self.decided |= bit;
        self.held = if held {
            self.held | bit
        } else {
            self.held & !bit
        };
    }

    /// Evaluates an expression, first loading the entries its text mentions.
    #[inline]
    pub fn search<'a>(&'a mut self, expr: &'a Expression) -> Result<Cow<'a, Value>, QueryError> {
        self.load_mentioned(expr)
            .map_err(|e| QueryError::Context(e.into()))?;
        Ok(expr.search_layered(self.base, &self.top, self.base_object)?)
    }

    /// [`JsonContext::search`], a list built out of the document's values given as those
    /// values (see [`Expression::search_layered_found`]).
    #[inline]
    pub fn search_found<'a>(&'a mut self, expr: &'a Expression) -> Result<Found<'a>, QueryError> {
        self.load_mentioned(expr)
            .map_err(|e| QueryError::Context(e.into()))?;
        Ok(expr.search_layered_found(self.base, &self.top, self.base_object)?)
    }

    /// The elements of an expression's array result (or the result itself), borrowed from
    /// the document when the expression reads only keys of the document no key set on top
    /// of it hides; `None` otherwise (search and copy them instead).
    pub fn search_elements(
        &mut self,
        expr: &'c Expression,
    ) -> Option<Result<Vec<Cow<'c, Value>>, QueryError>> {
        if let Err(e) = self.load_mentioned(expr) {
            return Some(Err(QueryError::Context(e.into())));
        }
        let roots = expr.roots()?;
        if roots.iter().any(|k| self.top.contains(k)) {
            return None;
        }
        let base: &'c Value = self.base;
        let object: Option<&'c Value> = self.base_object;
        Some(expr.search_elements(base, object).map_err(QueryError::from))
    }

    /// Loads, in registration order, every pending entry `expr` mentions (rules.md §5.1).
    #[inline]
    pub fn load_mentioned(&mut self, expr: &Expression) -> Result<(), String> {
        if !self.may_load(expr) {
            return Ok(());
        }
        self.load_each_mentioned(expr)
    }

    /// Whether searching `expr` may first load a pending entry it mentions. Most
    /// expressions mention none: decided without a call. (A name that is not a word sets
    /// every bit: the entries are always searched then.)
    #[inline]
    fn may_load(&self, expr: &Expression) -> bool {
        self.pending == u64::MAX || expr.may_have_word(self.pending)
    }

    fn load_each_mentioned(&mut self, expr: &Expression) -> Result<(), String> {
        while let Some((s, i)) = self.next_mentioned(expr) {
            self.scopes[s].entries[i].loaded = true;
            let (name, loader) = (
                self.scopes[s].entries[i].name,
                self.scopes[s].entries[i].loader,
            );
            self.loading.push((s, i));
            let loaded = loader.load(self);
            self.loading.pop();
            let stored = match loaded {
                // The value lives as long as the scope the entry was registered in.
                Ok(value) => {
                    self.put(s, Cow::Borrowed(name), Slot::Owned(value));
                    Ok(())
                }
                Err(e) => {
                    // A failed entry fails again wherever it is mentioned next.
                    self.scopes[s].entries[i].loaded = false;
                    Err(e)
                }
            };
            self.pending = self.pending_bits();
            stored?;
        }
        Ok(())
    }

    /// What [`JsonContext::pending`] covers, from the entries themselves.
    fn pending_bits(&self) -> u64 {
        let entries = self.scopes.iter().flat_map(|s| &s.entries);
        let unloaded = entries.filter(|e| !e.loaded);
        unloaded.fold(0, |bits, e| bits | e.bits)
    }

    fn next_mentioned(&self, expr: &Expression) -> Option<(usize, usize)> {
        let limit = self.loading.last().copied();
        for (s, scope) in self.scopes.iter().enumerate() {
            for (i, entry) in scope.entries.iter().enumerate() {
                let eligible = limit.is_none_or(|(ls, li)| s < ls || (s == ls && i < li));
                let may = !entry.word || expr.may_have_word(entry.bits);
                if eligible && !entry.loaded && may && mentioned(expr, entry.name, entry.word) {
                    return Some((s, i));
                }
            }
        }
        None
    }
}

impl Resolver for JsonContext<'_> {
    fn query<'a>(&'a mut self, expr: &'a Expression) -> Result<Cow<'a, Value>, QueryError> {
        self.search(expr)
    }
}

/// What a context document's `request` holds that evaluation reads before any rule, found
/// in one pass over its keys.
#[derive(Clone, Copy, Debug, Default)]
pub struct RequestReads<'v> {
    /// `request.object`, unless absent or null.
    pub object: Option<&'v Value>,
    /// `request.oldObject`, unless absent or null.
    pub old_object: Option<&'v Value>,
    /// `request.operation` is DELETE.
    pub delete: bool,
}

impl<'v> RequestReads<'v> {
    pub fn of(document: &'v Value) -> RequestReads<'v> {
        let mut reads = RequestReads::default();
        let Some(Value::Object(request)) = crate::value::get(document, "request") else {
            return reads;
        };
        let present = |v: &'v Value| Some(v).filter(|v| !v.is_null());
        for (key, value) in request {
            match key.as_str() {
                "object" => reads.object = present(value),
                "oldObject" => reads.old_object = present(value),
                "operation" => reads.delete = value.as_str() == Some("DELETE"),
                _ => {}
            }
        }
        reads
    }
}

/// `object.<key>`, unless absent or null.
fn present<'v>(object: &'v Value, key: &str) -> Option<&'v Value> {
    crate::value::get(object, key).filter(|v| !v.is_null())
}

/// [`mentions`] for a compiled expression: a name of word characters (`word`, see
/// [`is_word_name`]) is looked up among the words the expression's text starts (see
/// [`Expression::words`]), without a scan.
fn mentioned(expr: &Expression, name: &str, word: bool) -> bool {
    if word {
        return expr.words().iter().any(|w| **w == *name);
    }
    mentions(expr.text(), name)
}

/// A context entry's name with what [`JsonContext::load_mentioned`] tests it by: whether it
/// is a word, and its [`word_bit`](crate::jmespath::word_bit) (every bit for a name that
/// is not a word).
#[derive(Clone, Copy, Debug)]
pub struct EntryName<'c> {
    name: &'c str,
    word: bool,
    bits: u64,
}

impl<'c> EntryName<'c> {
    pub fn new(name: &'c str) -> EntryName<'c> {
        let word = is_word_name(name);
        let bits = if word {
            crate::jmespath::word_bit(name)
        } else {
            u64::MAX
        };
        EntryName { name, word, bits }
    }
}

fn is_word_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(is_word)
}

/// Whether `text` mentions `name` as Kyverno tests it: `(^|\s|[^.0-9A-Za-z])<name>\b`.
pub fn mentions(text: &str, name: &str) -> bool {
    let (hay, needle) = (text.as_bytes(), name.as_bytes());
    let Some(&first) = needle.first() else {
        return false;
    };
    // A name's first byte starts a character, so every candidate is on a char boundary;
    // bytes of non-ASCII characters are neither `.` nor word characters.
    let ends_in_word = name.chars().next_back().is_some_and(is_word);
    let candidates = hay.iter().enumerate().filter(|&(_, &b)| b == first);
    candidates.map(|(at, _)| at).any(|at| {
        let starts =
            at == 0 || !matches!(hay[at - 1], b'.' | b'0'..=b'9' | b'A'..=b'Z' | b'a'..=b'z');
        let next = hay.get(at + needle.len()).copied();
        let ends = ends_in_word != next.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
        starts && ends && hay[at..].starts_with(needle)
    })
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Splits a values key on dots, keeping `"quoted.segments"` whole.
fn split_path(key: &str) -> Vec<String> {
    let mut segments = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in key.chars() {
        match c {
            '"' => quoted = !quoted,
            '.' if !quoted => segments.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    segments.push(current);
    segments
}

/// Writes `value` into `slot`, merging objects key by key.
fn merge(slot: &mut Value, value: Value) {
    match (slot, value) {
        (Value::Object(existing), Value::Object(incoming)) => {
            for (k, v) in incoming {
                merge(existing.entry(k).or_insert(Value::Null), v);
            }
        }
        (slot, value) => *slot = value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn mentions_follows_kyverno_rule() {
        // rules.md §5.1 item 2.
        assert!(mentions("cfg.data.x", "cfg"));
        assert!(mentions("'{{cfg}}'", "cfg"));
        assert!(!mentions("spec.cfg", "cfg"));
        assert!(!mentions("cfgmap", "cfg"));
        assert!(mentions("length(cfg)", "cfg"));
        assert!(!mentions("request.object", "object"));
        assert!(mentions("_cfg", "cfg"));
        assert!(mentions("[cfg]", "cfg"));
        assert!(!mentions("cfg_2", "cfg"));
        assert!(mentions("'é' || cfg", "cfg"));
        assert!(mentions("écfg", "cfg"));
        assert!(!mentions("", "cfg"));
    }

    #[test]
    fn word_lookup_agrees_with_the_text_scan() {
        let texts = [
            "cfg.data.x",
            "'{{cfg}}'",
            "length(cfg)",
            "spec.cfg",
            "request.object",
            "a || `[]` | images.containers",
            "\"é_cfg\"",
            "x_cfg",
            "cfg_2 || cfg2",
            "request.object.spec.[initContainers, containers][]",
        ];
        for text in texts {
            let expr = Expression::compile(text).expect("invariant: valid expression");
            for name in [
                "cfg", "object", "images", "request", "x", "_cfg", "cfg2", "spec",
            ] {
                assert_eq!(
                    mentioned(&expr, name, is_word_name(name)),
                    mentions(text, name),
                    "{text} / {name}"
                );
            }
        }
    }

    #[test]
    fn scopes_undo_changes_and_values_merge() {
        let base = json!({"request": {"operation": "CREATE"}});
        let mut ctx = JsonContext::new(&base);
        ctx.push_scope();
        ctx.inject("request.operation", json!("UPDATE"));
        ctx.inject("a.\"b.c\".d", json!(1));
        ctx.set("element", json!({"x": 1}));
        let seen = ctx.snapshot();
        assert_eq!(seen["a"]["b.c"]["d"], json!(1));
        assert_eq!(seen["request"]["operation"], json!("UPDATE"));
        ctx.pop_scope();
        assert_eq!(ctx.snapshot(), json!({"request": {"operation": "CREATE"}}));
        assert_eq!(base, json!({"request": {"operation": "CREATE"}}));
    }

    #[test]
    fn delete_follows_the_operation_through_scopes() {
        let base = json!({"request": {"operation": "CREATE"}});
        let mut ctx = JsonContext::new(&base);
        assert!(!ctx.is_delete());
        ctx.push_scope();
        ctx.inject("request.operation", json!("DELETE"));
        assert!(ctx.is_delete());
        ctx.pop_scope();
        assert!(!ctx.is_delete());
        let deleting = json!({"request": {"operation": "DELETE"}});
        assert!(JsonContext::new(&deleting).is_delete());
    }

    #[test]
    fn bound_elements_are_read_through_the_layer() {
        let base = json!({"request": {"object": {"spec": {"containers": [{"name": "a"}]}}}});
        let element = &base["request"]["object"]["spec"]["containers"][0];
        let mut ctx = JsonContext::new(&base);
        ctx.push_scope();
        ctx.bind("element", element);
        let name = Expression::compile("element.name").expect("invariant: valid expression");
        let whole = Expression::compile("keys(@)").expect("invariant: valid expression");
        assert_eq!(
            ctx.search(&name).map(Cow::into_owned).ok(),
            Some(json!("a"))
        );
        assert_eq!(
            ctx.search(&whole).map(Cow::into_owned).ok(),
            Some(json!(["element", "request"]))
        );
        ctx.pop_scope();
        assert!(ctx.search(&name).is_err());
    }

    struct Fixed(Value);
    impl Loader for Fixed {
        fn load(&self, _: &mut JsonContext<'_>) -> Result<Value, String> {
            Ok(self.0.clone())
        }
    }

    #[test]
    fn entries_load_only_when_mentioned() {
        let loader = Fixed(json!("v"));
        let failing = Failing;
        let base = json!({});
        let mut ctx = JsonContext::new(&base);
        ctx.register("good", &loader);
        ctx.register("bad", &failing);
        let expr = Expression::compile("good").expect("invariant: valid expression");
        assert_eq!(
            ctx.search(&expr).map(Cow::into_owned).ok(),
            Some(json!("v"))
        );
        let bad = Expression::compile("bad").expect("invariant: valid expression");
        let error = ctx
            .search(&bad)
            .map(Cow::into_owned)
            .err()
            .map(|e| e.to_string());
        assert_eq!(error.as_deref(), Some("boom"));
    }

    #[test]
    fn writes_count_only_the_current_scope() {
        let loader = Fixed(json!("v"));
        let base = json!({"doc": [1]});
        let mut ctx = JsonContext::new(&base);
        ctx.register("entry", &loader);
        let at_start = ctx.writes();
        ctx.push_scope();
        ctx.set("a", json!(1));
        ctx.bind("b", &base["doc"]);
        ctx.inject("c.d", json!(2));
        assert_eq!(ctx.writes(), 3);
        ctx.pop_scope();
        // Loading an entry writes into the scope that registered it: not counted.
        let expr = Expression::compile("entry").expect("invariant: valid expression");
        assert!(ctx.search(&expr).is_ok());
        assert_eq!(ctx.writes(), at_start);
        ctx.set("e", json!(3));
        assert_eq!(ctx.writes(), at_start + 1);
        ctx.push_scope();
        assert_eq!(ctx.writes(), 0, "a reused scope starts with no writes");
    }

    struct Failing;
    impl Loader for Failing {
        fn load(&self, _: &mut JsonContext<'_>) -> Result<Value, String> {
            Err("boom".into())
        }
    }

    /// Counts its loads.
    struct Counted(std::cell::Cell<usize>);
    impl Loader for Counted {
        fn load(&self, _: &mut JsonContext<'_>) -> Result<Value, String> {
            self.0.set(self.0.get() + 1);
            Ok(json!({"x": 1}))
        }
    }

    /// The filter of pending names skips no entry it should load: an entry loads once, a
    /// failed one is tried again, an entry of a closed scope is gone, and names that are
    /// not words (quoted in the expression) still load.
    #[test]
    fn pending_entries_load_when_mentioned_again() {
        let compile = |t: &str| Expression::compile(t).expect("invariant: valid expression");
        let (once, inner, quoted) = (
            Counted(Default::default()),
            Counted(Default::default()),
            Counted(Default::default()),
        );
        let base = json!({});
        let mut ctx = JsonContext::new(&base);
        ctx.register("bad", &Failing);
        ctx.register("once", &once);
        for text in ["bad", "bad.x", "length(bad)"] {
            let error = ctx.search(&compile(text)).err().map(|e| e.to_string());
            assert_eq!(error.as_deref(), Some("boom"), "{text}");
        }
        for text in ["once.x", "once", "other || once"] {
            assert!(ctx.search(&compile(text)).is_ok(), "{text}");
        }
        assert_eq!(once.0.get(), 1);
        ctx.push_scope();
        ctx.register("inner", &inner);
        ctx.pop_scope();
        assert!(ctx.search(&compile("inner")).is_err());
        assert_eq!(inner.0.get(), 0);
        ctx.register("my-entry", &quoted);
        let found = ctx.search(&compile("\"my-entry\".x")).map(Cow::into_owned);
        assert_eq!(found.ok(), Some(json!(1)));
        assert_eq!(quoted.0.get(), 1);
    }

    /// The request's objects (a null one is none) and whether it deletes, read in one pass.
    #[test]
    fn request_reads_find_the_objects_and_the_operation() {
        let base = json!({"request": {"operation": "DELETE", "object": null, "oldObject": {"a": 1}, "uid": "7"}});
        let reads = RequestReads::of(&base);
        assert_eq!(reads.object, None);
        assert_eq!(reads.old_object, Some(&json!({"a": 1})));
        assert!(reads.delete);
        let base = json!({"request": {"operation": "CREATE", "object": {"b": 2}}});
        let reads = RequestReads::of(&base);
        assert_eq!(reads.object, Some(&json!({"b": 2})));
        assert_eq!(reads.old_object, None);
        assert!(!reads.delete);
        for base in [json!({}), json!({"request": "text"}), json!(null)] {
            let reads = RequestReads::of(&base);
            assert_eq!(
                (reads.object, reads.old_object, reads.delete),
                (None, None, false)
            );
        }
    }
}
